package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeRefs;
import io.fairlead.translators.KubeState;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesSourceTest {

  private static final ObjectRef WEB = new ObjectRef("a", "web");
  private static final ObjectRef WEB_SLICE = new ObjectRef("a", "web-x1");

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
    // Drop the client's connections too, so the mock server can stop without waiting on a
    // retrying informer's request (it timed out under load otherwise).
    client.close();
  }

  private static Service service(String ns, String name, String lb) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .addToAnnotations("fairlead.io/lb", lb)
        .endMetadata()
        .withNewSpec()
        .addToSelector("app", name)
        .addNewPort()
        .withName("http")
        .withPort(80)
        .endPort()
        .endSpec()
        .build();
  }

  private static EndpointSlice slice(String ns, String name, String service, String... ips) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .addToLabels("kubernetes.io/service-name", service)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .endPort();
    for (String ip : ips) {
      b.addNewEndpoint()
          .withAddresses(ip)
          .withNewConditions()
          .withReady(true)
          .endConditions()
          .endEndpoint();
    }
    return b.build();
  }

  private Recorder start(Optional<Set<String>> namespaces) {
    return start(namespaces, SourceGuard.Settings.DEFAULT);
  }

  private Recorder start(Optional<Set<String>> namespaces, SourceGuard.Settings guard) {
    source = new KubernetesSource(client, namespaces, guard);
    Recorder recorder = new Recorder();
    source.start(recorder);
    return recorder;
  }

  @Test
  void theFirstStateIsFullAndComplete() throws Exception {
    client.resource(service("a", "web", "maglev")).create();
    client.resource(slice("a", "web-x1", "web", "10.0.0.1")).create();
    client.resource(service("b", "api", "random")).create();
    assertThat(new KubernetesSource(client, Optional.empty()).hasSynced()).isFalse();

    Recorder recorder = start(Optional.empty());
    Recorder.Call first = recorder.next();

    assertThat(first.change()).isEqualTo(Change.FULL);
    assertThat(first.state().services()).containsOnlyKeys(WEB, new ObjectRef("b", "api"));
    assertThat(first.state().endpointSlices()).containsOnlyKeys(WEB_SLICE);
    assertThat(source.hasSynced()).isTrue();
    assertThat(first.thread()).isEqualTo("fairlead-kubernetes-source");
    // the initial objects are part of the first state, not delivered again one by one
    recorder.assertNothingWithin(Duration.ofMillis(500));
  }

  @Test
  void nothingIsDeliveredUntilEveryInformerHasSynced() throws Exception {
    // the EndpointSlice list fails for a while (the client backs off 100, 200, 400... ms between
    // tries); a bounded number of failures leaves no retry running when the test ends
    server
        .expect()
        .get()
        .withPath("/apis/discovery.k8s.io/v1/endpointslices?resourceVersion=0")
        .andReturn(500, "unavailable")
        .times(5);
    client.resource(service("a", "web", "maglev")).create();

    Recorder recorder = start(Optional.empty());
    recorder.assertNothingWithin(Duration.ofMillis(700));
    assertThat(source.hasSynced()).isFalse();
    client.resource(slice("a", "web-x1", "web", "10.0.0.1")).create();

    Recorder.Call first = recorder.next();
    assertThat(first.change()).isEqualTo(Change.FULL);
    assertThat(first.state().services()).containsOnlyKeys(WEB);
    assertThat(first.state().endpointSlices()).containsOnlyKeys(WEB_SLICE);
    assertThat(source.hasSynced()).isTrue();
  }

  @Test
  void createsUpdatesAndDeletesArriveWithWhatChanged() throws Exception {
    // The last Service's deletion empties the source: allowed here (see deletingEveryService...).
    Recorder recorder =
        start(Optional.empty(), new SourceGuard.Settings(true, 50, Duration.ofSeconds(30)));
    assertThat(recorder.next().state().services()).isEmpty();

    client.resource(service("a", "web", "maglev")).create();
    assertThat(recorder.next().change()).isEqualTo(Change.ofService(WEB));

    client.resource(slice("a", "web-x1", "web", "10.0.0.1")).create();
    Recorder.Call sliced = recorder.next();
    assertThat(sliced.change()).isEqualTo(Change.ofEndpoints(Set.of(WEB)));
    assertThat(sliced.state().endpointSlices()).containsOnlyKeys(WEB_SLICE);

    client
        .services()
        .inNamespace("a")
        .withName("web")
        .edit(
            s ->
                new ServiceBuilder(s)
                    .editMetadata()
                    .addToAnnotations("fairlead.io/lb", "random")
                    .endMetadata()
                    .build());
    Recorder.Call annotated = recorder.next();
    assertThat(annotated.change()).isEqualTo(Change.ofService(WEB));
    assertThat(annotated.state().services().get(WEB).getMetadata().getAnnotations())
        .containsEntry("fairlead.io/lb", "random");

    // a label unrelated to endpoints: a new resourceVersion but nothing to translate
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace("a")
        .withName("web-x1")
        .edit(
            s ->
                new EndpointSliceBuilder(s)
                    .editMetadata()
                    .addToLabels("team", "x")
                    .endMetadata()
                    .build());
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace("a")
        .withName("web-x1")
        .edit(
            s ->
                new EndpointSliceBuilder(s)
                    .addNewEndpoint()
                    .withAddresses("10.0.0.2")
                    .endEndpoint()
                    .build());
    Recorder.Call scaled = recorder.next();
    assertThat(scaled.change()).isEqualTo(Change.ofEndpoints(Set.of(WEB)));
    assertThat(scaled.state().endpointSlices().get(WEB_SLICE).getEndpoints()).hasSize(2);
    assertThat(scaled.state().endpointSlices().get(WEB_SLICE).getMetadata().getLabels())
        .containsEntry("team", "x");

    client.discovery().v1().endpointSlices().inNamespace("a").withName("web-x1").delete();
    Recorder.Call unsliced = recorder.next();
    assertThat(unsliced.change()).isEqualTo(Change.ofEndpoints(Set.of(WEB)));
    assertThat(unsliced.state().endpointSlices()).isEmpty();

    client.services().inNamespace("a").withName("web").delete();
    Recorder.Call deleted = recorder.next();
    assertThat(deleted.change()).isEqualTo(Change.ofService(WEB));
    assertThat(deleted.state().services()).isEmpty();
    recorder.assertNothingWithin(Duration.ofMillis(300));
  }

  @Test
  void onlyTheListedNamespacesAreWatched() throws Exception {
    client.resource(service("a", "web", "maglev")).create();
    client.resource(service("c", "other", "maglev")).create();
    client.resource(slice("c", "other-x1", "other", "10.0.0.9")).create();

    Recorder recorder = start(Optional.of(Set.of("a", "b")));
    assertThat(recorder.next().state().services()).containsOnlyKeys(WEB);

    client.resource(service("c", "later", "maglev")).create();
    client.resource(slice("c", "later-x1", "later", "10.0.0.8")).create();
    client.resource(service("b", "api", "random")).create();
    Recorder.Call next = recorder.next();

    assertThat(next.change()).isEqualTo(Change.ofService(new ObjectRef("b", "api")));
    assertThat(next.state().services()).containsOnlyKeys(WEB, new ObjectRef("b", "api"));
    assertThat(next.state().endpointSlices()).isEmpty();
    recorder.assertNothingWithin(Duration.ofMillis(300));
  }

  @Test
  void aNewSourceAfterCloseSeesEverythingThatHappenedMeanwhile() throws Exception {
    client.resource(service("a", "web", "maglev")).create();
    client.resource(slice("a", "web-x1", "web", "10.0.0.1")).create();
    client.resource(service("a", "gone", "maglev")).create();
    Recorder first = start(Optional.empty());
    assertThat(first.next().state().services()).hasSize(2);
    MockWatches.settle();
    source.close();
    MockWatches.awaitClosed(server);

    // changes while nobody watches
    client.services().inNamespace("a").withName("gone").delete();
    client.resource(service("b", "api", "random")).create();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace("a")
        .withName("web-x1")
        .edit(
            s ->
                new EndpointSliceBuilder(s)
                    .addNewEndpoint()
                    .withAddresses("10.0.0.2")
                    .endEndpoint()
                    .build());
    first.assertNothingWithin(Duration.ofMillis(300));

    Recorder second = start(Optional.empty());
    KubeState state = second.next().state();

    assertThat(state.services()).containsOnlyKeys(WEB, new ObjectRef("b", "api"));
    assertThat(state.endpointSlices().get(WEB_SLICE).getEndpoints()).hasSize(2);
    assertThat(state).isEqualTo(fromApiServer());
  }

  /**
   * The watchdog: a listener that blocks keeps the event thread from running the watchdog's tick,
   * and the source says it is stalled (so {@code /readyz} fails) until the thread moves again.
   */
  @Test
  void aBlockedEventThreadIsReportedStalledUntilItMovesAgain() throws Exception {
    client.resource(service("a", "web", "maglev")).create();
    java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Recorder recorder = new Recorder();
    source = new KubernetesSource(client, Optional.empty());
    source.stallAfter(Duration.ofMillis(300));
    source.start(
        update -> {
          recorder.onChange(update);
          if (!update.change().full()) {
            blocked.countDown();
            try {
              release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    recorder.next();
    assertThat(source.health().stalled()).isFalse();

    client.resource(service("a", "api", "random")).create();
    assertThat(blocked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    KubeSource.Health health = awaitHealth(h -> h.stalled());
    assertThat(health.reason()).hasValueSatisfying(r -> assertThat(r).contains("event thread"));

    release.countDown();
    awaitHealth(h -> !h.stalled());
  }

  private KubeSource.Health awaitHealth(java.util.function.Predicate<KubeSource.Health> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    KubeSource.Health h = source.health();
    while (!wanted.test(h)) {
      assertThat(System.nanoTime()).as("health " + h + " within 10 s").isLessThan(deadline);
      Thread.sleep(50);
      h = source.health();
    }
    return h;
  }

  @Test
  void startingTwiceIsAMistake() throws Exception {
    Recorder recorder = start(Optional.empty());
    recorder.next();

    assertThatThrownBy(() -> source.start(recorder)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anEmptyNamespaceListIsRejected() {
    assertThatThrownBy(() -> new KubernetesSource(client, Optional.of(Set.of())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private KubeState fromApiServer() {
    Map<ObjectRef, Service> services = new TreeMap<>();
    client
        .services()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(s -> services.put(KubeRefs.of(s), s));
    Map<ObjectRef, EndpointSlice> slices = new TreeMap<>();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(s -> slices.put(KubeRefs.of(s), s));
    return new KubeState(new TreeMap<>(services), new TreeMap<>(slices));
  }

  /** Every Service deleted: the last good state is kept and the source says it is degraded. */
  @Test
  void deletingEveryServiceIsHeldBackAsAGlitch() throws Exception {
    client.resource(service("a", "web", "x")).create();
    client.resource(service("a", "api", "x")).create();
    Recorder recorder = start(Optional.empty());
    assertThat(recorder.next().state().services()).hasSize(2);

    client.resource(service("a", "api", "x")).delete();
    assertThat(recorder.next().state().services()).containsOnlyKeys(WEB);
    client.resource(service("a", "web", "x")).delete();
    Recorder.Call held = recorder.nextCall();
    assertThat(held.change().isEmpty()).isTrue();
    assertThat(held.state().services()).as("still served").containsOnlyKeys(WEB);
    assertThat(source.health().degraded()).isTrue();
    assertThat(source.diagnostics())
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains("reads no Service at all"));

    client.resource(service("a", "api", "x")).create();
    Recorder.Call back = recorder.next();
    assertThat(back.state().services()).containsOnlyKeys(new ObjectRef("a", "api"));
    assertThat(back.change().services()).contains(WEB, new ObjectRef("a", "api"));
    assertThat(source.health().degraded()).isFalse();
  }
}
