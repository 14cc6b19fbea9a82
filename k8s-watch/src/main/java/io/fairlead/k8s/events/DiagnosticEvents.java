package io.fairlead.k8s.events;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.KubeState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the current diagnostics into Kubernetes Events on the objects they concern (see {@link
 * EventPlanner} for which and how), written only while {@link #leading(boolean) leading}.
 *
 * <p>Nothing here can slow or break serving: {@link #report} only plans and queues, the writes run
 * on one thread of their own behind a bounded queue (a full queue drops the write and counts it),
 * and API errors are logged and counted, never thrown. A dropped or failed write is not marked
 * done, so the next {@link Settings#resyncEvery() resync} tries it again.
 *
 * <p>De-duplication: an Event written for a diagnostic is not written again while the diagnostic
 * stays, except to refresh it every {@link Settings#refreshAfter()} (which bumps its count and
 * keeps it from expiring, Events live an hour by default). A diagnostic that goes away and comes
 * back, or a new leader, finds the Event by its deterministic name and counts it up.
 */
public final class DiagnosticEvents implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DiagnosticEvents.class);

  /**
   * @param identity this replica, as {@code reportingInstance}
   * @param queueCapacity writes waiting at most; more are dropped until the next resync
   * @param refreshAfter how long a written Event is left alone while its diagnostic persists
   * @param resyncEvery how often the last report is planned again (retries and refreshes)
   */
  public record Settings(
      String identity, int queueCapacity, Duration refreshAfter, Duration resyncEvery) {

    public Settings {
      if (identity == null || identity.isBlank()) {
        throw new IllegalArgumentException("identity must not be blank");
      }
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be at least 1");
      }
      if (refreshAfter.isNegative()
          || refreshAfter.isZero()
          || resyncEvery.isNegative()
          || resyncEvery.isZero()) {
        throw new IllegalArgumentException("refreshAfter and resyncEvery must be positive");
      }
    }

    /** 256 queued writes, refresh after 30 minutes, resync every minute. */
    public static Settings of(String identity) {
      return new Settings(identity, 256, Duration.ofMinutes(30), Duration.ofMinutes(1));
    }
  }

  /**
   * @param created Events created
   * @param counted existing Events counted up (409 on create, then patched)
   * @param failed writes the API server refused or did not answer
   * @param dropped writes not queued because the queue was full
   */
  public record Stats(long created, long counted, long failed, long dropped) {}

  private record Report(List<Diagnostic> diagnostics, KubeState state) {}

  private final EventWriter writer;
  private final Settings settings;
  private final Clock clock;
  private final ThreadPoolExecutor writes;
  private final ScheduledExecutorService ticker;

  /** Event name to when it was last written, for Events of the current report only. */
  private final Map<String, Instant> written = new ConcurrentHashMap<>();

  /** Event names queued or being written, so a name is never queued twice. */
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  /** Witnessed Event name to when it was last queued. */
  private final Map<String, Instant> witnessedAt = new ConcurrentHashMap<>();

  private final AtomicLong created = new AtomicLong();
  private final AtomicLong counted = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean leading;
  private volatile boolean closed;
  private Report last = new Report(List.of(), KubeState.EMPTY); // guarded by this

  /** The list last reported, as handed over (guarded by this). */
  private List<Diagnostic> reported = List.of();

  /** How many times Events were planned from a report (tests). */
  private long plans; // guarded by this

  public DiagnosticEvents(KubernetesClient client, Settings settings, Clock clock) {
    this.writer = new EventWriter(client, settings.identity());
    this.settings = settings;
    this.clock = Objects.requireNonNull(clock);
    this.writes =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(settings.queueCapacity()),
            DaemonThreads.named("fairlead-events-writer"));
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("fairlead-events-ticker"));
    long resync = settings.resyncEvery().toMillis();
    ticker.scheduleWithFixedDelay(this::resync, resync, resync, TimeUnit.MILLISECONDS);
  }

  /**
   * Whether this replica may write. Becoming leader writes what the last report calls for; losing
   * it stops writing at once (a write already under way completes) and forgets what was written,
   * since another leader takes over from here.
   */
  public void leading(boolean now) {
    boolean was = leading;
    leading = now;
    if (now && !was) {
      LOG.info("leading: writing diagnostics as Events");
      submitTick(this::resync);
    } else if (!now && was) {
      LOG.info("not leading: no longer writing Events");
      written.clear();
    }
  }

  public boolean leading() {
    return leading;
  }

  /**
   * The diagnostics of the current translation and the state they came from. Returns at once, never
   * throws; call it after every publish.
   *
   * <p>The same list as last time (the publisher hands over the same instance when no diagnostic
   * changed, as on an endpoint change) is not planned at once: its Events were planned already, and
   * planning is O(diagnostics) per publish; the next resync plans it with the state given here.
   */
  public synchronized void report(List<Diagnostic> diagnostics, KubeState state) {
    boolean same = diagnostics == reported;
    reported = diagnostics;
    last = new Report(List.copyOf(diagnostics), state);
    if (leading && !closed && !same) {
      enqueue(plan(last));
    }
  }

  private List<PlannedEvent> plan(Report report) {
    plans++;
    return EventPlanner.plan(report.diagnostics(), report.state());
  }

  /** How many times Events were planned (reports and resyncs). */
  synchronized long plans() {
    return plans;
  }

  /**
   * An Event for something this replica witnessed itself (a refused xDS stream), written whether or
   * not it leads: only this replica saw it. The same Event at most once per refresh period; later
   * ones count it up. Returns at once, never throws.
   */
  public void witnessed(PlannedEvent event) {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    Instant at = witnessedAt.get(event.name());
    if (at != null && now.isBefore(at.plus(settings.refreshAfter()))) {
      return;
    }
    if (witnessedAt.size() > settings.queueCapacity()) {
      witnessedAt.clear(); // a bound, not a cache: at worst an Event is counted once more
    }
    witnessedAt.put(event.name(), now);
    if (!pending.add(event.name())) {
      return;
    }
    try {
      writes.execute(() -> write(event, true));
    } catch (RejectedExecutionException e) {
      pending.remove(event.name());
      dropped.incrementAndGet();
    }
  }

  /**
   * Every {@code every}, reads this replica's source health and, while it is degraded or stalled,
   * writes that as an Event on {@code self} (this replica's Pod), whether or not it leads.
   */
  public void watchSource(
      Supplier<io.fairlead.k8s.KubeSource.Health> health, EventTarget self, Duration every) {
    long period = every.toMillis();
    ticker.scheduleWithFixedDelay(
        () -> {
          try {
            EventPlanner.sourceHealth(self, health.get()).ifPresent(this::witnessed);
          } catch (RuntimeException e) {
            LOG.warn("reading the source's health for Events failed", e);
          }
        },
        period,
        period,
        TimeUnit.MILLISECONDS);
  }

  public Stats stats() {
    return new Stats(created.get(), counted.get(), failed.get(), dropped.get());
  }

  @Override
  public void close() {
    closed = true;
    ticker.shutdownNow();
    writes.shutdownNow();
    try {
      writes.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void resync() {
    if (leading && !closed) {
      enqueue(plan(last));
    }
  }

  private void enqueue(List<PlannedEvent> plan) {
    Set<String> names = new HashSet<>();
    plan.forEach(p -> names.add(p.name()));
    written.keySet().retainAll(names);
    Instant now = clock.instant();
    int droppedNow = 0;
    for (PlannedEvent p : plan) {
      Instant at = written.get(p.name());
      if (at != null && now.isBefore(at.plus(settings.refreshAfter()))) {
        continue;
      }
      if (!pending.add(p.name())) {
        continue;
      }
      try {
        writes.execute(() -> write(p, false));
      } catch (RejectedExecutionException e) {
        pending.remove(p.name());
        if (!closed) {
          dropped.incrementAndGet();
          droppedNow++;
        }
      }
    }
    if (droppedNow > 0) {
      LOG.warn("Event queue full: {} Events dropped, retried at the next resync", droppedNow);
    }
  }

  private void write(PlannedEvent p, boolean anyReplica) {
    try {
      if ((!leading && !anyReplica) || closed) {
        return;
      }
      Instant now = clock.instant();
      switch (writer.write(p, now)) {
        case CREATED -> {
          created.incrementAndGet();
          if (!anyReplica) {
            written.put(p.name(), now);
          }
        }
        case COUNTED -> {
          counted.incrementAndGet();
          if (!anyReplica) {
            written.put(p.name(), now);
          }
        }
        case GONE ->
            LOG.debug("Event {} expired while being counted; created next round", p.name());
      }
    } catch (RuntimeException e) {
      failed.incrementAndGet();
      LOG.warn(
          "cannot write Event {} on {} {}/{}: {}",
          p.name(),
          p.target().kind(),
          p.target().namespace(),
          p.target().name(),
          e.getMessage());
    } finally {
      pending.remove(p.name());
    }
  }

  private void submitTick(Runnable task) {
    try {
      ticker.execute(task);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }
}
