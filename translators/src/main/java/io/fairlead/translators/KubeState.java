package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pcollections.PSortedMap;
import org.pcollections.PSortedSet;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * An immutable view of the Kubernetes objects Fairlead reads. Sources (informers, a directory)
 * produce it; the translator consumes it. The objects inside must not be mutated.
 *
 * <p>The maps are persistent (structure-sharing) sorted maps, and the state keeps the slices of
 * each Service (by the {@code kubernetes.io/service-name} label) as an index. A source that applies
 * one informer event with {@link #withService}, {@link #withoutService}, {@link #withSlice} or
 * {@link #withoutSlice} pays O(log n), not a copy of the world, and the translator finds a
 * Service's slices without scanning every slice.
 *
 * <p>Pods are kept as {@link PodMetadata} only (their weight annotation), with an index from each
 * Pod to the slices whose endpoints name it ({@code targetRef}), so that a Pod's weight change
 * names the Services it affects in O(log n).
 */
public final class KubeState {

  public static final KubeState EMPTY =
      new KubeState(
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty(),
          TreePMap.empty());

  private final PSortedMap<ObjectRef, Service> services;
  private final PSortedMap<ObjectRef, EndpointSlice> endpointSlices;

  /** Slices by the Service their label names (which may not exist), by slice ref. */
  private final PSortedMap<ObjectRef, PSortedMap<ObjectRef, EndpointSlice>> slicesByService;

  /** Slices without a usable service-name label. */
  private final PSortedMap<ObjectRef, EndpointSlice> unlabelled;

  /** Pods, by ref: only what the model reads of them. */
  private final PSortedMap<ObjectRef, PodMetadata> pods;

  /** The slices whose endpoints name each Pod in their {@code targetRef}, existing or not. */
  private final PSortedMap<ObjectRef, PSortedSet<ObjectRef>> slicesByPod;

  /** A state of these objects; copies the maps and indexes the slices, O(n log n). */
  public KubeState(
      SortedMap<ObjectRef, Service> services, SortedMap<ObjectRef, EndpointSlice> endpointSlices) {
    KubeState s = EMPTY;
    PSortedMap<ObjectRef, Service> svcs = TreePMap.from(services);
    s =
        new KubeState(
            svcs, s.endpointSlices, s.slicesByService, s.unlabelled, s.pods, s.slicesByPod);
    for (Map.Entry<ObjectRef, EndpointSlice> e : endpointSlices.entrySet()) {
      s = s.withSlice(e.getKey(), e.getValue());
    }
    this.services = s.services;
    this.endpointSlices = s.endpointSlices;
    this.slicesByService = s.slicesByService;
    this.unlabelled = s.unlabelled;
    this.pods = s.pods;
    this.slicesByPod = s.slicesByPod;
  }

  private KubeState(
      PSortedMap<ObjectRef, Service> services,
      PSortedMap<ObjectRef, EndpointSlice> endpointSlices,
      PSortedMap<ObjectRef, PSortedMap<ObjectRef, EndpointSlice>> slicesByService,
      PSortedMap<ObjectRef, EndpointSlice> unlabelled,
      PSortedMap<ObjectRef, PodMetadata> pods,
      PSortedMap<ObjectRef, PSortedSet<ObjectRef>> slicesByPod) {
    this.services = services;
    this.endpointSlices = endpointSlices;
    this.slicesByService = slicesByService;
    this.unlabelled = unlabelled;
    this.pods = pods;
    this.slicesByPod = slicesByPod;
  }

  /** Builds a state from a bag of objects and Pods; later duplicates of one ref win. */
  public static KubeState of(
      List<Service> services, List<EndpointSlice> slices, List<PodMetadata> pods) {
    KubeState s = of(services, slices);
    for (PodMetadata pod : pods) {
      s = s.withPod(pod);
    }
    return s;
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

  /** Every Pod Fairlead knows of, by ref; unmodifiable. */
  public SortedMap<ObjectRef, PodMetadata> pods() {
    return pods;
  }

  /** A Pod's metadata, when the source has it. */
  public Optional<PodMetadata> pod(ObjectRef ref) {
    return Optional.ofNullable(pods.get(ref));
  }

  /** The slices whose endpoints name {@code pod} in their {@code targetRef}; O(log n). */
  public Set<ObjectRef> slicesOfPod(ObjectRef pod) {
    PSortedSet<ObjectRef> of = slicesByPod.get(pod);
    return of == null ? Set.of() : of;
  }

  /**
   * The Services (by the slices' {@code kubernetes.io/service-name} label) whose endpoints are
   * these Pods': those a change to the Pods' weights affects.
   */
  public Set<ObjectRef> servicesOfPods(Set<ObjectRef> pods) {
    Set<ObjectRef> out = new TreeSet<>();
    for (ObjectRef pod : pods) {
      for (ObjectRef slice : slicesOfPod(pod)) {
        EndpointSlice s = endpointSlices.get(slice);
        if (s != null) {
          KubeLabels.serviceOf(s).ifPresent(out::add);
        }
      }
    }
    return out;
  }

  /** The Pods the endpoints of {@code service}'s slices name ({@code targetRef}). */
  public Set<ObjectRef> podsOfService(ObjectRef service) {
    Set<ObjectRef> out = new TreeSet<>();
    slicesOf(service).forEach(slice -> out.addAll(KubeLabels.podsOf(slice)));
    return out;
  }

  public KubeState withPod(PodMetadata pod) {
    return new KubeState(
        services,
        endpointSlices,
        slicesByService,
        unlabelled,
        pods.plus(pod.ref(), pod),
        slicesByPod);
  }

  public KubeState withoutPod(ObjectRef ref) {
    return pods.containsKey(ref)
        ? new KubeState(
            services, endpointSlices, slicesByService, unlabelled, pods.minus(ref), slicesByPod)
        : this;
  }

  public KubeState withService(ObjectRef ref, Service service) {
    Objects.requireNonNull(service);
    return new KubeState(
        services.plus(ref, service),
        endpointSlices,
        slicesByService,
        unlabelled,
        pods,
        slicesByPod);
  }

  public KubeState withoutService(ObjectRef ref) {
    return services.containsKey(ref)
        ? new KubeState(
            services.minus(ref), endpointSlices, slicesByService, unlabelled, pods, slicesByPod)
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
    PSortedMap<ObjectRef, PSortedSet<ObjectRef>> byPod = without.slicesByPod;
    for (ObjectRef pod : KubeLabels.podsOf(slice)) {
      PSortedSet<ObjectRef> of = byPod.get(pod);
      byPod = byPod.plus(pod, (of == null ? TreePSet.<ObjectRef>empty() : of).plus(ref));
    }
    return new KubeState(
        services, without.endpointSlices.plus(ref, slice), index, orphans, pods, byPod);
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
    PSortedMap<ObjectRef, PSortedSet<ObjectRef>> byPod = slicesByPod;
    for (ObjectRef pod : KubeLabels.podsOf(old)) {
      PSortedSet<ObjectRef> of = byPod.get(pod);
      if (of != null) {
        of = of.minus(ref);
        byPod = of.isEmpty() ? byPod.minus(pod) : byPod.plus(pod, of);
      }
    }
    return new KubeState(services, endpointSlices.minus(ref), index, orphans, pods, byPod);
  }

  /** Equal when the same objects are at the same refs (the index follows from them). */
  @Override
  public boolean equals(Object o) {
    return o instanceof KubeState other
        && services.equals(other.services)
        && endpointSlices.equals(other.endpointSlices)
        && pods.equals(other.pods);
  }

  @Override
  public int hashCode() {
    return Objects.hash(services, endpointSlices, pods);
  }

  @Override
  public String toString() {
    return "KubeState[services="
        + services.keySet()
        + ", endpointSlices="
        + endpointSlices.keySet()
        + ", pods="
        + pods.size()
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
    Map<ObjectRef, Set<ObjectRef>> expectedByPod = new TreeMap<>();
    endpointSlices.forEach(
        (ref, slice) ->
            KubeLabels.podsOf(slice)
                .forEach(pod -> expectedByPod.computeIfAbsent(pod, k -> new TreeSet<>()).add(ref)));
    Map<ObjectRef, Set<ObjectRef>> actualByPod = new TreeMap<>();
    slicesByPod.forEach((pod, of) -> actualByPod.put(pod, new TreeSet<>(of)));
    return expected.equals(actual)
        && none.equals(List.copyOf(unlabelled.keySet()))
        && expectedByPod.equals(actualByPod);
  }
}
