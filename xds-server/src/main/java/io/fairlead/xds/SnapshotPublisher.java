package io.fairlead.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.SnapshotConsistencyException;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.GroupResources;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.xds.XdsResources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates the current state for every node group and sets the result in the snapshot cache.
 *
 * <p>Nothing is set before the first {@link #publish()}: proxies that connect earlier wait rather
 * than receive an empty world. A group whose translation fails or whose snapshot is inconsistent
 * keeps its last good snapshot. A group whose content did not change is not touched, so its proxies
 * get no push.
 */
public final class SnapshotPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);
  private static final Comparator<ProxyContext> GROUP_ORDER =
      Comparator.comparing(NodeGroups::label).thenComparing(ProxyContext::toString);

  private enum Outcome {
    UPDATED,
    UNCHANGED,
    FAILED
  }

  private final SimpleCache<ProxyContext> cache;

  /** A view of one state per call: every group of a publish is translated from the same one. */
  private final Supplier<Function<ProxyContext, GroupResources>> views;

  private final XdsMetrics metrics;
  private final ResourceDigests digests = new ResourceDigests();
  private final Set<ProxyContext> seen = new HashSet<>();
  private final Map<ProxyContext, List<Diagnostic>> diagnosticsByGroup = new HashMap<>();
  private final Map<ProxyContext, PublishedGroup> published = new ConcurrentHashMap<>();
  private volatile List<Diagnostic> diagnostics = List.of();

  /** What {@link #diagnostics} was merged from: the state's list and each group's list. */
  private List<Diagnostic> mergedState = List.of();

  private final Map<ProxyContext, List<Diagnostic>> mergedGroups = new HashMap<>();
  private final List<java.util.function.Consumer<List<Diagnostic>>> diagnosticsListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean ready;
  private final ChangeTimes changeTimes;
  private final Clock clock;
  private final Supplier<List<Diagnostic>> stateDiagnostics;

  /** How long a group without a connected proxy is kept before it is forgotten. */
  public static final Duration COLLECT_AFTER = Duration.ofMinutes(2);

  /** Groups with no open stream, and since when. */
  private final Map<ProxyContext, Instant> idleSince = new HashMap<>();

  private final Map<ProxyContext, Integer> openStreams = new HashMap<>();
  private final List<java.util.function.Consumer<ProxyContext>> forgetListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private Duration collectAfter = COLLECT_AFTER;

  /** The earliest source change the publish under way carries. */
  private Optional<Instant> publishing = Optional.empty();

  /**
   * @param translate the resources a group gets from the current state; it is called for many
   *     groups in a row and should read one consistent view of the state
   */
  public SnapshotPublisher(
      SimpleCache<ProxyContext> cache,
      Function<ProxyContext, XdsResources> translate,
      XdsMetrics metrics) {
    this(cache, translate, List::of, metrics, new ChangeTimes(), Clock.systemUTC());
  }

  /**
   * @param stateDiagnostics diagnostics of the state itself, reported even when no proxy is
   *     connected and so no group is translated
   */
  SnapshotPublisher(
      SimpleCache<ProxyContext> cache,
      Function<ProxyContext, XdsResources> translate,
      Supplier<List<Diagnostic>> stateDiagnostics,
      XdsMetrics metrics,
      ChangeTimes changeTimes,
      Clock clock) {
    this(cache, stateDiagnostics, metrics, changeTimes, clock, () -> full(translate));
  }

  /** Resources translated in full each time: the publisher takes them whole. */
  private static Function<ProxyContext, GroupResources> full(
      Function<ProxyContext, XdsResources> translate) {
    return ctx -> GroupResources.of(translate.apply(ctx));
  }

  /**
   * @param views a view of the current state each time it is called, from which the resources of
   *     any group are translated: one publish translates all its groups from one view
   */
  static SnapshotPublisher ofViews(
      SimpleCache<ProxyContext> cache,
      Supplier<Function<ProxyContext, XdsResources>> views,
      Supplier<List<Diagnostic>> stateDiagnostics,
      XdsMetrics metrics,
      ChangeTimes changeTimes,
      Clock clock) {
    return new SnapshotPublisher(
        cache, stateDiagnostics, metrics, changeTimes, clock, () -> full(views.get()));
  }

  /**
   * @param views a view of the current state each time it is called, giving each group's resources
   *     with what changed since its previous ones ({@link IncrementalTranslator#groupView()}): a
   *     publish then digests, hashes and checks only the changed names
   */
  static SnapshotPublisher ofGroupViews(
      SimpleCache<ProxyContext> cache,
      Supplier<Function<ProxyContext, GroupResources>> views,
      Supplier<List<Diagnostic>> stateDiagnostics,
      XdsMetrics metrics,
      ChangeTimes changeTimes,
      Clock clock) {
    return new SnapshotPublisher(cache, stateDiagnostics, metrics, changeTimes, clock, views);
  }

  /**
   * A publisher wired to an incremental translator as {@code fairlead serve} wires it (each publish
   * from one view of the state, forgotten groups dropped from the translator's memos), with its own
   * metrics and the system clock: for benchmarks and tests that drive {@link #publish()} by hand.
   */
  public static SnapshotPublisher forTranslator(
      SimpleCache<ProxyContext> cache, IncrementalTranslator translator) {
    SnapshotPublisher publisher =
        ofGroupViews(
            cache,
            translator::groupView,
            translator::diagnostics,
            new XdsMetrics(),
            new ChangeTimes(),
            Clock.systemUTC());
    publisher.onForget(translator::forget);
    return publisher;
  }

  private SnapshotPublisher(
      SimpleCache<ProxyContext> cache,
      Supplier<List<Diagnostic>> stateDiagnostics,
      XdsMetrics metrics,
      ChangeTimes changeTimes,
      Clock clock,
      Supplier<Function<ProxyContext, GroupResources>> views) {
    this.cache = cache;
    this.stateDiagnostics = stateDiagnostics;
    this.views = views;
    this.metrics = metrics;
    this.changeTimes = changeTimes;
    this.clock = clock;
  }

  public SimpleCache<ProxyContext> cache() {
    return cache;
  }

  /** True once the first publish has run: from then on every known group has a snapshot. */
  public boolean ready() {
    return ready;
  }

  /** Re-translates every group the cache or the callbacks know of. */
  public synchronized PublishResult publish() {
    collect();
    digests.nextRound();
    publishing = changeTimes.takePending();
    Set<ProxyContext> groups = new HashSet<>(seen);
    groups.addAll(cache.groups());
    groups.addAll(published.keySet());
    List<ProxyContext> ordered = new ArrayList<>(groups);
    ordered.sort(GROUP_ORDER);
    int updated = 0;
    int unchanged = 0;
    int failed = 0;
    Function<ProxyContext, GroupResources> view = views.get();
    for (ProxyContext group : ordered) {
      switch (publishGroup(group, view)) {
        case UPDATED -> updated++;
        case UNCHANGED -> unchanged++;
        case FAILED -> failed++;
      }
    }
    ready = true;
    refreshDiagnostics();
    PublishResult result = new PublishResult(ordered.size(), updated, unchanged, failed);
    LOG.info(
        "published {} groups: {} updated, {} unchanged, {} failed",
        result.groups(),
        updated,
        unchanged,
        failed);
    return result;
  }

  /**
   * Called when a node of {@code group} connects. A group that appears after the first publish is
   * translated right away, so its proxies need not wait for the next change.
   */
  public synchronized void groupSeen(ProxyContext group) {
    seen.add(group);
    openStreams.merge(group, 1, Integer::sum);
    idleSince.remove(group);
    if (ready && !published.containsKey(group)) {
      Outcome outcome = publishGroup(group, views.get());
      refreshDiagnostics();
      LOG.info(
          "new group {}: {}", NodeGroups.label(group), outcome.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Called when a stream of {@code group} ends. A group whose last stream ended is forgotten after
   * {@link #COLLECT_AFTER} unless a proxy of it connects again: its snapshot, its digests and its
   * diagnostics go, as java-control-plane's {@code SnapshotCollectingCallback} would do, so that
   * the groups of proxies long gone are neither kept nor re-translated on every change.
   */
  public synchronized void groupLeft(ProxyContext group) {
    int left = openStreams.merge(group, -1, Integer::sum);
    if (left <= 0) {
      openStreams.remove(group);
      idleSince.put(group, clock.instant());
    }
  }

  /** Forgets the groups idle for longer than the collection delay; returns how many. */
  public synchronized int collect() {
    Instant now = clock.instant();
    List<ProxyContext> stale =
        idleSince.entrySet().stream()
            .filter(e -> !now.isBefore(e.getValue().plus(collectAfter)))
            .map(Map.Entry::getKey)
            .toList();
    int collected = 0;
    for (ProxyContext group : stale) {
      // A watch still open (a proxy reconnecting this instant) keeps the snapshot: try again later.
      if (cache.getSnapshot(group) != null && !cache.clearSnapshot(group)) {
        continue;
      }
      idleSince.remove(group);
      seen.remove(group);
      published.remove(group);
      diagnosticsByGroup.remove(group);
      forgetListeners.forEach(l -> l.accept(group));
      collected++;
      LOG.info("forgot group {}: no proxy of it for {}", NodeGroups.label(group), collectAfter);
    }
    if (collected > 0) {
      refreshDiagnostics();
    }
    return collected;
  }

  /** Told of each group forgotten (the translator drops what it memoised for it). */
  public void onForget(java.util.function.Consumer<ProxyContext> listener) {
    forgetListeners.add(listener);
  }

  /** How long an idle group is kept. */
  public synchronized void collectAfter(Duration after) {
    this.collectAfter = after;
  }

  public synchronized Duration collectAfter() {
    return collectAfter;
  }

  /** The groups known now: those with a snapshot or a connected proxy. */
  public synchronized int groups() {
    Set<ProxyContext> all = new HashSet<>(seen);
    all.addAll(published.keySet());
    return all.size();
  }

  /** The snapshot a group currently gets, if one was set. */
  public Optional<PublishedGroup> published(ProxyContext group) {
    return Optional.ofNullable(published.get(group));
  }

  /**
   * The diagnostics of the state and of the last translation of every group, sorted and without
   * duplicates.
   */
  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  private Outcome publishGroup(ProxyContext group, Function<ProxyContext, GroupResources> view) {
    String label = NodeGroups.label(group);
    String object = "xds/" + label;
    GroupResources resources;
    try {
      resources = metrics.timeTranslation(() -> view.apply(group));
    } catch (RuntimeException e) {
      LOG.error("translation for {} failed; it keeps its last snapshot", label, e);
      diagnosticsByGroup.put(
          group,
          List.of(
              Diagnostic.error(
                  Reason.INTERNAL, new Subject.Source(object, "translation"), "failed: " + e)));
      return Outcome.FAILED;
    }
    PublishedGroup previous = published.get(group);
    HashedSnapshot before = previous == null ? null : previous.snapshot();
    if (before != null && before.resourcesId() == resources.id()) {
      // the same resources as last time: nothing changed for this group
      return Outcome.UNCHANGED;
    }
    List<Diagnostic> groupDiagnostics = resources.diagnostics();
    HashedSnapshot snapshot;
    try {
      snapshot = before == null ? null : before.next(resources, digests);
      if (snapshot == null) {
        snapshot = HashedSnapshot.full(resources, digests);
      }
    } catch (SnapshotConsistencyException | RuntimeException e) {
      LOG.error(
          "snapshot for {} is inconsistent; it keeps its last one: {}", label, e.getMessage());
      groupDiagnostics = new ArrayList<>(groupDiagnostics);
      groupDiagnostics.add(
          Diagnostic.error(
              Reason.INTERNAL,
              new Subject.Source(object, "snapshot"),
              "not published, inconsistent: " + e.getMessage()));
      diagnosticsByGroup.put(group, groupDiagnostics);
      return Outcome.FAILED;
    }
    diagnosticsByGroup.put(group, groupDiagnostics);
    SortedMap<String, String> versions = new TreeMap<>();
    for (Map.Entry<ResourceType, String> e : snapshot.versions().entrySet()) {
      versions.put(typeUrl(e.getKey()), e.getValue());
    }
    if (previous != null && previous.versions().equals(versions)) {
      // equal content: the next delta is relative to these resources, so remember them
      published.put(group, new PublishedGroup(group, versions, snapshot));
      return Outcome.UNCHANGED;
    }
    published.put(group, new PublishedGroup(group, versions, snapshot));
    LOG.debug("setting snapshot for {}: {}", label, versions);
    Instant now = clock.instant();
    publishing.ifPresent(
        changedAt ->
            versions.forEach(
                (type, version) -> {
                  if (previous == null || !version.equals(previous.versions().get(type))) {
                    changeTimes.published(group, type, now, changedAt);
                  }
                }));
    cache.setSnapshot(group, snapshot);
    return Outcome.UPDATED;
  }

  private void refreshDiagnostics() {
    List<Diagnostic> state = stateDiagnostics.get();
    List<Diagnostic> now = diagnostics;
    // Merged again only when an input changed: an endpoint change leaves the groups' lists the
    // same instances and the state's equal, and sorting every diagnostic of the mesh on every
    // publish was O(world) in a change's cost.
    if (!sameLists(state, diagnosticsByGroup)) {
      Set<Diagnostic> all = new TreeSet<>(state);
      diagnosticsByGroup.values().forEach(all::addAll);
      now = List.copyOf(all);
      diagnostics = now;
      metrics.diagnostics(now);
      mergedState = state;
      mergedGroups.clear();
      mergedGroups.putAll(diagnosticsByGroup);
    }
    for (var listener : diagnosticsListeners) {
      try {
        listener.accept(now);
      } catch (RuntimeException e) {
        LOG.warn("a diagnostics listener failed: {}", e.toString());
      }
    }
  }

  /** Whether the diagnostics were last merged from these lists (each group's the same one). */
  private boolean sameLists(List<Diagnostic> state, Map<ProxyContext, List<Diagnostic>> byGroup) {
    if (byGroup.size() != mergedGroups.size()) {
      return false;
    }
    for (Map.Entry<ProxyContext, List<Diagnostic>> e : byGroup.entrySet()) {
      if (mergedGroups.get(e.getKey()) != e.getValue()) {
        return false;
      }
    }
    return state == mergedState || state.equals(mergedState);
  }

  /**
   * Called with the diagnostics after every publish (the Events writer, which also reads the state
   * they came from): pushed, not polled. Listeners must return at once.
   */
  public void onDiagnostics(java.util.function.Consumer<List<Diagnostic>> listener) {
    diagnosticsListeners.add(listener);
    listener.accept(diagnostics);
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
}
