package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a client that does not read gets when it reads again: the newest of each type. */
class LatestResponsesTest {

  private static DeltaDiscoveryResponse delta(
      String nonce, List<String> added, List<String> removed) {
    DeltaDiscoveryResponse.Builder b =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .setNonce(nonce)
            .setSystemVersionInfo(nonce);
    added.forEach(n -> b.addResources(Resource.newBuilder().setName(n).setVersion(nonce)));
    b.addAllRemovedResources(removed);
    return b.build();
  }

  @Test
  void deltaResponsesMergeByNameWithTheNewerWinning() {
    LatestResponses held = new LatestResponses();
    held.hold(delta("1", List.of("a", "b"), List.of("x")));
    held.hold(delta("2", List.of("b", "x"), List.of("a", "y")));
    held.hold(delta("3", List.of("c"), List.of()));

    List<Object> out = held.drain();
    assertThat(out)
        .singleElement()
        .isInstanceOfSatisfying(
            DeltaDiscoveryResponse.class,
            r -> {
              assertThat(r.getNonce()).isEqualTo("3");
              assertThat(r.getSystemVersionInfo()).isEqualTo("3");
              assertThat(r.getResourcesList())
                  .extracting(Resource::getName, Resource::getVersion)
                  .containsExactly(
                      org.assertj.core.groups.Tuple.tuple("b", "2"),
                      org.assertj.core.groups.Tuple.tuple("x", "2"),
                      org.assertj.core.groups.Tuple.tuple("c", "3"));
              assertThat(r.getRemovedResourcesList())
                  .as("a was added then removed; x removed then added")
                  .containsExactly("a", "y");
            });
    assertThat(held.merged()).isEqualTo(2);
    assertThat(held.isEmpty()).isTrue();
  }

  @Test
  void stateOfTheWorldIsReplacedPerTypeAndTypesKeepTheirFirstOrder() {
    LatestResponses held = new LatestResponses();
    held.hold(
        DiscoveryResponse.newBuilder()
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .setVersionInfo("1")
            .build());
    held.hold(
        DiscoveryResponse.newBuilder()
            .setTypeUrl(Resources.V3.ENDPOINT_TYPE_URL)
            .setVersionInfo("1")
            .build());
    held.hold(
        DiscoveryResponse.newBuilder()
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .setVersionInfo("2")
            .build());
    held.hold(delta("d", List.of("a"), List.of()));

    assertThat(held.drain())
        .extracting(
            m ->
                m.getClass().getSimpleName()
                    + " "
                    + (m instanceof DiscoveryResponse r
                        ? r.getTypeUrl() + " " + r.getVersionInfo()
                        : "delta"))
        .containsExactly(
            "DiscoveryResponse " + Resources.V3.CLUSTER_TYPE_URL + " 2",
            "DiscoveryResponse " + Resources.V3.ENDPOINT_TYPE_URL + " 1",
            "DeltaDiscoveryResponse delta");
  }
}
