package io.fairlead.xds;

import com.google.common.collect.ImmutableSet;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.fairlead.xds.RequestContexts.Context;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Puts stream knowledge into requests before the cache sees them.
 *
 * <ul>
 *   <li>A request without a node (proxies may send it only once per stream) gets the stream's node,
 *       so the cache hashes it to the right group.
 *   <li>A SotW NACK carries the last <em>accepted</em> version, which differs from the snapshot's,
 *       so the cache would re-send the rejected config at once, and again on every NACK. The
 *       request is presented as being at the rejected version instead: the watch then waits for the
 *       next change, and a snapshot that moved on since is still delivered at once. Delta needs no
 *       help: the server compares with the last version it sent.
 * </ul>
 */
final class StreamAwareWatcher implements ConfigWatcher {

  private final ConfigWatcher cache;
  private final RequestContexts contexts;

  StreamAwareWatcher(ConfigWatcher cache, RequestContexts contexts) {
    this.cache = cache;
    this.contexts = contexts;
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    Optional<Context> context = contexts.take(request.v3Request());
    boolean waitForAllNamed = waitsForAllNamed(ads, request);
    if (context.isEmpty()) {
      return cache.createWatch(
          waitForAllNamed,
          request,
          knownResourceNames,
          responseConsumer,
          hasClusterChanged,
          allowDefaultEmptyEdsUpdate);
    }
    DiscoveryRequest.Builder patched = request.v3Request().toBuilder();
    boolean changed = withNode(patched.hasNode(), context.get().node(), patched::setNode);
    Set<String> known = knownResourceNames;
    boolean clusterChanged = hasClusterChanged;
    if (request.hasErrorDetail() && context.get().rejectedVersion().isPresent()) {
      patched.setVersionInfo(context.get().rejectedVersion().get());
      // The rejected response did carry the requested names; treating them as unknown would make
      // the cache answer at once with the same resources.
      known = ImmutableSet.copyOf(request.getResourceNamesList());
      clusterChanged = false;
      changed = true;
    }
    return cache.createWatch(
        waitForAllNamed,
        changed ? XdsRequest.create(patched.build()) : request,
        known,
        responseConsumer,
        clusterChanged,
        allowDefaultEmptyEdsUpdate);
  }

  /**
   * In ADS mode the cache answers a request that names resources only once all of them exist. That
   * keeps EDS and RDS consistent with the clusters and listeners that name them, but for listeners
   * and clusters it would hide deletions from clients that subscribe by name (proxyless gRPC): in
   * state-of-the-world, a listener or cluster left out of the answer is deleted.
   */
  static boolean waitsForAllNamed(boolean ads, XdsRequest request) {
    return ads
        && request.getResourceType() != Resources.ResourceType.LISTENER
        && request.getResourceType() != Resources.ResourceType.CLUSTER;
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    DeltaXdsRequest effective = request;
    Optional<Context> context = contexts.take(request.v3Request());
    if (context.isPresent()) {
      DeltaDiscoveryRequest.Builder patched = request.v3Request().toBuilder();
      if (withNode(patched.hasNode(), context.get().node(), patched::setNode)) {
        effective = DeltaXdsRequest.create(patched.build());
      }
    }
    return cache.createDeltaWatch(
        effective,
        requesterVersion,
        resourceVersions,
        pendingResources,
        isWildcard,
        responseConsumer,
        hasClusterChanged);
  }

  private static boolean withNode(boolean hasNode, Node streamNode, Consumer<Node> setNode) {
    if (hasNode || streamNode.equals(Node.getDefaultInstance())) {
      return false;
    }
    setNode.accept(streamNode);
    return true;
  }
}
