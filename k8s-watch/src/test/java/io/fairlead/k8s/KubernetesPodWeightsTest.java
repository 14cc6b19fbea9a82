package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.PodMetadata;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Pod informer (Fabric8's CRUD mock server): a Pod's {@code fairlead.io/weight} reaches the
 * state and, through the incremental translator, the endpoints' {@code load_balancing_weight}; the
 * informer's cache keeps only the Pods' metadata.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPodWeightsTest {

  private static final ObjectRef POD_1 = new ObjectRef("a", "web-1");

  KubernetesClient client;
  KubernetesMockServer server;
  private KubernetesSource source;

  @AfterEach
  void close() throws InterruptedException {
    if (source != null) {
      MockWatches.settle();
      source.close();
      MockWatches.awaitClosed(server);
    }
    client.close();
  }

  private static Pod pod(String name, String ip, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("a")
        .withName(name)
        .addToLabels("app", "web")
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("example/app:1")
        .withCommand(List.of("sleep", "1000000"))
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPodIP(ip)
        .withPhase("Running")
        .endStatus()
        .build();
  }

  private void createWorld() {
    PodWorld.createServiceAndSlice(client);
    client.resource(pod("web-1", "10.0.0.1", Map.of("fairlead.io/weight", "3"))).create();
    client.resource(pod("web-2", "10.0.0.2", Map.of())).create();
  }

  /** Writes (or, when empty, removes) a Pod's {@code fairlead.io/weight} in the API server. */
  private void setWeight(String pod, Optional<String> weight) {
    client
        .pods()
        .inNamespace("a")
        .withName(pod)
        .edit(
            p -> {
              PodBuilder b = new PodBuilder(p);
              weight.ifPresentOrElse(
                  w -> b.editMetadata().addToAnnotations("fairlead.io/weight", w).endMetadata(),
                  () -> b.editMetadata().removeFromAnnotations("fairlead.io/weight").endMetadata());
              return b.build();
            });
  }

  private static Map<String, Integer> weights(ClusterLoadAssignment cla) {
    Map<String, Integer> out = new TreeMap<>();
    cla.getEndpointsList()
        .forEach(
            l ->
                l.getLbEndpointsList()
                    .forEach(
                        e ->
                            out.put(
                                e.getEndpoint().getAddress().getSocketAddress().getAddress(),
                                e.hasLoadBalancingWeight()
                                    ? e.getLoadBalancingWeight().getValue()
                                    : 0)));
    return out;
  }

  @Test
  void aPodAnnotationChangeReachesEds() throws Exception {
    createWorld();
    source = new KubernetesSource(client, Optional.empty());
    Recorder recorder = new Recorder();
    IncrementalTranslator translator = new IncrementalTranslator();
    source.start(
        update -> {
          translator.update(update);
          recorder.onChange(update);
        });
    ProxyContext sidecar = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);

    Recorder.Call first = recorder.next();
    assertThat(first.state().pods()).containsOnlyKeys(POD_1); // only Pods with a weight
    // the informer's cache holds both Pods, reduced to their metadata
    assertThat(source.cachedPods()).hasSize(2);
    assertThat(source.cachedPods())
        .allSatisfy(
            p -> {
              assertThat(p.getSpec()).isNull();
              assertThat(p.getStatus()).isNull();
              assertThat(p.getMetadata().getLabels()).isNullOrEmpty();
            });
    assertThat(weights(translator.translate(sidecar).endpoints().get(0)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("10.0.0.1", 3, "10.0.0.2", 1));

    // the weight changes: the Change names the Pod, and EDS follows
    setWeight("web-1", Optional.of("5"));
    Recorder.Call changed = recorder.next();
    assertThat(changed.change().pods()).containsExactly(POD_1);
    assertThat(changed.change().services()).isEmpty();
    assertThat(weights(translator.translate(sidecar).endpoints().get(0)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("10.0.0.1", 5, "10.0.0.2", 1));

    // a change elsewhere in the Pod (a label) is no change at all
    client
        .pods()
        .inNamespace("a")
        .withName("web-2")
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("tier", "x").endMetadata().build());
    recorder.assertNothingWithin(Duration.ofMillis(700));

    // web-2 gains a weight, web-1 loses its own
    setWeight("web-2", Optional.of("2"));
    assertThat(recorder.next().change().pods()).containsExactly(new ObjectRef("a", "web-2"));
    setWeight("web-1", Optional.empty());
    Recorder.Call last = recorder.next();
    assertThat(last.change().pods()).containsExactly(POD_1);
    assertThat(last.state().pods()).containsOnlyKeys(new ObjectRef("a", "web-2"));
    assertThat(weights(translator.translate(sidecar).endpoints().get(0)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("10.0.0.1", 1, "10.0.0.2", 2));

    // a deleted Pod takes its weight with it
    client.pods().inNamespace("a").withName("web-2").delete();
    Recorder.Call deleted = recorder.next();
    assertThat(deleted.change().pods()).containsExactly(new ObjectRef("a", "web-2"));
    assertThat(deleted.state().pods()).isEmpty();
    assertThat(weights(translator.translate(sidecar).endpoints().get(0)).values()).containsOnly(0);
  }

  @Test
  void podsThatCannotBeListedDelayNothingAndJoinOnceTheyCan() throws Exception {
    // a ClusterRole without pods: the list is forbidden for a while (the informer backs off 100,
    // 200, 400... ms); Services and EndpointSlices are served meanwhile, without weights
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?resourceVersion=0")
        .andReturn(403, "pods is forbidden")
        .times(4);
    createWorld();
    source = new KubernetesSource(client, Optional.empty());
    source.podSyncGrace(Duration.ofMillis(200));
    Recorder recorder = new Recorder();
    source.start(recorder);

    Recorder.Call first = recorder.next();
    assertThat(first.state().services()).containsOnlyKeys(new ObjectRef("a", "web"));
    assertThat(first.state().pods()).isEmpty();
    assertThat(first.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo(io.fairlead.policies.Reason.SOURCE_HELD);
              assertThat(d.severity()).isEqualTo(io.fairlead.policies.Severity.WARNING);
              assertThat(d.message()).contains("Pods watch", "pods");
            });
    assertThat(source.health().degraded()).isTrue();

    // the list succeeds at last: the Pods arrive (as changes), then the synced informer's full
    // change clears the warning
    Recorder.Call late = recorder.next();
    while (!late.diagnostics().isEmpty()) {
      assertThat(late.change().full()).isFalse();
      late = recorder.next();
    }
    assertThat(late.change()).isEqualTo(io.fairlead.translators.Change.FULL);
    assertThat(late.state().pods()).containsOnlyKeys(POD_1);
    assertThat(late.diagnostics()).isEmpty();
    assertThat(source.health().degraded()).isFalse();
  }

  @Test
  void withoutPodWeightsNoPodIsWatched() throws Exception {
    createWorld();
    source = new KubernetesSource(client, Optional.empty(), SourceGuard.Settings.DEFAULT, false);
    Recorder recorder = new Recorder();
    source.start(recorder);
    assertThat(recorder.next().state().pods()).isEmpty();
  }

  @Test
  void theCacheKeepsOnlyTheMetadata() {
    PodMetadataStore store = new PodMetadataStore();
    Pod full = pod("web-1", "10.0.0.1", Map.of("fairlead.io/weight", "3", "other", "x"));
    full.getMetadata().setResourceVersion("42");
    String key = store.getKey(full);
    assertThat(key).isEqualTo("a/web-1");
    assertThat(store.put(key, full)).isNull();
    assertThat(store.metadata(key)).isEqualTo(new PodMetadata(POD_1, "42", Optional.of("3")));
    Pod kept = store.get(key);
    assertThat(kept.getSpec()).isNull();
    assertThat(kept.getStatus()).isNull();
    assertThat(kept.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(kept.getMetadata().getAnnotations())
        .containsExactly(Map.entry("fairlead.io/weight", "3"));
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(store.keySet()).containsExactly(key);
    assertThat(store.values()).hasSize(1);
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.remove(key).getMetadata().getName()).isEqualTo("web-1");
    assertThat(store.get(key)).isNull();
    assertThat(store.size()).isZero();
  }
}
