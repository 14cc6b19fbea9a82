package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * An immutable view of the Kubernetes objects Fairlead reads. Sources (informers, a directory)
 * produce it; the translator consumes it. The objects inside must not be mutated.
 *
 * <p>The maps are persistent (structure-sharing) sorted maps, and the state keeps the slices of
 * each Service (by the {@code kubernetes.io/service-name} label) as an index. A source that applies
 * one informer event with {@link #withService}, {@link #withoutService}, {@link #withSlice} or
 * {@link #withoutSlice} pays O(log n), not a copy of the world, and the translator finds a
 * Service's slices without scanning every slice.
 */
public final class KubeState {

  public static final KubeState EMPTY =
      new KubeState(TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty());

  private final PSortedMap<ObjectRef, Service> services;
  private final PSortedMap<ObjectRef, EndpointSlice> endpointSlices;

  /** Slices by the Service their label names (which may not exist), by slice ref. */
  private final PSortedMap<ObjectRef, PSortedMap<ObjectRef, EndpointSlice>> slicesByService;

  /** Slices without a usable service-name label. */
  private final PSortedMap<ObjectRef, EndpointSlice> unlabelled;

  /** A state of these objects; copies the maps and indexes the slices, O(n log n). */
  public KubeState(
      SortedMap<ObjectRef, Service> services, SortedMap<ObjectRef, EndpointSlice> endpointSlices) {
    KubeState s = EMPTY;
    PSortedMap<ObjectRef, Service> svcs = TreePMap.from(services);
    s = new KubeState(svcs, s.endpointSlices, s.slicesByService, s.unlabelled);
    for (Map.Entry<ObjectRef, EndpointSlice> e : endpointSlices.entrySet()) {
      s = s.withSlice(e.getKey(), e.getValue());
    }
    this.services = s.services;
    this.endpointSlices = s.endpointSlices;
    this.slicesByService = s.slicesByService;
    this.unlabelled = s.unlabelled;
  }

  private KubeState(
      PSortedMap<ObjectRef, Service> services,
      PSortedMap<ObjectRef, EndpointSlice> endpointSlices,
      PSortedMap<ObjectRef, PSortedMap<ObjectRef, EndpointSlice>> slicesByService,
      PSortedMap<ObjectRef, EndpointSlice> unlabelled) {
    this.services = services;
    this.endpointSlices = endpointSlices;
    this.slicesByService = slicesByService;
    this.unlabelled = unlabelled;
  }

  /** Builds a state from a bag of objects; later duplicates of one ref win. */
  public static KubeState of(List<Service> services, List<EndpointSlice> slices) {
    KubeState s = EMPTY;
    for (Service svc : services) {
      s = s.withService(KubeRefs.of(svc), svc);
    }
    for (EndpointSlice slice : slices) {
      s = s.withSlice(KubeRefs.of(slice), slice);
    }
    return s;
  }

  /** Every Service, by ref; unmodifiable. */
  public SortedMap<ObjectRef, Service> services() {
    return services;
  }

  /** Every EndpointSlice, by ref; unmodifiable. */
  public SortedMap<ObjectRef, EndpointSlice> endpointSlices() {
    return endpointSlices;
  }

  /** The slices labelled as belonging to {@code service}, in slice-ref order; O(log n). */
  public List<EndpointSlice> slicesOf(ObjectRef service) {
    PSortedMap<ObjectRef, EndpointSlice> of = slicesByService.get(service);
    return of == null ? List.of() : List.copyOf(of.values());
  }

  /** The Services that some slice names, existing or not, in ref order; unmodifiable. */
  @SuppressWarnings({"unchecked", "rawtypes"}) // read-only: a persistent map refuses writes
  public SortedMap<ObjectRef, SortedMap<ObjectRef, EndpointSlice>> slicesByService() {
    return (SortedMap) slicesByService;
  }

  /** The slices without a {@code kubernetes.io/service-name} label; unmodifiable. */
  public SortedMap<ObjectRef, EndpointSlice> unlabelledSlices() {
    return unlabelled;
  }

  public KubeState withService(ObjectRef ref, Service service) {
    Objects.requireNonNull(service);
    return new KubeState(services.plus(ref, service), endpointSlices, slicesByService, unlabelled);
  }

  public KubeState withoutService(ObjectRef ref) {
    return services.containsKey(ref)
        ? new KubeState(services.minus(ref), endpointSlices, slicesByService, unlabelled)
        : this;
  }

  public KubeState withSlice(ObjectRef ref, EndpointSlice slice) {
    Objects.requireNonNull(slice);
    KubeState without = withoutSlice(ref);
    Optional<ObjectRef> owner = KubeLabels.serviceOf(slice);
    PSortedMap<ObjectRef, PSortedMap<ObjectRef, EndpointSlice>> index = without.slicesByService;
    PSortedMap<ObjectRef, EndpointSlice> orphans = without.unlabelled;
    if (owner.isPresent()) {
      PSortedMap<ObjectRef, EndpointSlice> of = index.get(owner.get());
      index =
          index.plus(
              owner.get(),
              (of == null ? TreePMap.<ObjectRef, EndpointSlice>empty() : of).plus(ref, slice));
    } else {
      orphans = orphans.plus(ref, slice);
    }
    return new KubeState(services, without.endpointSlices.plus(ref, slice), index, orphans);
  }

  public KubeState withoutSlice(ObjectRef ref) {
    EndpointSlice old = endpointSlices.get(ref);
    if (old == null) {
      return this;
    }
    PSortedMap<ObjectRef, PSortedMap<ObjectRef, EndpointSlice>> index = slicesByService;
    PSortedMap<ObjectRef, EndpointSlice> orphans = unlabelled;
    Optional<ObjectRef> owner = KubeLabels.serviceOf(old);
    if (owner.isPresent()) {
      PSortedMap<ObjectRef, EndpointSlice> of = index.get(owner.get()).minus(ref);
      index = of.isEmpty() ? index.minus(owner.get()) : index.plus(owner.get(), of);
    } else {
      orphans = orphans.minus(ref);
    }
    return new KubeState(services, endpointSlices.minus(ref), index, orphans);
  }

  /** Equal when the same objects are at the same refs (the index follows from them). */
  @Override
  public boolean equals(Object o) {
    return o instanceof KubeState other
        && services.equals(other.services)
        && endpointSlices.equals(other.endpointSlices);
  }

  @Override
  public int hashCode() {
    return Objects.hash(services, endpointSlices);
  }

  @Override
  public String toString() {
    return "KubeState[services="
        + services.keySet()
        + ", endpointSlices="
        + endpointSlices.keySet()
        + "]";
  }

  /** For a source's tests: the index rebuilt from scratch equals the maintained one. */
  boolean indexConsistent() {
    Map<ObjectRef, List<ObjectRef>> expected = new TreeMap<>();
    List<ObjectRef> none = new ArrayList<>();
    endpointSlices.forEach(
        (ref, slice) ->
            KubeLabels.serviceOf(slice)
                .ifPresentOrElse(
                    svc -> expected.computeIfAbsent(svc, k -> new ArrayList<>()).add(ref),
                    () -> none.add(ref)));
    Map<ObjectRef, List<ObjectRef>> actual = new TreeMap<>();
    slicesByService.forEach((svc, of) -> actual.put(svc, List.copyOf(of.keySet())));
    return expected.equals(actual) && none.equals(List.copyOf(unlabelled.keySet()));
  }
}
