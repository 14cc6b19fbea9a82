package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.Service;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.xds.ServiceResources;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.pcollections.HashTreePMap;
import org.pcollections.HashTreePSet;
import org.pcollections.PMap;
import org.pcollections.PSet;
import org.pcollections.PSortedMap;
import org.pcollections.PSortedSet;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * Translates only what changed. A source change rebuilds the model of the Services it names; a
 * context's translation reuses each Service's resources while its model entry is the same object.
 * The output equals {@link XdsTranslator#translate} of the whole state with the same settings
 * (tested).
 */
public final class IncrementalTranslator {

  /**
   * The model built from one update: per-Service parts, warnings for slices whose Service does not
   * exist (by that Service), for unlabelled slices, and the source's diagnostics that came with it.
   * Persistent maps: an update shares everything it did not change with the model before it.
   */
  private static final class Model {
    final PSortedMap<ObjectRef, KubeModelBuilder.Built> services;

    /** The Services as translated: each root's ports carry its split resolved. */
    final PSortedMap<ObjectRef, ServiceEntry> entries;

    /**
     * Each root Service with a split: the Services its split names, to re-resolve it when they
     * change.
     */
    final PSortedMap<ObjectRef, Set<ObjectRef>> roots;

    final PSortedMap<ObjectRef, List<Diagnostic>> splitDiagnostics;
    final PSortedMap<ObjectRef, List<Diagnostic>> orphans;
    final List<Diagnostic> unlabelled;
    final List<Diagnostic> sourceDiagnostics;

    /** The state-wide diagnostics, once a publish asked for them. */
    private volatile List<Diagnostic> gathered;

    /**
     * An earlier model whose diagnostics were gathered, or null: when no Service changed since then
     * changed its diagnostics, this model's are the same list (an endpoint change does not gather
     * every Service's diagnostics again). Dropped once this model's are gathered, so models do not
     * hold on to each other.
     */
    private volatile Model base;

    /** Counts the updates: a group's resources name the model they were made from by it. */
    final long seq;

    /**
     * The Services each recent update may have changed, by the seq of the model it made ({@link
     * #FULL} for an update that rebuilt everything), the last {@link #LOG_SIZE}.
     */
    final PSortedMap<Long, Set<ObjectRef>> log;

    Model(
        PSortedMap<ObjectRef, KubeModelBuilder.Built> services,
        PSortedMap<ObjectRef, ServiceEntry> entries,
        PSortedMap<ObjectRef, Set<ObjectRef>> roots,
        PSortedMap<ObjectRef, List<Diagnostic>> splitDiagnostics,
        PSortedMap<ObjectRef, List<Diagnostic>> orphans,
        List<Diagnostic> unlabelled,
        List<Diagnostic> sourceDiagnostics,
        long seq,
        PSortedMap<Long, Set<ObjectRef>> log,
        Model base) {
      this.base = base;
      this.seq = seq;
      this.log = log;
      this.services = services;
      this.entries = entries;
      this.roots = roots;
      this.splitDiagnostics = splitDiagnostics;
      this.orphans = orphans;
      this.unlabelled = unlabelled;
      this.sourceDiagnostics = sourceDiagnostics;
    }

    static Model empty() {
      return new Model(
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          List.of(),
          List.of(),
          0,
          TreePMap.empty(),
          null);
    }

    /** Itself when its diagnostics were gathered, else the model its own would start from. */
    Model gatheredBase() {
      return gathered != null ? this : base;
    }

    /**
     * The Services that may have changed since the model {@code since}, or null when that is not
     * known (an update in between rebuilt everything, or the log no longer reaches back).
     */
    Set<ObjectRef> changedSince(long since) {
      if (since >= seq) {
        return Set.of();
      }
      if (!log.containsKey(since + 1)) {
        return null;
      }
      Set<ObjectRef> changed = new TreeSet<>();
      for (Set<ObjectRef> refs : log.subMap(since + 1, true, seq, true).values()) {
        if (refs == FULL) {
          return null;
        }
        changed.addAll(refs);
      }
      return changed;
    }

    /**
     * The state-wide diagnostics: the Services', the splits', the orphan and unlabelled slices'.
     */
    List<Diagnostic> diagnostics() {
      List<Diagnostic> g = gathered;
      if (g != null) {
        return g;
      }
      // gathered once per model, when a publish first asks, not on every source event
      synchronized (this) {
        if (gathered == null) {
          gathered = gatherSince(base);
          base = null;
        }
        return gathered;
      }
    }

    /** {@code b}'s diagnostics when no Service changed since {@code b} changed its own. */
    private List<Diagnostic> gatherSince(Model b) {
      if (b != null && b.gathered != null && unlabelled.equals(b.unlabelled)) {
        Set<ObjectRef> changed = changedSince(b.seq);
        if (changed != null && changed.stream().allMatch(ref -> sameDiagnostics(b, ref))) {
          return b.gathered;
        }
      }
      return gather();
    }

    private boolean sameDiagnostics(Model b, ObjectRef ref) {
      KubeModelBuilder.Built was = b.services.get(ref);
      KubeModelBuilder.Built now = services.get(ref);
      return (was == null ? List.of() : was.diagnostics())
              .equals(now == null ? List.of() : now.diagnostics())
          && java.util.Objects.equals(b.orphans.get(ref), orphans.get(ref))
          && java.util.Objects.equals(b.splitDiagnostics.get(ref), splitDiagnostics.get(ref));
    }

    private List<Diagnostic> gather() {
      SortedSet<Diagnostic> all = new TreeSet<>(unlabelled);
      orphans.values().forEach(all::addAll);
      splitDiagnostics.values().forEach(all::addAll);
      services.values().forEach(b -> all.addAll(b.diagnostics()));
      return List.copyOf(all);
    }
  }

  private record Memo(ServiceEntry entry, ServiceResources resources) {}

  /** The log's mark for an update that rebuilt the whole model. */
  private static final Set<ObjectRef> FULL = java.util.Collections.unmodifiableSet(new TreeSet<>());

  private static final int LOG_SIZE = 256;

  /**
   * A sidecar or proxyless group's last resources and what they were assembled from: the Services'
   * parts it includes, the listeners lost to address claims, the model's diagnostics.
   *
   * @param incremental false when the full assembly dropped a resource of a name that was there
   *     already (a gateway's split, a clash): such a group is assembled in full each time
   * @param claims a sidecar group's address claims: each virtual {@code ip:port} claimed by its
   *     parts' listeners, with the listeners claiming it (two or more: a conflict, {@code lost})
   * @param diagnosticCounts a sidecar or proxyless group's diagnostics, each with how many of the
   *     model's list, the parts' lists and the assembly's own (claims, proxy) bring it: a Service's
   *     diagnostics coming or going update the group's list without assembling it in full
   */
  private record GroupState(
      long seq,
      GroupResources resources,
      PSortedMap<ObjectRef, ServiceResources> parts,
      Set<String> lost,
      List<Diagnostic> modelDiagnostics,
      boolean incremental,
      GatewayState gateway,
      PMap<String, PSet<String>> claims,
      PSortedMap<Diagnostic, Integer> diagnosticCounts) {}

  /**
   * What a gateway group's resources were assembled from beyond its parts: which Services bring
   * each cluster and ClusterLoadAssignment name (a split's root brings its backends' along, and a
   * backend exposed on the same gateway builds the same name: the first Service by ref wins, as in
   * the full assembly), and the diagnostics and presence of the gateway's one listener and route.
   */
  private record GatewayState(
      PSortedMap<String, PSortedSet<ObjectRef>> clusterOwners,
      PSortedMap<String, PSortedSet<ObjectRef>> endpointOwners,
      List<Diagnostic> diagnostics,
      boolean listener) {}

  private final Map<ProxyContext, GroupState> groups = new ConcurrentHashMap<>();
  private final ValidationCache validation = new ValidationCache();
  private final java.util.concurrent.atomic.AtomicLong fullAssemblies =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong gatewayRebuilds =
      new java.util.concurrent.atomic.AtomicLong();

  private final TranslationSettings settings;
  private volatile Model model = Model.empty();
  private final Map<ProxyContext, Map<ObjectRef, Memo>> memos = new ConcurrentHashMap<>();

  /** A translator for a cluster with the default settings ({@code cluster.local}). */
  public IncrementalTranslator() {
    this(TranslationSettings.DEFAULT);
  }

  public IncrementalTranslator(TranslationSettings settings) {
    this.settings = Objects.requireNonNull(settings);
  }

  /** Applies a change from a source with nothing to say about its state. */
  public void update(KubeState state, Change change) {
    update(SourceUpdate.of(state, change));
  }

  /**
   * Applies a source update: its state, its change and its diagnostics together. Called from the
   * source's single event thread.
   */
  public synchronized void update(SourceUpdate update) {
    KubeState state = update.state();
    Change change = update.change();
    Model before = model;
    PSortedMap<ObjectRef, KubeModelBuilder.Built> services = before.services;
    PSortedMap<ObjectRef, ServiceEntry> entries = before.entries;
    PSortedMap<ObjectRef, Set<ObjectRef>> roots = before.roots;
    PSortedMap<ObjectRef, List<Diagnostic>> splitDiagnostics = before.splitDiagnostics;
    PSortedMap<ObjectRef, List<Diagnostic>> orphans = before.orphans;
    Set<ObjectRef> dirty = new TreeSet<>(change.services());
    dirty.addAll(change.endpointsOf());
    dirty.addAll(state.servicesOfPods(change.pods())); // a Pod's weight reaches its Services
    boolean rebuilt = change.full() || !coherent(services, state, dirty);
    if (rebuilt) {
      // the first state, or a change that did not name every Service it added or removed
      Model empty = Model.empty();
      services = empty.services;
      entries = empty.entries;
      roots = empty.roots;
      splitDiagnostics = empty.splitDiagnostics;
      orphans = empty.orphans;
      dirty.addAll(state.services().keySet());
      dirty.addAll(state.slicesByService().keySet());
    }
    Set<ObjectRef> toResolve = new TreeSet<>();
    Map<ObjectRef, KubeModelBuilder.Built> prebuilt = prebuild(state, dirty);
    for (ObjectRef ref : dirty) {
      Service svc = state.services().get(ref);
      Optional<ServiceEntry> entry = Optional.empty();
      if (svc == null) {
        services = services.minus(ref);
      } else {
        KubeModelBuilder.Built built = prebuilt.get(ref);
        if (built == null) {
          built = KubeModelBuilder.buildService(svc, state.slicesOf(ref), state::pod);
        }
        services = services.plus(ref, built);
        entry = built.entry();
      }
      List<Diagnostic> orphaned = KubeModelBuilder.orphansOf(state, ref);
      orphans = orphaned.isEmpty() ? orphans.minus(ref) : orphans.plus(ref, orphaned);
      if (entry.isPresent() && Splits.hasSplit(entry.get())) {
        roots = roots.plus(ref, Splits.named(entry.get()));
        toResolve.add(ref);
      } else {
        roots = roots.minus(ref);
        splitDiagnostics = splitDiagnostics.minus(ref);
        entries = entry.isPresent() ? entries.plus(ref, entry.get()) : entries.minus(ref);
      }
    }
    // Splits look across Services: a root is resolved again when it or a Service its split names
    // changed (O(roots) per update), and keeps its previous entry (and so its memoised
    // translation) when the result is equal.
    for (Map.Entry<ObjectRef, Set<ObjectRef>> root : roots.entrySet()) {
      if (!java.util.Collections.disjoint(root.getValue(), dirty)) {
        toResolve.add(root.getKey());
      }
    }
    PSortedMap<ObjectRef, KubeModelBuilder.Built> raw = services;
    for (ObjectRef ref : toResolve) {
      ServiceEntry root = raw.get(ref).entry().orElseThrow();
      Splits.Resolution r =
          Splits.resolveOne(
              root, other -> Optional.ofNullable(raw.get(other)).flatMap(b -> b.entry()));
      ServiceEntry resolved = r.services().get(0);
      ServiceEntry previous = before.entries.get(ref);
      entries =
          entries.plus(ref, previous != null && previous.equals(resolved) ? previous : resolved);
      splitDiagnostics =
          r.diagnostics().isEmpty()
              ? splitDiagnostics.minus(ref)
              : splitDiagnostics.plus(ref, r.diagnostics());
    }
    List<Diagnostic> unlabelled =
        state.unlabelledSlices().isEmpty()
            ? List.of()
            : List.copyOf(KubeModelBuilder.unlabelledSlices(state));
    Set<ObjectRef> changed = FULL;
    if (!rebuilt) {
      changed = new TreeSet<>(dirty);
      changed.addAll(toResolve);
      changed = java.util.Collections.unmodifiableSet(changed);
    }
    long seq = before.seq + 1;
    PSortedMap<Long, Set<ObjectRef>> log = before.log.plus(seq, changed);
    if (log.size() > LOG_SIZE) {
      log = log.minus(log.firstKey());
    }
    validation.capacity(8 * services.size());
    model =
        new Model(
            services,
            entries,
            roots,
            splitDiagnostics,
            orphans,
            unlabelled,
            update.diagnostics(),
            seq,
            log,
            rebuilt ? null : before.gatheredBase());
  }

  /**
   * The models of many dirty Services (a first state, a full rebuild), built on the common pool as
   * well as on this thread; empty for a few, which the update builds one by one. Each model is a
   * pure function of the state, which is immutable.
   */
  private static Map<ObjectRef, KubeModelBuilder.Built> prebuild(
      KubeState state, Set<ObjectRef> dirty) {
    if (dirty.size() < PARALLEL_PARTS) {
      return Map.of();
    }
    Map<ObjectRef, KubeModelBuilder.Built> built = new ConcurrentHashMap<>();
    dirty.parallelStream()
        .forEach(
            ref -> {
              Service svc = state.services().get(ref);
              if (svc != null) {
                built.put(ref, KubeModelBuilder.buildService(svc, state.slicesOf(ref), state::pod));
              }
            });
    return built;
  }

  /**
   * A guard in O(changed Services): the model, once the dirty Services are applied, holds as many
   * Services as the state. Sources name every Service they add or remove in the change ({@code
   * MutableKubeState}, {@link Change#between}); a change that did not, and so would leave the model
   * with a Service too many or too few, is caught here and answered with a full rebuild instead of
   * a wrong model. (The sizes are compared after the change, not before: a named addition or
   * removal is the change itself, and must not cost a rebuild of every Service.)
   */
  private static boolean coherent(
      PSortedMap<ObjectRef, KubeModelBuilder.Built> services,
      KubeState state,
      Set<ObjectRef> dirty) {
    int size = services.size();
    for (ObjectRef ref : dirty) {
      boolean was = services.containsKey(ref);
      boolean is = state.services().containsKey(ref);
      if (was != is) {
        size += is ? 1 : -1;
      }
    }
    return size == state.services().size();
  }

  /** The diagnostics of the state: model and source, whatever proxies are connected. */
  public List<Diagnostic> diagnostics() {
    Model m = model;
    if (m.sourceDiagnostics.isEmpty()) {
      // sorted and without duplicates already, and the same list while no Service changed its
      // own: the publisher then knows by identity that nothing changed
      return m.diagnostics();
    }
    List<Diagnostic> all = new ArrayList<>(m.diagnostics());
    all.addAll(m.sourceDiagnostics);
    return List.copyOf(new TreeSet<>(all));
  }

  /** Drops what was memoised for a context no proxy uses any more. */
  public void forget(ProxyContext ctx) {
    memos.remove(ctx);
    groups.remove(ctx);
  }

  /** How many resources were validated against Envoy's rules so far (each distinct one once). */
  public long validations() {
    return validation.validations();
  }

  /** How many times a group's resources were assembled in full rather than from the changes. */
  public long fullAssemblies() {
    return fullAssemblies.get();
  }

  /**
   * How many times a gateway group's listener and route were built again from the changes (a
   * changed Service's exposure changed), full assemblies not counted.
   */
  public long gatewayRebuilds() {
    return gatewayRebuilds.get();
  }

  /** The contexts with memoised translations, for tests. */
  public int contexts() {
    return memos.size();
  }

  /** The resources of one context from the current state. Safe to call from several threads. */
  public XdsResources translate(ProxyContext ctx) {
    return translate(model, ctx);
  }

  /**
   * The current state, pinned: every context translated through the view sees the same model and
   * the same source diagnostics, whatever updates arrive meanwhile (one publish, one state).
   */
  public java.util.function.Function<ProxyContext, XdsResources> view() {
    Model m = model;
    return ctx -> translate(m, ctx);
  }

  private XdsResources translate(Model m, ProxyContext ctx) {
    List<ServiceResources> parts = new ArrayList<>();
    for (Map.Entry<ObjectRef, ServiceEntry> e : m.entries.entrySet()) {
      if (!ctx.sees(e.getValue())) {
        continue;
      }
      ServiceEntry entry = e.getValue();
      // Memoised per the context this Service can tell apart: proxies that differ only in zone
      // or node share its translation unless it routes by zone (PreferClose) or node (Local).
      parts.add(part(ctx, e.getKey(), entry));
    }
    trimMemos(m);
    return XdsTranslator.assemble(parts, modelDiagnostics(m), ctx, settings);
  }

  private void trimMemos(Model m) {
    for (Map<ObjectRef, Memo> memo : memos.values()) {
      if (memo.size() > m.services.size()) {
        memo.keySet().retainAll(m.services.keySet());
      }
    }
  }

  private static List<Diagnostic> modelDiagnostics(Model m) {
    if (m.sourceDiagnostics.isEmpty()) {
      return m.diagnostics();
    }
    List<Diagnostic> diagnostics = new ArrayList<>(m.diagnostics());
    diagnostics.addAll(m.sourceDiagnostics);
    return diagnostics;
  }

  /**
   * One Service's resources for a context, memoised per the context the Service can tell apart:
   * proxies that differ only in zone or node share its translation unless it routes by zone
   * (PreferClose) or node (Local). A new translation keeps the instances of the resources that are
   * equal to the previous translation's, so that what did not change stays the same object for
   * everything downstream (digests, snapshots, serialized responses).
   */
  private ServiceResources part(ProxyContext ctx, ObjectRef ref, ServiceEntry entry) {
    ProxyContext seenBy = effective(ctx, entry);
    Map<ObjectRef, Memo> memo = memos.computeIfAbsent(seenBy, c -> new ConcurrentHashMap<>());
    Memo cached = memo.get(ref);
    if (cached == null || cached.entry() != entry) {
      ServiceResources fresh = XdsTranslator.translateService(entry, seenBy, settings, validation);
      if (cached != null) {
        fresh = keepEqual(cached.resources(), fresh);
      }
      cached = new Memo(entry, fresh);
      memo.put(ref, cached);
    }
    return cached.resources();
  }

  private static ServiceResources keepEqual(ServiceResources before, ServiceResources now) {
    return new ServiceResources(
        keepEqual(before.clusters(), now.clusters()),
        keepEqual(before.endpoints(), now.endpoints()),
        keepEqual(before.listeners(), now.listeners()),
        keepEqual(before.routes(), now.routes()),
        now.exposed(),
        now.addressClaims(),
        now.diagnostics());
  }

  private static <T> List<T> keepEqual(List<T> before, List<T> now) {
    if (before.size() != now.size()) {
      return now;
    }
    List<T> out = new ArrayList<>(now.size());
    for (int i = 0; i < now.size(); i++) {
      out.add(now.get(i).equals(before.get(i)) ? before.get(i) : now.get(i));
    }
    return out;
  }

  /**
   * The current state for every group, pinned as {@link #view()} is, as persistent maps with what
   * changed since the group's previous resources, updated from the Services that changed only. A
   * gateway group's one listener and route configuration span every exposed Service: they are built
   * again only when a changed Service's exposure (its policy, hosts, paths or routes) changed.
   */
  public java.util.function.Function<ProxyContext, GroupResources> groupView() {
    Model m = model;
    return ctx -> resources(m, ctx);
  }

  /** The resources of one group from the current state, as {@link #groupView()} gives them. */
  public GroupResources resources(ProxyContext ctx) {
    return resources(model, ctx);
  }

  private GroupResources resources(Model m, ProxyContext ctx) {
    synchronized (groups) {
      GroupState state = groups.get(ctx);
      if (state != null && state.seq() == m.seq) {
        return state.resources();
      }
      if (state != null && state.seq() > m.seq) {
        // an older view than the group's state: answer it without going back
        fullAssemblies.incrementAndGet();
        return GroupResources.of(translate(m, ctx));
      }
      GroupState next = null;
      if (state != null && state.incremental()) {
        Set<ObjectRef> changed = m.changedSince(state.seq());
        if (changed != null) {
          next =
              ctx.role() == io.fairlead.translators.ProxyRole.GATEWAY
                  ? incrementalGateway(state, m, ctx, changed)
                  : incremental(state, m, ctx, changed);
        }
      }
      if (next == null) {
        next = full(m, ctx);
      }
      trimMemos(m);
      groups.put(ctx, next);
      return next.resources();
    }
  }

  private GroupState full(Model m, ProxyContext ctx) {
    fullAssemblies.incrementAndGet();
    PSortedMap<ObjectRef, ServiceResources> parts = parts(m, ctx);
    List<Diagnostic> modelDiagnostics = modelDiagnostics(m);
    GroupResources resources =
        GroupResources.of(XdsTranslator.assemble(parts.values(), modelDiagnostics, ctx, settings));
    if (ctx.role() == io.fairlead.translators.ProxyRole.GATEWAY) {
      return fullGateway(m, ctx, parts, modelDiagnostics, resources);
    }
    // Which part listeners the address claims took out, and whether any name came twice (the
    // assembly keeps the first): then the group cannot be updated name by name.
    Set<String> lost = new TreeSet<>();
    int clusters = 0;
    int endpoints = 0;
    int listeners = 0;
    int routes = 0;
    for (ServiceResources part : parts.values()) {
      clusters += part.clusters().size();
      endpoints += part.endpoints().size();
      for (var l : part.listeners()) {
        listeners++;
        if (!resources.listeners().containsKey(l.getName())) {
          lost.add(l.getName());
        }
      }
    }
    for (ServiceResources part : parts.values()) {
      // a sidecar's route is named as its listener and goes with it
      for (var r : part.routes()) {
        routes += lost.contains(r.getName()) ? 0 : 1;
      }
    }
    int constants = ctx.role() == io.fairlead.translators.ProxyRole.SIDECAR ? 1 : 0;
    boolean anyManager =
        resources.listeners().values().stream()
            .flatMap(l -> l.getFilterChainsList().stream())
            .flatMap(c -> c.getFiltersList().stream())
            .anyMatch(f -> f.getName().equals(HCM));
    int collector =
        settings.tracing().isPresent()
                && ctx.role() != io.fairlead.translators.ProxyRole.PROXYLESS
                && anyManager
            ? 1
            : 0;
    boolean incremental =
        resources.problems().isEmpty()
            && resources.clusters().size() == clusters + constants + collector
            && resources.endpoints().size() == endpoints
            && resources.listeners().size() == listeners - lost.size() + constants
            && resources.routes().size() == routes;
    return new GroupState(
        m.seq,
        resources,
        parts,
        lost,
        modelDiagnostics,
        incremental,
        null,
        claimsOf(parts, ctx),
        diagnosticCounts(resources, parts, modelDiagnostics));
  }

  /**
   * What brings each of a fully assembled group's diagnostics: the model's list, each part's, and
   * (once each) the assembly's own beyond them (address conflicts, the proxy's settings).
   */
  private static PSortedMap<Diagnostic, Integer> diagnosticCounts(
      GroupResources resources,
      PSortedMap<ObjectRef, ServiceResources> parts,
      List<Diagnostic> modelDiagnostics) {
    java.util.SortedMap<Diagnostic, Integer> counts = new java.util.TreeMap<>();
    modelDiagnostics.forEach(d -> counts.merge(d, 1, Integer::sum));
    parts.values().forEach(p -> p.diagnostics().forEach(d -> counts.merge(d, 1, Integer::sum)));
    resources.diagnostics().forEach(d -> counts.putIfAbsent(d, 1));
    return TreePMap.fromSortedMap(counts);
  }

  /** {@code counts} with each of {@code diagnostics} counted {@code by} once more (or less). */
  private static PSortedMap<Diagnostic, Integer> count(
      PSortedMap<Diagnostic, Integer> counts, List<Diagnostic> diagnostics, int by) {
    for (Diagnostic d : diagnostics) {
      int n = counts.getOrDefault(d, 0) + by;
      counts = n > 0 ? counts.plus(d, n) : counts.minus(d);
    }
    return counts;
  }

  /** A sidecar group's address claims, by address (empty for other roles, which make none). */
  private static PMap<String, PSet<String>> claimsOf(
      PSortedMap<ObjectRef, ServiceResources> parts, ProxyContext ctx) {
    java.util.Map<String, PSet<String>> claims = new java.util.HashMap<>();
    if (ctx.role() == io.fairlead.translators.ProxyRole.SIDECAR) {
      for (ServiceResources part : parts.values()) {
        for (Map.Entry<String, String> claim : part.claimedAddresses()) {
          claims.merge(
              claim.getKey(), HashTreePSet.singleton(claim.getValue()), (a, b) -> a.plusAll(b));
        }
      }
    }
    return HashTreePMap.from(claims);
  }

  /**
   * The address claims once a Service's part went from {@code was} to {@code now} (either may be
   * null), or null when an address either claims was contested before or would be after: then which
   * listener keeps it, and the diagnostics, are decided across every Service by the full assembly
   * ({@code Claims}). Otherwise no listener of the group lost or loses an address, so the Service's
   * listeners come and go with it, name by name: a Service created or deleted costs its own claims,
   * not every Service's.
   */
  private static PMap<String, PSet<String>> reclaim(
      PMap<String, PSet<String>> claims, ServiceResources was, ServiceResources now) {
    List<Map.Entry<String, String>> before = was == null ? List.of() : was.claimedAddresses();
    List<Map.Entry<String, String>> after = now == null ? List.of() : now.claimedAddresses();
    for (Map.Entry<String, String> claim : before) {
      PSet<String> listeners = claims.get(claim.getKey());
      if (listeners == null || listeners.size() > 1) {
        return null;
      }
      PSet<String> left = listeners.minus(claim.getValue());
      claims = left.isEmpty() ? claims.minus(claim.getKey()) : claims.plus(claim.getKey(), left);
    }
    for (Map.Entry<String, String> claim : after) {
      PSet<String> listeners =
          claims.getOrDefault(claim.getKey(), HashTreePSet.empty()).plus(claim.getValue());
      if (listeners.size() > 1) {
        return null;
      }
      claims = claims.plus(claim.getKey(), listeners);
    }
    return claims;
  }

  /** Below this many Services, a group's parts are translated on the calling thread alone. */
  private static final int PARALLEL_PARTS = 256;

  /**
   * Every Service's part for a context, by ref, built in one go. Many parts to translate (a first
   * state, a group just seen) are translated on the common pool as well as on this thread: each
   * part is a pure function of its entry and context, the memos and the validation cache are safe
   * from several threads, and the map is built from the refs' order, so the result is the same as
   * one part after another.
   */
  private PSortedMap<ObjectRef, ServiceResources> parts(Model m, ProxyContext ctx) {
    List<Map.Entry<ObjectRef, ServiceEntry>> seen = new ArrayList<>();
    for (Map.Entry<ObjectRef, ServiceEntry> e : m.entries.entrySet()) {
      if (ctx.sees(e.getValue())) {
        seen.add(e);
      }
    }
    ServiceResources[] built = new ServiceResources[seen.size()];
    java.util.stream.IntStream indexes = java.util.stream.IntStream.range(0, built.length);
    if (built.length >= PARALLEL_PARTS) {
      indexes = indexes.parallel();
    }
    indexes.forEach(i -> built[i] = part(ctx, seen.get(i).getKey(), seen.get(i).getValue()));
    java.util.SortedMap<ObjectRef, ServiceResources> byRef = new java.util.TreeMap<>();
    for (int i = 0; i < built.length; i++) {
      byRef.put(seen.get(i).getKey(), built[i]);
    }
    return TreePMap.fromSortedMap(byRef);
  }

  /**
   * The group's resources updated from the Services that changed, or null when the change reaches
   * beyond them (address claims, diagnostics, a clash of names, the trace collector's cluster):
   * then the group is assembled in full.
   */
  private GroupState incremental(
      GroupState state, Model m, ProxyContext ctx, Set<ObjectRef> changed) {
    List<Diagnostic> modelDiagnostics = modelDiagnostics(m);
    PSortedMap<Diagnostic, Integer> counts = state.diagnosticCounts();
    if (!sameDiagnostics(modelDiagnostics, state.modelDiagnostics())) {
      counts = count(count(counts, state.modelDiagnostics(), -1), modelDiagnostics, 1);
    }
    GroupResources before = state.resources();
    Working next = new Working(before);
    var clusters = next.clusters;
    var endpoints = next.endpoints;
    var listeners = next.listeners;
    var routes = next.routes;
    PSortedMap<ObjectRef, ServiceResources> parts = state.parts();
    PMap<String, PSet<String>> claims = state.claims();
    boolean tracing =
        settings.tracing().isPresent() && ctx.role() != io.fairlead.translators.ProxyRole.PROXYLESS;
    for (ObjectRef ref : changed) {
      ServiceEntry entry = m.entries.get(ref);
      ServiceResources now = entry != null && ctx.sees(entry) ? part(ctx, ref, entry) : null;
      ServiceResources was = parts.get(ref);
      if (now == was) {
        continue;
      }
      List<?> claimsWas = was == null ? List.of() : was.addressClaims();
      List<?> claimsNow = now == null ? List.of() : now.addressClaims();
      List<Diagnostic> diagnosticsWas = was == null ? List.of() : was.diagnostics();
      List<Diagnostic> diagnosticsNow = now == null ? List.of() : now.diagnostics();
      if (tracing && connectionManagers(was) != connectionManagers(now)) {
        return null;
      }
      if (!diagnosticsWas.equals(diagnosticsNow)) {
        counts = count(count(counts, diagnosticsWas, -1), diagnosticsNow, 1);
      }
      if (!claimsWas.equals(claimsNow)) {
        claims = reclaim(claims, was, now);
        if (claims == null) {
          return null; // an address contested before or after: resolved across all Services
        }
      }
      if (was != null) {
        was.clusters().forEach(c -> clusters.remove(c.getName()));
        was.endpoints().forEach(e -> endpoints.remove(e.getClusterName()));
        was.listeners().forEach(l -> listeners.remove(l.getName()));
        was.routes().forEach(r -> routes.remove(r.getName()));
        parts = parts.minus(ref);
      }
      if (now != null) {
        for (var c : now.clusters()) {
          if (!clusters.add(c.getName(), c)) {
            return null;
          }
        }
        for (var e : now.endpoints()) {
          if (!endpoints.add(e.getClusterName(), e)) {
            return null;
          }
        }
        for (var l : now.listeners()) {
          if (!state.lost().contains(l.getName()) && !listeners.add(l.getName(), l)) {
            return null;
          }
        }
        for (var r : now.routes()) {
          if (!state.lost().contains(r.getName()) && !routes.add(r.getName(), r)) {
            return null;
          }
        }
        parts = parts.plus(ref, now);
      }
    }
    List<Diagnostic> diagnostics =
        counts == state.diagnosticCounts()
            ? before.diagnostics()
            : List.copyOf(counts.keySet()); // sorted as the full assembly's TreeSet
    GroupResources resources = next.resources(before, diagnostics);
    return new GroupState(
        m.seq, resources, parts, state.lost(), modelDiagnostics, true, null, claims, counts);
  }

  /**
   * A gateway group assembled in full: its owners of names, and whether it can be updated name by
   * name (every resource accounted for by a part, the gateway's listener and route, or the trace
   * collector's cluster).
   */
  private GroupState fullGateway(
      Model m,
      ProxyContext ctx,
      PSortedMap<ObjectRef, ServiceResources> parts,
      List<Diagnostic> modelDiagnostics,
      GroupResources resources) {
    PSortedMap<String, PSortedSet<ObjectRef>> clusterOwners = TreePMap.empty();
    PSortedMap<String, PSortedSet<ObjectRef>> endpointOwners = TreePMap.empty();
    boolean partListeners = false;
    for (Map.Entry<ObjectRef, ServiceResources> e : parts.entrySet()) {
      ServiceResources part = e.getValue();
      for (var c : part.clusters()) {
        clusterOwners = own(clusterOwners, c.getName(), e.getKey());
      }
      for (var l : part.endpoints()) {
        endpointOwners = own(endpointOwners, l.getClusterName(), e.getKey());
      }
      partListeners |= !part.listeners().isEmpty() || !part.routes().isEmpty();
    }
    XdsTranslator.GatewayConfig gw = XdsTranslator.gateway(parts.values(), ctx, settings);
    int own = gw.listener().isPresent() ? 1 : 0;
    int collector = settings.tracing().isPresent() && gw.listener().isPresent() ? 1 : 0;
    boolean incremental =
        resources.problems().isEmpty()
            && !partListeners
            && resources.clusters().size() == clusterOwners.size() + collector
            && resources.endpoints().size() == endpointOwners.size()
            && resources.listeners().size() == own
            && resources.routes().size() == own;
    return new GroupState(
        m.seq,
        resources,
        parts,
        Set.of(),
        modelDiagnostics,
        incremental,
        new GatewayState(
            clusterOwners, endpointOwners, gw.diagnostics(), gw.listener().isPresent()),
        HashTreePMap.empty(),
        TreePMap.empty());
  }

  private static PSortedMap<String, PSortedSet<ObjectRef>> own(
      PSortedMap<String, PSortedSet<ObjectRef>> owners, String name, ObjectRef ref) {
    PSortedSet<ObjectRef> now = owners.getOrDefault(name, TreePSet.empty()).plus(ref);
    return owners.plus(name, now);
  }

  private static PSortedMap<String, PSortedSet<ObjectRef>> disown(
      PSortedMap<String, PSortedSet<ObjectRef>> owners, String name, ObjectRef ref) {
    PSortedSet<ObjectRef> was = owners.get(name);
    if (was == null) {
      return owners;
    }
    PSortedSet<ObjectRef> now = was.minus(ref);
    return now.isEmpty() ? owners.minus(name) : owners.plus(name, now);
  }

  /**
   * A gateway group's resources updated from the Services that changed: their clusters and
   * ClusterLoadAssignments name by name (the first owner by ref gives each name, as the full
   * assembly keeps the first), and the gateway's listener and route built again only when a changed
   * Service's exposure changed, each kept as the same instance when equal. Null when the change
   * reaches beyond that (diagnostics, the claims' diagnostics, the gateway's listener coming or
   * going, a name taken by the trace collector's cluster): then the group is assembled in full.
   */
  private GroupState incrementalGateway(
      GroupState state, Model m, ProxyContext ctx, Set<ObjectRef> changed) {
    List<Diagnostic> modelDiagnostics = modelDiagnostics(m);
    // the model's or a Service's diagnostics changed: the group's are gathered again from the
    // parts, as the assembly does (O(Services), the resources still updated name by name)
    boolean regather = !sameDiagnostics(modelDiagnostics, state.modelDiagnostics());
    GatewayState gateway = state.gateway();
    GroupResources before = state.resources();
    PSortedMap<ObjectRef, ServiceResources> parts = state.parts();
    PSortedMap<String, PSortedSet<ObjectRef>> clusterOwners = gateway.clusterOwners();
    PSortedMap<String, PSortedSet<ObjectRef>> endpointOwners = gateway.endpointOwners();
    Set<String> clusterNames = new TreeSet<>();
    Set<String> endpointNames = new TreeSet<>();
    boolean exposureChanged = false;
    for (ObjectRef ref : changed) {
      ServiceEntry entry = m.entries.get(ref);
      ServiceResources now = entry != null && ctx.sees(entry) ? part(ctx, ref, entry) : null;
      ServiceResources was = parts.get(ref);
      if (now == was) {
        continue;
      }
      List<Diagnostic> diagnosticsWas = was == null ? List.of() : was.diagnostics();
      List<Diagnostic> diagnosticsNow = now == null ? List.of() : now.diagnostics();
      if (now != null && (!now.listeners().isEmpty() || !now.routes().isEmpty())) {
        return null;
      }
      regather |= !diagnosticsWas.equals(diagnosticsNow);
      exposureChanged |= !sameExposure(was, now);
      if (was != null) {
        for (var c : was.clusters()) {
          clusterOwners = disown(clusterOwners, c.getName(), ref);
          clusterNames.add(c.getName());
        }
        for (var e : was.endpoints()) {
          endpointOwners = disown(endpointOwners, e.getClusterName(), ref);
          endpointNames.add(e.getClusterName());
        }
        parts = parts.minus(ref);
      }
      if (now != null) {
        for (var c : now.clusters()) {
          clusterOwners = own(clusterOwners, c.getName(), ref);
          clusterNames.add(c.getName());
        }
        for (var e : now.endpoints()) {
          endpointOwners = own(endpointOwners, e.getClusterName(), ref);
          endpointNames.add(e.getClusterName());
        }
        parts = parts.plus(ref, now);
      }
    }
    Working next = new Working(before);
    var clusters = next.clusters;
    var endpoints = next.endpoints;
    var listeners = next.listeners;
    var routes = next.routes;
    for (String name : clusterNames) {
      if (before.clusters().containsKey(name) && !gateway.clusterOwners().containsKey(name)) {
        return null; // the trace collector's cluster: a Service's cluster of its name
      }
      PSortedSet<ObjectRef> owners = clusterOwners.get(name);
      var cluster =
          owners == null
              ? null
              : first(parts.get(owners.first()).clusters(), c -> c.getName(), name);
      if (owners != null && cluster == null) {
        return null; // cannot happen: the owners are kept with the parts; be safe, assemble
      }
      clusters.put(name, cluster);
    }
    for (String name : endpointNames) {
      PSortedSet<ObjectRef> owners = endpointOwners.get(name);
      var assignment =
          owners == null
              ? null
              : first(parts.get(owners.first()).endpoints(), e -> e.getClusterName(), name);
      if (owners != null && assignment == null) {
        return null;
      }
      endpoints.put(name, assignment);
    }
    List<Diagnostic> diagnostics = before.diagnostics();
    List<Diagnostic> gatewayDiagnostics = gateway.diagnostics();
    if (exposureChanged) {
      gatewayRebuilds.incrementAndGet();
      XdsTranslator.GatewayConfig gw = XdsTranslator.gateway(parts.values(), ctx, settings);
      if (gw.listener().isPresent() != gateway.listener()) {
        return null; // the gateway's listener and the trace collector's cluster come or go
      }
      gw.listener().ifPresent(l -> listeners.put(l.getName(), l));
      gw.route().ifPresent(r -> routes.put(r.getName(), r));
      if (!gw.diagnostics().equals(gatewayDiagnostics)) {
        // a host and path claimed twice, or no longer: gathered again as the assembly does
        gatewayDiagnostics = gw.diagnostics();
        regather = true;
      }
    }
    if (regather) {
      SortedSet<Diagnostic> all = new TreeSet<>(modelDiagnostics);
      parts.values().forEach(p -> all.addAll(p.diagnostics()));
      all.addAll(gatewayDiagnostics);
      diagnostics = List.copyOf(all);
    }
    GroupResources resources = next.resources(before, diagnostics);
    return new GroupState(
        m.seq,
        resources,
        parts,
        Set.of(),
        modelDiagnostics,
        true,
        new GatewayState(clusterOwners, endpointOwners, gatewayDiagnostics, gateway.listener()),
        HashTreePMap.empty(),
        TreePMap.empty());
  }

  /** Equal diagnostics, the same list most often (the model's, unchanged). */
  private static boolean sameDiagnostics(List<Diagnostic> now, List<Diagnostic> was) {
    return now == was || now.equals(was);
  }

  /** A group's four resource maps being updated name by name from the group's last resources. */
  private static final class Working {
    final Names<io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters;
    final Names<io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment> endpoints;
    final Names<io.envoyproxy.envoy.config.listener.v3.Listener> listeners;
    final Names<io.envoyproxy.envoy.config.route.v3.RouteConfiguration> routes;

    Working(GroupResources before) {
      clusters = new Names<>(before.clusters());
      endpoints = new Names<>(before.endpoints());
      listeners = new Names<>(before.listeners());
      routes = new Names<>(before.routes());
    }

    /** The updated resources, with the names that changed since {@code before}. */
    GroupResources resources(GroupResources before, List<Diagnostic> diagnostics) {
      return new GroupResources(
          GroupResources.nextId(),
          clusters.map,
          endpoints.map,
          listeners.map,
          routes.map,
          diagnostics,
          Optional.of(
              new GroupResources.Delta(
                  before.id(),
                  clusters.changed(before.clusters()),
                  endpoints.changed(before.endpoints()),
                  listeners.changed(before.listeners()),
                  routes.changed(before.routes()))),
          List.of());
    }
  }

  /** The first of {@code items} named {@code name} (the one the full assembly keeps), or null. */
  private static <T> T first(
      List<T> items, java.util.function.Function<T, String> nameOf, String name) {
    for (T item : items) {
      if (nameOf.apply(item).equals(name)) {
        return item;
      }
    }
    return null;
  }

  /**
   * Whether two parts expose the same ports alike for the gateway's listener and route: the
   * Service, the port's policy, its exposure and its routes (not the endpoints the entry holds).
   */
  private static boolean sameExposure(ServiceResources was, ServiceResources now) {
    List<io.fairlead.translators.xds.GatewayListenerBuilder.Exposed> a =
        was == null ? List.of() : was.exposed();
    List<io.fairlead.translators.xds.GatewayListenerBuilder.Exposed> b =
        now == null ? List.of() : now.exposed();
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      var x = a.get(i);
      var y = b.get(i);
      if (!x.service().ref().equals(y.service().ref())
          || !x.policy().equals(y.policy())
          || !x.exposure().equals(y.exposure())
          || !x.routes().equals(y.routes())) {
        return false;
      }
    }
    return true;
  }

  private static final String HCM = "envoy.filters.network.http_connection_manager";

  /** Whether a part has a listener with an HTTP connection manager (a trace collector's reason). */
  private static boolean connectionManagers(ServiceResources part) {
    return part != null
        && part.listeners().stream()
            .flatMap(l -> l.getFilterChainsList().stream())
            .flatMap(c -> c.getFiltersList().stream())
            .anyMatch(f -> f.getName().equals(HCM));
  }

  /** One type's map, edited name by name, remembering the names it touched. */
  private static final class Names<T> {
    PSortedMap<String, T> map;
    final Set<String> touched = new TreeSet<>();

    Names(PSortedMap<String, T> map) {
      this.map = map;
    }

    void remove(String name) {
      map = map.minus(name);
      touched.add(name);
    }

    /**
     * Sets or (for null) removes the resource of a name, keeping the previous instance when the new
     * one is equal.
     */
    void put(String name, T resource) {
      T old = map.get(name);
      if (resource == null) {
        if (old != null) {
          map = map.minus(name);
        }
      } else if (old != resource && !resource.equals(old)) {
        map = map.plus(name, resource);
      }
      touched.add(name);
    }

    /** False when the name is there already: another Service's, or a constant. */
    boolean add(String name, T resource) {
      if (map.containsKey(name)) {
        return false;
      }
      map = map.plus(name, resource);
      touched.add(name);
      return true;
    }

    /** The touched names whose resource is not the same instance as before. */
    Set<String> changed(PSortedMap<String, T> before) {
      Set<String> changed = new TreeSet<>();
      for (String name : touched) {
        if (map.get(name) != before.get(name)) {
          changed.add(name);
        }
      }
      return java.util.Collections.unmodifiableSet(changed);
    }
  }

  /** {@code ctx} without the zone and node, unless a port of {@code entry} routes by them. */
  static ProxyContext effective(ProxyContext ctx, ServiceEntry entry) {
    // A gateway builds a split's backend clusters with the root: their topology counts too.
    List<io.fairlead.policies.PortPolicy> policies = new ArrayList<>();
    for (var port : entry.ports()) {
      policies.add(port.policy());
      port.split()
          .ifPresent(
              s -> {
                s.backends().forEach(b -> policies.add(b.port().policy()));
                s.matches().forEach(m -> policies.add(m.port().policy()));
              });
    }
    boolean byZone =
        policies.stream()
            .anyMatch(p -> p.topology().preferClose() || p.topology().failover().isPresent());
    boolean byNode = policies.stream().anyMatch(p -> p.topology().nodeLocal());
    if ((byZone || ctx.zone().isEmpty()) && (byNode || ctx.node().isEmpty())) {
      return ctx;
    }
    return ctx.withLocation(
        byZone ? ctx.zone() : Optional.empty(), byNode ? ctx.node() : Optional.empty());
  }
}
