package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable view of the Kubernetes objects Fairlead reads. Sources (informers, a directory)
 * produce it; the translator consumes it. The objects inside must not be mutated.
 */
public record KubeState(
    SortedMap<ObjectRef, Service> services, SortedMap<ObjectRef, EndpointSlice> endpointSlices) {

  public static final KubeState EMPTY = new KubeState(new TreeMap<>(), new TreeMap<>());

  public KubeState {
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    endpointSlices = Collections.unmodifiableSortedMap(new TreeMap<>(endpointSlices));
  }

  /** Builds a state from a bag of objects; later duplicates of one ref win. */
  public static KubeState of(List<Service> services, List<EndpointSlice> slices) {
    Map<ObjectRef, Service> s = new TreeMap<>();
    services.forEach(svc -> s.put(KubeRefs.of(svc), svc));
    Map<ObjectRef, EndpointSlice> e = new TreeMap<>();
    slices.forEach(slice -> e.put(KubeRefs.of(slice), slice));
    return new KubeState(new TreeMap<>(s), new TreeMap<>(e));
  }
}
