package io.fairlead.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.fairlead.k8s.events.DiagnosticEvents;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyRole;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Fairlead's metrics, all named {@code fairlead_*} in the Prometheus exposition. Every label value
 * comes from a closed set, so the number of series is bounded whatever the proxies send.
 */
public final class XdsMetrics {

  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  private final PrometheusMeterRegistry registry;
  private final Map<ProxyRole, Map<ClientKind, AtomicInteger>> streams =
      new EnumMap<>(ProxyRole.class);
  private final Map<Severity, AtomicInteger> diagnostics = new EnumMap<>(Severity.class);
  private final Map<Reason, AtomicInteger> byReason = new EnumMap<>(Reason.class);

  /**
   * What the function gauges and counters read. Micrometer holds those weakly: a bound method
   * reference handed in (source::health) would be collected, and the metric would read NaN.
   */
  private final List<Object> held = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final Counter pushes;
  private final Map<String, Counter> nacks = new HashMap<>();
  private final Timer ackLatency;
  private final Timer changeToAck;
  private final Timer translation;

  public XdsMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public XdsMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    for (ProxyRole role : ProxyRole.values()) {
      Map<ClientKind, AtomicInteger> byClient = new EnumMap<>(ClientKind.class);
      for (ClientKind client : ClientKind.values()) {
        AtomicInteger count = new AtomicInteger();
        Gauge.builder("fairlead.xds.connected.streams", count, AtomicInteger::get)
            .description("Open xDS streams whose node has been identified")
            .tags(Tags.of("role", role.label(), "client", client.label()))
            .register(registry);
        byClient.put(client, count);
      }
      streams.put(role, byClient);
    }
    for (Severity severity : Severity.values()) {
      AtomicInteger count = new AtomicInteger();
      Gauge.builder("fairlead.diagnostics", count, AtomicInteger::get)
          .description("Diagnostics of the last translation")
          .tags(Tags.of("severity", severity.label()))
          .register(registry);
      diagnostics.put(severity, count);
    }
    for (Reason reason : Reason.values()) {
      AtomicInteger count = new AtomicInteger();
      Gauge.builder("fairlead.diagnostics.by.reason", count, AtomicInteger::get)
          .description("Diagnostics of the last translation by reason code (errors and warnings)")
          .tags(Tags.of("reason", reason.eventReason()))
          .register(registry);
      byReason.put(reason, count);
    }
    pushes =
        Counter.builder("fairlead.xds.pushes")
            .description("xDS responses sent, SotW and delta")
            .register(registry);
    for (String type : typeLabels()) {
      nacks.put(
          type,
          Counter.builder("fairlead.xds.nacks")
              .description("xDS responses rejected by a proxy")
              .tags(Tags.of("type", type))
              .register(registry));
    }
    ackLatency =
        Timer.builder("fairlead.xds.ack.latency")
            .description("From sending a version to a proxy to its ACK")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    changeToAck =
        Timer.builder("fairlead.xds.change.to.ack")
            .description("From a source change to a proxy's ACK of the config that carries it")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    translation =
        Timer.builder("fairlead.translation")
            .description("Translation of the cluster state for one proxy group")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  void streamIdentified(ProxyRole role, ClientKind client) {
    streams.get(role).get(client).incrementAndGet();
  }

  void streamClosed(ProxyRole role, ClientKind client) {
    streams.get(role).get(client).decrementAndGet();
  }

  /** A stream refused or cut by an xDS limit ({@code rate}, {@code streams}, ...). */
  void limitHit(String limit) {
    io.micrometer.core.instrument.Counter.builder("fairlead.xds.limit.hits")
        .description("xDS streams refused or cut by a limit")
        .tag("limit", limit)
        .register(registry)
        .increment();
  }

  /** The node groups known now (each has a snapshot, or a proxy waiting for one). */
  void watchGroups(java.util.function.IntSupplier groups) {
    held.add(groups);
    Gauge.builder("fairlead.xds.groups", groups, g -> g.getAsInt())
        .description(
            "Node groups known: each has a snapshot or a connected proxy; groups without proxies are forgotten after a while")
        .register(registry);
  }

  /** A response for a client that does not read was replaced by, or merged into, a newer one. */
  void responseMerged() {
    io.micrometer.core.instrument.Counter.builder("fairlead.xds.responses.merged")
        .description(
            "responses for clients that do not read, merged into a newer one instead of queued")
        .register(registry)
        .increment();
  }

  void pushed() {
    pushes.increment();
  }

  void nacked(String typeUrl) {
    nacks.get(typeLabel(typeUrl)).increment();
  }

  void acked(Duration latency) {
    ackLatency.record(latency);
  }

  /**
   * Gauges of the source's health: 1 while degraded (holding its last good state), 1 while stalled.
   */
  public void watchSource(Supplier<io.fairlead.k8s.KubeSource.Health> health) {
    held.add(health);
    Gauge.builder("fairlead.source.degraded", health, h -> h.get().degraded() ? 1 : 0)
        .description("1 while the source holds back what it reads and serves its last good state")
        .register(registry);
    Gauge.builder("fairlead.source.stalled", health, h -> h.get().stalled() ? 1 : 0)
        .description("1 while the source has made no progress for far longer than it should")
        .register(registry);
  }

  /** Exports the Event writer's counters: created, counted up, failed and dropped writes. */
  public void watchEvents(Supplier<DiagnosticEvents.Stats> stats) {
    held.add(stats);
    FunctionCounter.builder("fairlead.events.written", stats, s -> s.get().created())
        .description("Kubernetes Events created for diagnostics (new Events)")
        .register(registry);
    FunctionCounter.builder("fairlead.events.counted", stats, s -> s.get().counted())
        .description(
            "Existing Events counted up (the same diagnostic after a restart or a change of leader)")
        .register(registry);
    FunctionCounter.builder("fairlead.events.failed", stats, s -> s.get().failed())
        .description("Event writes that failed")
        .register(registry);
    FunctionCounter.builder("fairlead.events.dropped", stats, s -> s.get().dropped())
        .description("Event writes dropped because the writer's queue was full")
        .register(registry);
  }

  void changeAcked(Duration latency) {
    changeToAck.record(latency);
  }

  <T> T timeTranslation(Supplier<T> work) {
    return translation.record(work);
  }

  void diagnostics(List<Diagnostic> current) {
    for (Severity severity : Severity.values()) {
      diagnostics
          .get(severity)
          .set((int) current.stream().filter(d -> d.severity() == severity).count());
    }
    for (Reason reason : Reason.values()) {
      byReason
          .get(reason)
          .set(
              (int)
                  current.stream()
                      .filter(d -> d.reason() == reason && d.severity() != Severity.INFO)
                      .count());
    }
  }

  /** {@code cluster}, {@code endpoint}, ... for the xDS types; {@code other} for anything else. */
  static String typeLabel(String typeUrl) {
    ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
    return type == null ? "other" : type.name().toLowerCase(Locale.ROOT);
  }

  private static List<String> typeLabels() {
    List<String> labels = new ArrayList<>();
    for (ResourceType type : ResourceType.values()) {
      labels.add(type.name().toLowerCase(Locale.ROOT));
    }
    labels.add("other");
    return labels;
  }
}
