package io.fairlead.k8s;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.Relevance;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The objects a source has seen, updated one object at a time; each update says what it changed.
 * Not thread-safe: a source confines it to its event thread.
 */
final class MutableKubeState {

  private final TreeMap<ObjectRef, Service> services = new TreeMap<>();
  private final TreeMap<ObjectRef, EndpointSlice> slices = new TreeMap<>();

  /** Sets the current version of a Service; empty means it is gone. */
  Change setService(ObjectRef ref, Optional<Service> now) {
    Service old = services.get(ref);
    if (now.isEmpty()) {
      return services.remove(ref) == null ? Change.NONE : Change.ofService(ref);
    }
    if (old != null && Relevance.sameResourceVersion(old, now.get())) {
      return Change.NONE;
    }
    services.put(ref, now.get());
    return old == null || Relevance.serviceChanged(old, now.get())
        ? Change.ofService(ref)
        : Change.NONE;
  }

  /** Sets the current version of an EndpointSlice; empty means it is gone. */
  Change setSlice(ObjectRef ref, Optional<EndpointSlice> now) {
    EndpointSlice old = slices.get(ref);
    if (now.isEmpty()) {
      slices.remove(ref);
      return Change.ofEndpoints(Relevance.endpointsAffected(old, null));
    }
    if (old != null && Relevance.sameResourceVersion(old, now.get())) {
      return Change.NONE;
    }
    slices.put(ref, now.get());
    return Change.ofEndpoints(Relevance.endpointsAffected(old, now.get()));
  }

  Set<ObjectRef> serviceRefs() {
    return Set.copyOf(services.keySet());
  }

  Set<ObjectRef> sliceRefs() {
    return Set.copyOf(slices.keySet());
  }

  KubeState snapshot() {
    return new KubeState(services, slices);
  }
}
