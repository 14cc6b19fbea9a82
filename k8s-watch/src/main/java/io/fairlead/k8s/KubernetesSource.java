package io.fairlead.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeRefs;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.PodMetadata;
import io.fairlead.translators.Relevance;
import io.fairlead.translators.SourceUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services and EndpointSlices (discovery.k8s.io/v1) from the API server, through Fabric8 shared
 * informers: one pair for all namespaces, or one pair per listed namespace. The Pods, read for
 * their {@code fairlead.io/weight} only, are listed and watched as metadata ({@code
 * PartialObjectMetadata}, see {@link PodMetadataReflector}), and their cache ({@link
 * PodMetadataStore}) keeps only each Pod's namespace, name, resourceVersion and weight.
 *
 * <p>Informer events are only hints that an object changed: the event thread rereads the object
 * from the informer's store, so late or reordered notifications cannot bring back an old version.
 * Nothing is emitted until every informer has synced; the first state is then seeded from the
 * stores, which are complete at that point even if notifications are still queued.
 */
public final class KubernetesSource implements KubeSource {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);

  /** Key of the single informer when watching all namespaces. */
  private static final String ALL = "";

  private final KubernetesClient client;
  private final Optional<SortedSet<String>> namespaces;
  private final ExecutorService events;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean synced;
  private volatile boolean closed;
  private volatile Listener listener;
  private volatile Informers<Service> services;
  private volatile Informers<EndpointSlice> slices;
  private volatile PodReflectors pods;
  private final boolean podWeights;

  // confined to the event thread
  private final MutableKubeState state = new MutableKubeState();
  private final SourceGuard guard;
  private KubeState delivered = KubeState.EMPTY;
  private Change pending = Change.NONE;
  private volatile List<Diagnostic> holding = List.of();
  // set while the Pods watch lags the others (pods not listable yet: RBAC, a slow API server)
  private volatile Optional<Diagnostic> podsLagging = Optional.empty();
  private volatile Duration podSyncGrace = Duration.ofSeconds(10);
  private volatile Duration podWatchTimeout = Duration.ZERO;
  private volatile CompletableFuture<Void> podsSynced = CompletableFuture.completedFuture(null);

  // the watchdog: a tick handed to the event thread, which must run it within stallAfter
  private final java.util.concurrent.atomic.AtomicLong tickSentNanos =
      new java.util.concurrent.atomic.AtomicLong(-1);
  private volatile Duration stallAfter = Duration.ofSeconds(60);

  /**
   * @param namespaces the namespaces to watch, or empty for all of them
   */
  public KubernetesSource(KubernetesClient client, Optional<Set<String>> namespaces) {
    this(client, namespaces, SourceGuard.Settings.DEFAULT);
  }

  /**
   * @param guard what one change may withdraw before it is held back (an emptied cluster is)
   */
  public KubernetesSource(
      KubernetesClient client, Optional<Set<String>> namespaces, SourceGuard.Settings guard) {
    this(client, namespaces, guard, true);
  }

  /**
   * @param podWeights watch Pods for {@code fairlead.io/weight} (needs {@code list} and {@code
   *     watch} on pods); without it no endpoint has a weight
   */
  public KubernetesSource(
      KubernetesClient client,
      Optional<Set<String>> namespaces,
      SourceGuard.Settings guard,
      boolean podWeights) {
    this.podWeights = podWeights;
    this.guard = new SourceGuard(guard, "kubernetes");
    this.client = Objects.requireNonNull(client);
    namespaces.ifPresent(
        set -> {
          if (set.isEmpty()) {
            throw new IllegalArgumentException(
                "no namespaces listed; use Optional.empty() for all");
          }
          set.forEach(
              ns -> {
                if (ns == null || ns.isBlank()) {
                  throw new IllegalArgumentException("blank namespace name");
                }
              });
        });
    this.namespaces = namespaces.map(TreeSet::new);
    this.events =
        Executors.newSingleThreadExecutor(DaemonThreads.named("fairlead-kubernetes-source"));
  }

  @Override
  public void start(Listener listener) {
    Objects.requireNonNull(listener);
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    this.listener = listener;
    services =
        new Informers<>(
            ns ->
                ns.equals(ALL)
                    ? client.services().inAnyNamespace()
                    : client.services().inNamespace(ns),
            state::setService,
            state::serviceRefs);
    slices =
        new Informers<>(
            ns ->
                ns.equals(ALL)
                    ? client.discovery().v1().endpointSlices().inAnyNamespace()
                    : client.discovery().v1().endpointSlices().inNamespace(ns),
            state::setSlice,
            state::sliceRefs);
    if (podWeights) {
      pods = new PodReflectors();
    }
    List<CompletableFuture<Void>> syncs = new ArrayList<>();
    syncs.addAll(services.start());
    syncs.addAll(slices.start());
    if (pods != null) {
      podsSynced = CompletableFuture.allOf(pods.start().toArray(CompletableFuture[]::new));
    }
    // Services and EndpointSlices gate the first state. The Pods only add weights: when they
    // have not synced podSyncGrace after the others (a ClusterRole without pods, say), the
    // source serves without weights, says so, and adds them once the Pods watch syncs.
    CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new))
        .thenCompose(
            ok ->
                podsSynced
                    .thenApply(v -> true)
                    .completeOnTimeout(false, podSyncGrace.toMillis(), TimeUnit.MILLISECONDS))
        .whenComplete(
            (podsInTime, failure) -> {
              if (failure != null) {
                if (!closed) {
                  LOG.error("Kubernetes informers stopped before syncing", failure);
                }
                return;
              }
              submit(() -> onSynced(podsInTime));
            });
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  /**
   * A state held back by the guard. Problems reaching the API server are logged by the informers,
   * which keep retrying and keep their cache meanwhile.
   */
  @Override
  public List<Diagnostic> diagnostics() {
    return current();
  }

  /** What the guard holds back, and the Pods watch's lag. */
  private List<Diagnostic> current() {
    List<Diagnostic> held = holding;
    Optional<Diagnostic> lag = podsLagging;
    if (lag.isEmpty()) {
      return held;
    }
    List<Diagnostic> all = new ArrayList<>(held);
    all.add(lag.get());
    return List.copyOf(all);
  }

  /**
   * Degraded while the guard holds a state back. (An unreachable API server is not degraded: the
   * informers keep their cache and retry, and log each failure.) Stalled when the event thread has
   * not run the watchdog's tick within {@code stallAfter}: a listener that blocks, or a backlog it
   * cannot drain. The watchdog runs as health is read (by {@code /readyz} and the gauges), so a
   * source nobody asks about costs nothing.
   */
  @Override
  public Health health() {
    long now = System.nanoTime();
    boolean stalled = false;
    Optional<String> reason = Optional.empty();
    if (started.get() && !closed) {
      long sent = tickSentNanos.get();
      if (sent < 0) {
        if (tickSentNanos.compareAndSet(-1, now)) {
          submit(() -> tickSentNanos.set(-1));
        }
      } else if (now - sent > stallAfter.toNanos()) {
        stalled = true;
        reason =
            Optional.of(
                "the Kubernetes event thread has not made progress for "
                    + Duration.ofNanos(now - sent).toSeconds()
                    + " s");
      }
    }
    List<Diagnostic> held = current();
    boolean degraded = !held.isEmpty();
    if (reason.isEmpty() && degraded) {
      reason = Optional.of(held.get(0).message());
    }
    return degraded || stalled ? new Health(degraded, stalled, reason) : Health.OK;
  }

  /** The Pods as the reflectors' caches hold them; for tests. */
  List<Pod> cachedPods() {
    PodReflectors p = pods;
    return p == null
        ? List.of()
        : p.byNamespace.values().stream().flatMap(r -> r.cached().stream()).toList();
  }

  /** How long the Pods watch may lag the others before the source serves without it. */
  void podSyncGrace(Duration grace) {
    this.podSyncGrace = grace;
  }

  /** A fixed timeoutSeconds for the Pods' watches (else 5 to 10 min, random); for tests. */
  void podWatchTimeout(Duration timeout) {
    this.podWatchTimeout = timeout;
  }

  /** How long the event thread may take to run the watchdog's tick; for tests. */
  void stallAfter(Duration after) {
    this.stallAfter = after;
  }

  @Override
  public void close() {
    closed = true;
    if (services != null) {
      services.stop();
    }
    if (slices != null) {
      slices.stop();
    }
    if (pods != null) {
      pods.stop();
    }
    events.shutdown();
  }

  private void onSynced(boolean podsInTime) {
    services.seed();
    slices.seed();
    if (pods != null) {
      if (podsInTime) {
        pods.seed();
      } else {
        podsLagging =
            Optional.of(
                Diagnostic.warning(
                    Reason.SOURCE_HELD,
                    new Subject.Source("kubernetes", "pods"),
                    "the Pods watch has not synced "
                        + podSyncGrace.toSeconds()
                        + " s after the Services and EndpointSlices (can the ClusterRole list and"
                        + " watch pods? see serve --no-pod-weights); serving without"
                        + " fairlead.io/weight until it does"));
        LOG.warn("{}", podsLagging.get().message());
        podsSynced.thenRun(() -> submit(this::onPodsSynced));
      }
    }
    synced = true;
    emit(Change.FULL);
  }

  /** The Pods watch synced late: the weights join the state in one full change. */
  private void onPodsSynced() {
    if (closed) {
      return;
    }
    pods.seed();
    podsLagging = Optional.empty();
    LOG.info("the Pods watch has synced; Pod weights apply");
    emit(Change.FULL);
  }

  private void submit(Runnable task) {
    try {
      events.execute(task);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  private void emit(Change change) {
    if (closed || change.isEmpty()) {
      return;
    }
    KubeState snapshot = state.snapshot();
    Change merged = pending.merge(change);
    boolean admitted =
        change.full() || guard.admit(delivered, snapshot, merged.services(), System.nanoTime());
    List<Diagnostic> nowHolding = guard.holding().map(List::of).orElse(List.of());
    boolean newlyHeld = !nowHolding.equals(holding);
    holding = nowHolding;
    if (!admitted) {
      pending = merged;
      if (newlyHeld) {
        LOG.error("{}", nowHolding.get(0));
        deliver(delivered, Change.NONE); // the diagnostic travels with the state still served
      }
      return;
    }
    pending = Change.NONE;
    delivered = snapshot;
    deliver(snapshot, merged);
  }

  private void deliver(KubeState snapshot, Change change) {
    try {
      listener.onChange(new SourceUpdate(snapshot, change, current()));
    } catch (RuntimeException e) {
      LOG.error("listener failed on a Kubernetes change {}", change, e);
    }
  }

  /** The informers of one kind, by namespace, and how their objects update the state. */
  private final class Informers<T extends HasMetadata> {

    private final Map<String, SharedIndexInformer<T>> byNamespace = new TreeMap<>();
    private final BiFunction<ObjectRef, Optional<T>, Change> apply;
    private final Supplier<Set<ObjectRef>> known;

    Informers(
        Function<String, Informable<T>> scope,
        BiFunction<ObjectRef, Optional<T>, Change> apply,
        Supplier<Set<ObjectRef>> known) {
      this.apply = apply;
      this.known = known;
      for (String ns : namespaces.map(List::copyOf).orElse(List.of(ALL))) {
        SharedIndexInformer<T> informer = scope.apply(ns).runnableInformer(0);
        // keep retrying (with the informer's backoff) until closed: a control plane must not give
        // up
        informer.exceptionHandler((wasStarted, t) -> !closed);
        informer.addEventHandler(
            new ResourceEventHandler<T>() {
              @Override
              public void onAdd(T obj) {
                changed(obj);
              }

              @Override
              public void onUpdate(T old, T now) {
                if (!Relevance.sameResourceVersion(old, now)) { // resyncs repeat the same version
                  changed(now);
                }
              }

              @Override
              public void onDelete(T obj, boolean finalStateUnknown) {
                changed(obj);
              }
            });
        byNamespace.put(ns, informer);
      }
    }

    List<CompletableFuture<Void>> start() {
      return byNamespace.values().stream().map(i -> i.start().toCompletableFuture()).toList();
    }

    void stop() {
      byNamespace.values().forEach(SharedIndexInformer::stop);
    }

    private void changed(T obj) {
      ObjectRef ref = KubeRefs.of(obj);
      submit(
          () -> {
            Change change = apply.apply(ref, current(ref));
            if (synced) {
              emit(change);
            }
          });
    }

    /** The object as the informer's store has it now; empty once deleted. */
    private Optional<T> current(ObjectRef ref) {
      SharedIndexInformer<T> informer =
          byNamespace.get(namespaces.isPresent() ? ref.namespace() : ALL);
      return informer == null
          ? Optional.empty()
          : Optional.ofNullable(informer.getStore().getByKey(ref.namespace() + "/" + ref.name()));
    }

    /** Makes the state match the stores exactly; the stores are complete once synced. */
    void seed() {
      Set<ObjectRef> seen = new TreeSet<>();
      for (SharedIndexInformer<T> informer : byNamespace.values()) {
        for (T obj : informer.getStore().list()) {
          ObjectRef ref = KubeRefs.of(obj);
          seen.add(ref);
          apply.apply(ref, Optional.of(obj));
        }
      }
      for (ObjectRef ref : known.get()) {
        if (!seen.contains(ref)) {
          apply.apply(ref, Optional.empty());
        }
      }
    }
  }

  /**
   * The Pods' metadata-only reflectors, by namespace, feeding {@code state.setPod} the way the
   * informers feed the Services and EndpointSlices: a change is a hint, the event thread rereads
   * the Pod from the reflector's store.
   */
  private final class PodReflectors {

    private final Map<String, PodMetadataReflector> byNamespace = new TreeMap<>();

    PodReflectors() {
      for (String ns : namespaces.map(List::copyOf).orElse(List.of(ALL))) {
        PodMetadataReflector r =
            new PodMetadataReflector(
                client.getHttpClient(), client.getMasterUrl(), ns, this::changed);
        r.watchTimeoutSeconds((int) podWatchTimeout.toSeconds());
        byNamespace.put(ns, r);
      }
    }

    List<CompletableFuture<Void>> start() {
      return byNamespace.values().stream().map(PodMetadataReflector::start).toList();
    }

    void stop() {
      byNamespace.values().forEach(PodMetadataReflector::stop);
    }

    private void changed(ObjectRef ref) {
      submit(
          () -> {
            Change change = state.setPod(ref, current(ref));
            if (synced) {
              emit(change);
            }
          });
    }

    private Optional<Pod> current(ObjectRef ref) {
      PodMetadataReflector r = byNamespace.get(namespaces.isPresent() ? ref.namespace() : ALL);
      return r == null
          ? Optional.empty()
          : Optional.ofNullable(
              PodMetadataStore.restore(
                  r.store().metadata(PodMetadataStore.key(ref.namespace(), ref.name()))));
    }

    /** Makes the state's Pods match the stores exactly; the stores are complete once synced. */
    void seed() {
      Set<ObjectRef> seen = new TreeSet<>();
      for (PodMetadataReflector r : byNamespace.values()) {
        r.store()
            .keySet()
            .forEach(
                key -> {
                  PodMetadata m = r.store().metadata(key);
                  if (m != null) {
                    seen.add(m.ref());
                    state.setPod(m.ref(), Optional.of(PodMetadataStore.restore(m)));
                  }
                });
      }
      for (ObjectRef ref : state.podRefs()) {
        if (!seen.contains(ref)) {
          state.setPod(ref, Optional.empty());
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Kubernetes API at "
        + client.getMasterUrl()
        + namespaces
            .map(ns -> " (namespaces " + String.join(",", ns) + ")")
            .orElse(" (all namespaces)");
  }
}
