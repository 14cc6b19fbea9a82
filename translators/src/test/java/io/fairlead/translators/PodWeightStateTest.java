package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.xds.XdsTranslator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pods in the state: the index from a Pod to the slices naming it, the Change a weight makes, and
 * the incremental translator rebuilding only the Services whose endpoints are that Pod's.
 */
class PodWeightStateTest {

  static ObjectRef ref(String name) {
    return new ObjectRef("default", name);
  }

  static Service service(String name) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withClusterIP("10.96.0." + (Math.abs(name.hashCode()) % 200 + 1))
        .addNewPort()
        .withName("http")
        .withPort(80)
        .endPort()
        .endSpec()
        .build();
  }

  /** A slice of {@code service} with one endpoint per Pod, at 10.0.0.N for pod-N. */
  static EndpointSlice slice(String name, String service, String... pods) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName(name)
            .addToLabels(KubeLabels.SERVICE_NAME, service)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .endPort();
    for (String pod : pods) {
      b.addNewEndpoint()
          .withAddresses("10.0.0." + pod.substring(pod.indexOf('-') + 1))
          .withNewTargetRef()
          .withKind("Pod")
          .withName(pod)
          .endTargetRef()
          .endEndpoint();
    }
    return b.build();
  }

  static PodMetadata pod(String name, String weight) {
    return new PodMetadata(ref(name), "1", Optional.ofNullable(weight));
  }

  @Test
  void aPodIsIndexedUnderTheSlicesThatNameIt() {
    KubeState s =
        KubeState.EMPTY
            .withSlice(ref("web-a"), slice("web-a", "web", "pod-1", "pod-2"))
            .withSlice(ref("api-a"), slice("api-a", "api", "pod-2"));
    assertThat(s.slicesOfPod(ref("pod-1"))).containsExactly(ref("web-a"));
    assertThat(s.slicesOfPod(ref("pod-2"))).containsExactly(ref("api-a"), ref("web-a"));
    assertThat(s.servicesOfPods(Set.of(ref("pod-2")))).containsExactly(ref("api"), ref("web"));
    assertThat(s.servicesOfPods(Set.of(ref("pod-9")))).isEmpty();
    assertThat(s.indexConsistent()).isTrue();
    // a slice that no longer names a Pod leaves no entry behind
    s = s.withSlice(ref("web-a"), slice("web-a", "web", "pod-2"));
    assertThat(s.slicesOfPod(ref("pod-1"))).isEmpty();
    s = s.withoutSlice(ref("api-a")).withoutSlice(ref("web-a"));
    assertThat(s.slicesOfPod(ref("pod-2"))).isEmpty();
    assertThat(s.indexConsistent()).isTrue();
  }

  @Test
  void aTargetRefOfAnotherKindOrNamespaceIsNotThisNamespacesPod() {
    EndpointSlice other = slice("x", "web", "pod-1");
    other.getEndpoints().get(0).getTargetRef().setKind("Node");
    assertThat(KubeLabels.podsOf(other)).isEmpty();
    EndpointSlice elsewhere = slice("y", "web", "pod-1");
    elsewhere.getEndpoints().get(0).getTargetRef().setNamespace("shop");
    assertThat(KubeLabels.podsOf(elsewhere)).containsExactly(new ObjectRef("shop", "pod-1"));
  }

  @Test
  void theIndexStaysConsistentUnderRandomUpdates() {
    Random random = new Random(11);
    KubeState s = KubeState.EMPTY;
    for (int i = 0; i < 2_000; i++) {
      String name = "s-" + random.nextInt(20);
      if (random.nextInt(4) == 0) {
        s = s.withoutSlice(ref(name));
      } else {
        s =
            s.withSlice(
                ref(name),
                slice(
                    name,
                    "svc-" + random.nextInt(5),
                    "pod-" + random.nextInt(30),
                    "pod-" + random.nextInt(30)));
      }
      if (random.nextInt(3) == 0) {
        s = s.withPod(pod("pod-" + random.nextInt(30), String.valueOf(random.nextInt(5))));
      }
    }
    assertThat(s.indexConsistent()).isTrue();
  }

  @Test
  void onlyAWeightChangeIsAChange() {
    KubeState base = KubeState.of(List.of(service("web")), List.of(slice("w", "web", "pod-1")));
    KubeState none = base.withPod(pod("pod-1", null));
    KubeState three = base.withPod(pod("pod-1", "3"));
    KubeState threeAgain = base.withPod(new PodMetadata(ref("pod-1"), "7", Optional.of("3")));
    // a Pod without a weight, or gone, builds the same model as no Pod at all
    assertThat(Change.between(base, none).isEmpty()).isTrue();
    assertThat(Change.between(base, three).pods()).containsExactly(ref("pod-1"));
    assertThat(Change.between(three, none).pods()).containsExactly(ref("pod-1"));
    assertThat(Change.between(three, base).pods()).containsExactly(ref("pod-1"));
    assertThat(Change.between(three, threeAgain).isEmpty()).isTrue();
    assertThat(Change.ofPod(ref("pod-1")).merge(Change.NONE).pods()).containsExactly(ref("pod-1"));
    assertThat(Change.ofPod(ref("pod-1")).isEmpty()).isFalse();
  }

  @Test
  void aWeightChangeRebuildsOnlyTheServicesOfThePod() {
    KubeState s =
        KubeState.of(
            List.of(service("web"), service("api"), service("db")),
            List.of(
                slice("web-a", "web", "pod-1", "pod-2"),
                slice("api-a", "api", "pod-2"),
                slice("db-a", "db", "pod-3")),
            List.of(pod("pod-1", null), pod("pod-2", null), pod("pod-3", "2")));
    IncrementalTranslator t = new IncrementalTranslator();
    t.update(s, Change.FULL);
    ProxyContext ctx = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);
    var before = t.translate(ctx);

    KubeState after = s.withPod(pod("pod-2", "4"));
    Change change = Change.between(s, after);
    assertThat(change.pods()).containsExactly(ref("pod-2"));
    assertThat(change.services()).isEmpty();
    assertThat(change.endpointsOf()).isEmpty();
    t.update(after, change);
    var now = t.translate(ctx);

    // equal to a full translation of the new state
    assertThat(now.endpoints())
        .isEqualTo(
            XdsTranslator.translate(KubeModelBuilder.build(after), ctx, TranslationSettings.DEFAULT)
                .endpoints());
    // the db Service, which pod-2 is not part of, kept its memoised resources
    assertThat(now.endpoints().get(1)).isSameAs(before.endpoints().get(1));
    assertThat(now.endpoints().get(0)).isNotEqualTo(before.endpoints().get(0));
    Map<String, List<Integer>> weights = new java.util.TreeMap<>();
    now.endpoints()
        .forEach(
            cla ->
                weights.put(
                    cla.getClusterName(),
                    cla.getEndpoints(0).getLbEndpointsList().stream()
                        .map(e -> e.getLoadBalancingWeight().getValue())
                        .toList()));
    assertThat(weights)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "default/api:80", List.of(4),
                "default/db:80", List.of(2),
                "default/web:80", List.of(1, 4)));
  }

  @Test
  void theModelCarriesTheWeightOfEachEndpoint() {
    KubeState s =
        KubeState.of(
            List.of(service("web")),
            List.of(slice("web-a", "web", "pod-1", "pod-2")),
            List.of(pod("pod-1", "7")));
    List<EndpointEntry> eps =
        KubeModelBuilder.build(s).services().get(0).ports().get(0).endpoints();
    assertThat(eps)
        .extracting(EndpointEntry::weight)
        .containsExactly(Optional.of(7), Optional.empty());
    assertThat(eps).extracting(EndpointEntry::effectiveWeight).containsExactly(7, 1);
  }
}
