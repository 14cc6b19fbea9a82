package io.fairlead.translators;

import com.google.common.base.Suppliers;
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
import java.util.function.Supplier;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

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
    private final Supplier<List<Diagnostic>> diagnostics;

    Model(
        PSortedMap<ObjectRef, KubeModelBuilder.Built> services,
        PSortedMap<ObjectRef, ServiceEntry> entries,
        PSortedMap<ObjectRef, Set<ObjectRef>> roots,
        PSortedMap<ObjectRef, List<Diagnostic>> splitDiagnostics,
        PSortedMap<ObjectRef, List<Diagnostic>> orphans,
        List<Diagnostic> unlabelled,
        List<Diagnostic> sourceDiagnostics) {
      this.services = services;
      this.entries = entries;
      this.roots = roots;
      this.splitDiagnostics = splitDiagnostics;
      this.orphans = orphans;
      this.unlabelled = unlabelled;
      this.sourceDiagnostics = sourceDiagnostics;
      // gathered once per model, when a publish first asks, not on every source event
      this.diagnostics = Suppliers.memoize(this::gather);
    }

    static Model empty() {
      return new Model(
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          List.of(),
          List.of());
    }

    /**
     * The state-wide diagnostics: the Services', the splits', the orphan and unlabelled slices'.
     */
    List<Diagnostic> diagnostics() {
      return diagnostics.get();
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
    if (change.full() || !coherent(services, state)) {
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
    for (ObjectRef ref : dirty) {
      Service svc = state.services().get(ref);
      Optional<ServiceEntry> entry = Optional.empty();
      if (svc == null) {
        services = services.minus(ref);
      } else {
        KubeModelBuilder.Built built =
            KubeModelBuilder.buildService(svc, state.slicesOf(ref), state::pod);
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
    model =
        new Model(
            services, entries, roots, splitDiagnostics, orphans, unlabelled, update.diagnostics());
  }

  /**
   * A guard in O(1): the model holds as many Services as the state. Sources name every Service they
   * add or remove in the change ({@code MutableKubeState}, {@link Change#between}); a change that
   * did not, and so left the model with a Service too many or too few, is caught here and answered
   * with a full rebuild instead of a wrong model.
   */
  private static boolean coherent(
      PSortedMap<ObjectRef, KubeModelBuilder.Built> services, KubeState state) {
    return services.size() == state.services().size();
  }

  /** The diagnostics of the state: model and source, whatever proxies are connected. */
  public List<Diagnostic> diagnostics() {
    Model m = model;
    List<Diagnostic> all = new ArrayList<>(m.diagnostics());
    all.addAll(m.sourceDiagnostics);
    return List.copyOf(new TreeSet<>(all));
  }

  /** Drops what was memoised for a context no proxy uses any more. */
  public void forget(ProxyContext ctx) {
    memos.remove(ctx);
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
      ProxyContext seenBy = effective(ctx, entry);
      Map<ObjectRef, Memo> memo = memos.computeIfAbsent(seenBy, c -> new ConcurrentHashMap<>());
      Memo cached = memo.get(e.getKey());
      if (cached == null || cached.entry() != entry) {
        cached = new Memo(entry, XdsTranslator.translateService(entry, seenBy, settings));
        memo.put(e.getKey(), cached);
      }
      parts.add(cached.resources());
    }
    for (Map<ObjectRef, Memo> memo : memos.values()) {
      if (memo.size() > m.services.size()) {
        memo.keySet().retainAll(m.services.keySet());
      }
    }
    List<Diagnostic> diagnostics = new ArrayList<>(m.diagnostics());
    diagnostics.addAll(m.sourceDiagnostics);
    return XdsTranslator.assemble(parts, diagnostics, ctx, settings);
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
    return new ProxyContext(
        ctx.role(),
        ctx.client(),
        ctx.gateway(),
        byZone ? ctx.zone() : Optional.empty(),
        byNode ? ctx.node() : Optional.empty(),
        ctx.namespaces(),
        ctx.proxyNamespace());
  }
}
