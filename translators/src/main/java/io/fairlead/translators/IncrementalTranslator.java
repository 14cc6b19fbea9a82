package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
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
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Translates only what changed. A source change rebuilds the model of the Services it names; a
 * context's translation reuses each Service's resources while its model entry is the same object.
 * The output equals {@link XdsTranslator#translate} of the whole state with the same settings
 * (tested).
 */
public final class IncrementalTranslator {

  /**
   * The model built from one update: per-Service parts, the state-wide diagnostics, and the
   * source's diagnostics that came with it.
   */
  private record Model(
      SortedMap<ObjectRef, KubeModelBuilder.Built> services,
      SortedMap<ObjectRef, ServiceEntry> entries,
      List<Diagnostic> diagnostics,
      List<Diagnostic> sourceDiagnostics) {}

  private record Memo(ServiceEntry entry, ServiceResources resources) {}

  private final TranslationSettings settings;
  private volatile Model model = new Model(new TreeMap<>(), new TreeMap<>(), List.of(), List.of());
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
    Map<ObjectRef, List<EndpointSlice>> slices = KubeModelBuilder.slicesByService(state);
    SortedMap<ObjectRef, KubeModelBuilder.Built> next = new TreeMap<>(model.services());
    next.keySet().retainAll(state.services().keySet());
    Set<ObjectRef> dirty = new TreeSet<>();
    if (change.full()) {
      dirty.addAll(state.services().keySet());
    } else {
      dirty.addAll(change.services());
      dirty.addAll(change.endpointsOf());
    }
    dirty.addAll(state.services().keySet().stream().filter(r -> !next.containsKey(r)).toList());
    for (ObjectRef ref : dirty) {
      Service svc = state.services().get(ref);
      if (svc == null) {
        next.remove(ref);
      } else {
        next.put(ref, KubeModelBuilder.buildService(svc, slices.getOrDefault(ref, List.of())));
      }
    }
    List<Diagnostic> diagnostics = new ArrayList<>(KubeModelBuilder.orphanSlices(state, slices));
    next.values().forEach(b -> diagnostics.addAll(b.diagnostics()));
    // Splits look across Services: every root is resolved again, and keeps its previous entry
    // (and so its memoised translation) when the result is equal.
    List<ServiceEntry> built = new ArrayList<>();
    next.values().forEach(b -> b.entry().ifPresent(built::add));
    Splits.Resolution splits = Splits.resolve(built);
    diagnostics.addAll(splits.diagnostics());
    SortedMap<ObjectRef, ServiceEntry> entries = new TreeMap<>();
    for (ServiceEntry entry : splits.services()) {
      ServiceEntry previous = model.entries().get(entry.ref());
      entries.put(
          entry.ref(),
          previous != null && previous != entry && previous.equals(entry) ? previous : entry);
    }
    model = new Model(next, entries, List.copyOf(new TreeSet<>(diagnostics)), update.diagnostics());
  }

  /** The diagnostics of the state: model and source, whatever proxies are connected. */
  public List<Diagnostic> diagnostics() {
    Model m = model;
    List<Diagnostic> all = new ArrayList<>(m.diagnostics());
    all.addAll(m.sourceDiagnostics());
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
    for (Map.Entry<ObjectRef, ServiceEntry> e : m.entries().entrySet()) {
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
      if (memo.size() > m.services().size()) {
        memo.keySet().retainAll(m.services().keySet());
      }
    }
    List<Diagnostic> diagnostics = new ArrayList<>(m.diagnostics());
    diagnostics.addAll(m.sourceDiagnostics());
    return XdsTranslator.assemble(parts, diagnostics, ctx);
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
    boolean byZone = policies.stream().anyMatch(p -> p.topology().preferClose());
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
