package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.GroupResources;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.xds.XdsResources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * GroupCache skips the delta watches of types whose version did not change; the responses must be
 * exactly those of the library's SimpleCache: the changed type answered with the changed resource,
 * the unchanged types not at all, whatever version a watch was opened at.
 */
class GroupCacheTest {

  private static final ProxyContext GROUP = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);

  @Test
  void answersTheSameDeltaWatchesAsTheLibrary() throws Exception {
    ResourceDigests digests = new ResourceDigests();
    XdsResources first = Fixtures.resources(5000);
    XdsResources second = Fixtures.resources(5001); // the endpoints' port changed
    HashedSnapshot before = HashedSnapshot.full(GroupResources.of(first), digests);
    HashedSnapshot after = HashedSnapshot.full(GroupResources.of(second), digests);
    assertThat(after.version(ResourceType.CLUSTER)).isEqualTo(before.version(ResourceType.CLUSTER));
    assertThat(after.version(ResourceType.ENDPOINT))
        .isNotEqualTo(before.version(ResourceType.ENDPOINT));

    List<String> library = responses(new SimpleCache<>(node -> GROUP), before, after);
    List<String> ours = responses(new GroupCache(node -> GROUP), before, after);

    assertThat(ours).isEqualTo(library);
    assertThat(ours)
        .as("the changed endpoints reach both watches of the type, nothing else is sent")
        .containsExactly(
            "ClusterLoadAssignment current " + Fixtures.CLUSTER,
            "ClusterLoadAssignment stale " + Fixtures.CLUSTER);
  }

  private static String typeUrl(ResourceType type) {
    return switch (type) {
      case CLUSTER -> Resources.V3.CLUSTER_TYPE_URL;
      case ENDPOINT -> Resources.V3.ENDPOINT_TYPE_URL;
      case LISTENER -> Resources.V3.LISTENER_TYPE_URL;
      case ROUTE -> Resources.V3.ROUTE_TYPE_URL;
      case SECRET -> Resources.V3.SECRET_TYPE_URL;
    };
  }

  /**
   * For each type: one watch opened at the snapshot's version, one at an older version that had
   * nothing to send. Then the next snapshot is set; returns what each watch was sent.
   */
  private static List<String> responses(
      SimpleCache<ProxyContext> cache, HashedSnapshot before, HashedSnapshot after) {
    cache.setSnapshot(GROUP, before);
    List<String> sent = new ArrayList<>();
    for (ResourceType type :
        List.of(
            ResourceType.CLUSTER,
            ResourceType.ENDPOINT,
            ResourceType.LISTENER,
            ResourceType.ROUTE)) {
      Map<String, String> tracked = new HashMap<>();
      before.versionedResources(type).forEach((name, r) -> tracked.put(name, r.version()));
      for (String at : List.of("current", "stale")) {
        String version = at.equals("current") ? before.version(type) : "stale";
        DeltaXdsRequest request =
            DeltaXdsRequest.create(
                DeltaDiscoveryRequest.newBuilder()
                    .setNode(Node.newBuilder().setId("n"))
                    .setTypeUrl(typeUrl(type))
                    .build());
        cache.createDeltaWatch(
            request,
            version,
            tracked,
            Set.of(),
            true,
            (DeltaResponse r) ->
                r.resources()
                    .keySet()
                    .forEach(
                        name ->
                            sent.add(
                                HashedSnapshot.shortType(request.getTypeUrl())
                                    + " "
                                    + at
                                    + " "
                                    + name)),
            false);
      }
    }
    assertThat(sent).as("nothing to send before the change").isEmpty();
    cache.setSnapshot(GROUP, after);
    return sent.stream().sorted().toList();
  }
}
