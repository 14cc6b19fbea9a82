package io.fairlead.xds;

import com.google.common.collect.Interner;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fairlead.translators.ProxyContext;
import io.grpc.stub.StreamObserver;
import java.util.function.Function;
import org.pcollections.PSet;

/**
 * The aggregated discovery service: state-of-the-world streams go to java-control-plane's server
 * (and its snapshot cache), delta streams to Fairlead's own {@link DeltaStream}s, fed per group by
 * {@link DeltaFeeds}. The library's delta server keeps, per stream and type, a map of every
 * resource's version and copies it on every ACK, and compares every resource of a changed type for
 * every stream on every publish; at a thousand proxies that is most of a change's cost and most of
 * a proxy's memory.
 */
final class AdsService extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {

  private final AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase sotw;
  private final DeltaFeeds feeds;
  private final DiscoveryServerCallbacks callbacks;
  private final Function<Node, ProxyContext> groups;
  private final XdsLimits limits;
  private final WireResources wire = new WireResources();
  private final Interner<PSet<String>> names = DeltaStream.interner();

  AdsService(
      AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase sotw,
      DeltaFeeds feeds,
      DiscoveryServerCallbacks callbacks,
      Function<Node, ProxyContext> groups,
      XdsLimits limits) {
    this.limits = limits;
    this.sotw = sotw;
    this.feeds = feeds;
    this.callbacks = callbacks;
    this.groups = groups;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
      StreamObserver<DiscoveryResponse> responses) {
    return sotw.streamAggregatedResources(responses);
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    return new DeltaStream(responses, feeds, callbacks, groups, wire, names, limits::resourceNames);
  }
}
