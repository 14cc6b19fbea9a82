package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What changed since the previous state, so that downstream can translate only that.
 *
 * @param services Services added, removed, or whose spec, labels or annotations changed
 * @param endpointsOf Services whose EndpointSlices (labelled {@code kubernetes.io/service-name})
 *     were added, removed or changed
 * @param pods Pods whose weight annotation was added, removed or changed; the Services whose slices
 *     name them are rebuilt ({@link KubeState#servicesOfPods})
 * @param full everything must be considered changed (the first state of a source); the sets may
 *     then be incomplete
 */
public record Change(
    Set<ObjectRef> services, Set<ObjectRef> endpointsOf, Set<ObjectRef> pods, boolean full) {

  public static final Change NONE = new Change(Set.of(), Set.of(), false);
  public static final Change FULL = new Change(Set.of(), Set.of(), true);

  public Change {
    services = sorted(services);
    endpointsOf = sorted(endpointsOf);
    pods = sorted(pods);
  }

  /** A change that names no Pod. */
  public Change(Set<ObjectRef> services, Set<ObjectRef> endpointsOf, boolean full) {
    this(services, endpointsOf, Set.of(), full);
  }

  public static Change ofPod(ObjectRef ref) {
    return new Change(Set.of(), Set.of(), Set.of(ref), false);
  }

  public static Change ofService(ObjectRef ref) {
    return new Change(Set.of(ref), Set.of(), false);
  }

  public static Change ofEndpoints(Set<ObjectRef> refs) {
    return new Change(Set.of(), refs, false);
  }

  public boolean isEmpty() {
    return !full && services.isEmpty() && endpointsOf.isEmpty() && pods.isEmpty();
  }

  /** The change covering both this and {@code other}, e.g. to merge changes while debouncing. */
  public Change merge(Change other) {
    SortedSet<ObjectRef> s = new TreeSet<>(services);
    s.addAll(other.services);
    SortedSet<ObjectRef> e = new TreeSet<>(endpointsOf);
    e.addAll(other.endpointsOf);
    SortedSet<ObjectRef> p = new TreeSet<>(pods);
    p.addAll(other.pods);
    return new Change(s, e, p, full || other.full);
  }

  /** Compares two whole states; never {@link #full()}. */
  public static Change between(KubeState before, KubeState after) {
    SortedSet<ObjectRef> services = new TreeSet<>();
    SortedSet<ObjectRef> refs = new TreeSet<>(before.services().keySet());
    refs.addAll(after.services().keySet());
    for (ObjectRef ref : refs) {
      Service old = before.services().get(ref);
      Service now = after.services().get(ref);
      if (old == null || now == null || Relevance.serviceChanged(old, now)) {
        services.add(ref);
      }
    }
    SortedSet<ObjectRef> endpointsOf = new TreeSet<>();
    refs = new TreeSet<>(before.endpointSlices().keySet());
    refs.addAll(after.endpointSlices().keySet());
    for (ObjectRef ref : refs) {
      EndpointSlice old = before.endpointSlices().get(ref);
      EndpointSlice now = after.endpointSlices().get(ref);
      endpointsOf.addAll(Relevance.endpointsAffected(old, now));
    }
    SortedSet<ObjectRef> pods = new TreeSet<>();
    refs = new TreeSet<>(before.pods().keySet());
    refs.addAll(after.pods().keySet());
    for (ObjectRef ref : refs) {
      PodMetadata old = before.pods().get(ref);
      PodMetadata now = after.pods().get(ref);
      if (!PodMetadata.weightOf(old).equals(PodMetadata.weightOf(now))) {
        pods.add(ref);
      }
    }
    return new Change(services, endpointsOf, pods, false);
  }

  private static Set<ObjectRef> sorted(Set<ObjectRef> refs) {
    return Collections.unmodifiableSortedSet(new TreeSet<>(refs));
  }
}
