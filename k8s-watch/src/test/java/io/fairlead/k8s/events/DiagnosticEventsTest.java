package io.fairlead.k8s.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.KubeState;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class DiagnosticEventsTest {

  private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
  private static final Diagnostic BAD_LB =
      Diagnostic.error(
          Reason.INVALID_VALUE,
          Subject.of(ObjectRef.parse("a/web"), "fairlead.io/lb-policy"),
          "'fastest' is not an lb-policy; using the default");
  private static final Diagnostic BAD_RETRIES =
      Diagnostic.error(
          Reason.INVALID_VALUE,
          Subject.of(ObjectRef.parse("a/web"), "fairlead.io/retries"),
          "attempts: '0' is out of range; using the default");

  KubernetesClient client;
  KubernetesMockServer server;
  private final MutableClock clock = new MutableClock(START);
  private final List<DiagnosticEvents> opened = new ArrayList<>();
  private Service web;
  private KubeState state;

  @BeforeEach
  void createService() {
    web =
        client
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withNamespace("a")
                    .withName("web")
                    .withUid("uid-web")
                    .addToAnnotations("fairlead.io/lb-policy", "fastest")
                    .endMetadata()
                    .withNewSpec()
                    .addNewPort()
                    .withName("http")
                    .withPort(80)
                    .endPort()
                    .endSpec()
                    .build())
            .create();
    state = KubeState.of(List.of(web), List.of());
  }

  @AfterEach
  void close() {
    opened.forEach(DiagnosticEvents::close);
  }

  private DiagnosticEvents events(KubernetesClient c, String identity, int capacity) {
    return events(c, identity, capacity, Duration.ofMillis(200));
  }

  private DiagnosticEvents events(
      KubernetesClient c, String identity, int capacity, Duration resync) {
    DiagnosticEvents events =
        new DiagnosticEvents(
            c,
            new DiagnosticEvents.Settings(identity, capacity, Duration.ofMinutes(30), resync),
            clock);
    opened.add(events);
    return events;
  }

  private DiagnosticEvents leader() {
    DiagnosticEvents events = events(client, "fairlead-0", 64);
    events.leading(true);
    return events;
  }

  private List<Event> eventsIn(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  @Test
  void anInvalidAnnotationBecomesAWarningEventOnTheService() throws Exception {
    DiagnosticEvents events = leader();

    events.report(List.of(BAD_LB), state);

    Poll.until("one Event", () -> events.stats().created() == 1);
    assertThat(eventsIn("a")).hasSize(1);
    Event e = eventsIn("a").get(0);
    assertThat(e.getInvolvedObject().getKind()).isEqualTo("Service");
    assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("v1");
    assertThat(e.getInvolvedObject().getNamespace()).isEqualTo("a");
    assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
    assertThat(e.getInvolvedObject().getUid()).isEqualTo(web.getMetadata().getUid()).isNotBlank();
    assertThat(e.getType()).isEqualTo("Warning");
    assertThat(e.getReason()).isEqualTo("InvalidAnnotation");
    assertThat(e.getMessage())
        .isEqualTo("fairlead.io/lb-policy: 'fastest' is not an lb-policy; using the default");
    assertThat(e.getReportingComponent()).isEqualTo("fairlead");
    assertThat(e.getReportingInstance()).isEqualTo("fairlead-0");
    assertThat(e.getSource().getComponent()).isEqualTo("fairlead");
    assertThat(e.getCount()).isEqualTo(1);
    assertThat(e.getFirstTimestamp()).isEqualTo("2025-03-01T10:00:00Z");
    assertThat(e.getLastTimestamp()).isEqualTo("2025-03-01T10:00:00Z");
    assertThat(e.getMetadata().getName())
        .isEqualTo(EventPlanner.plan(List.of(BAD_LB), state).get(0).name());
    assertThat(events.stats()).isEqualTo(new DiagnosticEvents.Stats(1, 0, 0, 0));
  }

  @Test
  void theSameDiagnosticTwiceMakesOneEvent() throws Exception {
    DiagnosticEvents events = leader();
    events.report(List.of(BAD_LB), state);
    Poll.until("first Event", () -> events.stats().created() == 1);

    events.report(List.of(BAD_LB), state);
    events.report(
        List.of(BAD_LB, BAD_RETRIES),
        state); // writes run in order: once this one is there, BAD_LB had its turn
    Poll.until("second Event", () -> events.stats().created() == 2);

    assertThat(eventsIn("a")).hasSize(2).extracting(Event::getCount).containsOnly(1);
    assertThat(events.stats()).isEqualTo(new DiagnosticEvents.Stats(2, 0, 0, 0));
  }

  @Test
  void aRestartedReplicaCountsTheEventUpInsteadOfDuplicatingIt() throws Exception {
    DiagnosticEvents first = leader();
    first.report(List.of(BAD_LB), state);
    Poll.until("first Event", () -> first.stats().created() == 1);
    first.close();

    clock.advance(Duration.ofSeconds(5));
    DiagnosticEvents second = leader();
    second.report(List.of(BAD_LB), state);

    Poll.until("counted up", () -> second.stats().counted() == 1);
    assertThat(eventsIn("a"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(2);
              assertThat(e.getFirstTimestamp()).isEqualTo("2025-03-01T10:00:00Z");
              assertThat(e.getLastTimestamp()).isEqualTo("2025-03-01T10:00:05Z");
            });
  }

  @Test
  void theSameListReportedAgainIsNotPlannedAgainUntilTheResync() throws Exception {
    DiagnosticEvents events = events(client, "fairlead-0", 64, Duration.ofMinutes(10));
    events.leading(true);
    List<Diagnostic> diagnostics = List.of(BAD_LB);
    events.report(diagnostics, state);
    Poll.until("first Event", () -> events.stats().created() == 1);
    // planned twice: by the report and by the resync that leading starts (in either order)
    Poll.until("planned by the report and the leadership resync", () -> events.plans() == 2);
    long planned = events.plans();

    // every publish reports: an endpoint change hands over the same list, planned already
    for (int i = 0; i < 5; i++) {
      events.report(diagnostics, state);
    }
    assertThat(events.plans()).isEqualTo(planned);

    events.report(List.of(BAD_LB), state); // another list (equal or not): planned at once
    assertThat(events.plans()).isEqualTo(planned + 1);
    assertThat(events.stats().created()).isEqualTo(1);
    assertThat(eventsIn("a")).hasSize(1);
  }

  @Test
  void aPersistingDiagnosticIsRefreshedAfterTheRefreshPeriod() throws Exception {
    DiagnosticEvents events = leader();
    events.report(List.of(BAD_LB), state);
    Poll.until("first Event", () -> events.stats().created() == 1);

    clock.advance(Duration.ofMinutes(31));

    Poll.until("refreshed by a resync", () -> events.stats().counted() == 1);
    assertThat(eventsIn("a"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(2);
              assertThat(e.getLastTimestamp()).isEqualTo("2025-03-01T10:31:00Z");
            });
  }

  @Test
  void aRefusedIdentityIsAnEventOnItsServiceAccountFromAnyReplica() throws Exception {
    DiagnosticEvents events = events(client, "fairlead-1", 64); // not leading
    String why =
        "node metadata says namespace 'payments' but the client certificate is of namespace 'shop'";

    events.witnessed(EventPlanner.identityRefused("shop", "cart", why));
    events.witnessed(EventPlanner.identityRefused("shop", "cart", why));

    Poll.until("one Event", () -> events.stats().created() == 1);
    Thread.sleep(300);
    assertThat(eventsIn("shop"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("ServiceAccount");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("cart");
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("IdentityRefused");
              assertThat(e.getMessage()).isEqualTo(why);
              assertThat(e.getReportingInstance()).isEqualTo("fairlead-1");
              assertThat(e.getCount()).isEqualTo(1);
            });
    assertThat(events.stats()).isEqualTo(new DiagnosticEvents.Stats(1, 0, 0, 0));
  }

  /**
   * A replica whose source holds back what it reads says so on its own Pod, leading or not, as long
   * as it lasts (once per refresh period); a healthy source writes nothing.
   */
  @Test
  void aDegradedSourceIsAnEventOnTheReplicasPod() throws Exception {
    DiagnosticEvents events = events(client, "fairlead-1", 64); // not leading
    java.util.concurrent.atomic.AtomicReference<io.fairlead.k8s.KubeSource.Health> health =
        new java.util.concurrent.atomic.AtomicReference<>(io.fairlead.k8s.KubeSource.Health.OK);
    EventTarget pod =
        new EventTarget("Pod", "v1", "fairlead-system", "fairlead-1", java.util.Optional.empty());
    events.watchSource(health::get, pod, Duration.ofMillis(50));
    Thread.sleep(300);
    assertThat(eventsIn("fairlead-system")).as("healthy: nothing").isEmpty();

    health.set(
        new io.fairlead.k8s.KubeSource.Health(
            true, false, java.util.Optional.of("kubernetes source: reads no Service at all")));
    Poll.until("one Event", () -> events.stats().created() == 1);
    Thread.sleep(300);
    assertThat(eventsIn("fairlead-system"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("fairlead-1");
              assertThat(e.getReason()).isEqualTo("SourceDegraded");
              assertThat(e.getMessage()).isEqualTo("kubernetes source: reads no Service at all");
              assertThat(e.getCount()).as("once per refresh period").isEqualTo(1);
            });

    health.set(
        new io.fairlead.k8s.KubeSource.Health(
            false, true, java.util.Optional.of("no scan completed for 40 s")));
    Poll.until("a second Event", () -> events.stats().created() == 2);
    assertThat(eventsIn("fairlead-system"))
        .extracting(Event::getReason)
        .containsExactlyInAnyOrder("SourceDegraded", "SourceStalled");
  }

  @Test
  void nothingIsWrittenUntilLeading() throws Exception {
    DiagnosticEvents events = events(client, "fairlead-1", 64);
    events.report(List.of(BAD_LB), state);
    Thread.sleep(600); // three resyncs
    assertThat(eventsIn("a")).isEmpty();

    events.leading(true);

    Poll.until("written once leading", () -> eventsIn("a").size() == 1);
  }

  @Test
  void diagnosticsOfObjectsOutsideTheStateWriteNothing() throws Exception {
    DiagnosticEvents events = leader();

    events.report(
        List.of(
            Diagnostic.error(Reason.UNREADABLE_FILE, new Subject.File("/srv/web.yaml"), "broken"),
            Diagnostic.error(
                Reason.INVALID_VALUE,
                Subject.of(ObjectRef.parse("a/gone"), "fairlead.io/lb-policy"),
                "bad"),
            BAD_LB),
        state);

    Poll.until("the Service's Event", () -> events.stats().created() == 1);
    assertThat(eventsIn("a"))
        .extracting(e -> e.getInvolvedObject().getName())
        .containsExactly("web");
  }

  @Test
  void anApiErrorIsCountedNotThrownAndRetriedAtTheNextResync() throws Exception {
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/a/events")
        .andReturn(500, "etcd is on fire")
        .once();
    // Fabric8 retries 5xx answers by itself; without that the first write fails outright
    KubernetesClient noRetries =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    DiagnosticEvents events = events(noRetries, "fairlead-0", 64);
    events.leading(true);

    events.report(List.of(BAD_LB), state);

    Poll.until("a failure", () -> events.stats().failed() == 1);
    Poll.until("written on retry", () -> events.stats().created() == 1);
    assertThat(eventsIn("a")).hasSize(1);
    assertThat(events.stats()).isEqualTo(new DiagnosticEvents.Stats(1, 0, 1, 0));
  }

  @Test
  void aHangingApiServerNeitherBlocksReportsNorThrows() throws Exception {
    // accepts connections (the kernel does) but never answers
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        KubernetesClient hung =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:" + silent.getLocalPort())
                        .withRequestTimeout(30_000)
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build()) {
      DiagnosticEvents events = events(hung, "fairlead-0", 1, Duration.ofHours(1));
      List<Diagnostic> many =
          IntStream.range(0, 5)
              .mapToObj(
                  i ->
                      Diagnostic.error(
                          Reason.INVALID_VALUE,
                          Subject.of(ObjectRef.parse("a/web"), "fairlead.io/retries"),
                          "bad " + i))
              .toList();
      events.report(many, state);
      events.leading(true); // plans the last report on the ticker thread
      // one write hangs on the writer thread, one waits in the queue, three are dropped
      Poll.until("the queue full", () -> events.stats().dropped() == 3);

      long start = System.nanoTime();
      events.report(new java.util.ArrayList<>(many), state); // a new list: planned at once
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isLessThan(Duration.ofSeconds(1));
      // the first two are still pending and not queued again; the other three are dropped again
      assertThat(events.stats()).isEqualTo(new DiagnosticEvents.Stats(0, 0, 0, 6));
    }
  }
}
