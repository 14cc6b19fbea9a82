package io.fairlead.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.PodMetadata;
import io.fairlead.translators.Relevance;
import java.util.Optional;
import java.util.Set;

/**
 * The objects a source has seen, updated one object at a time; each update says what it changed.
 * The state is persistent: an update costs O(log n) and {@link #snapshot()} is free. Not
 * thread-safe: a source confines it to its event thread.
 */
final class MutableKubeState {

  private KubeState state = KubeState.EMPTY;

  /** Sets the current version of a Service; empty means it is gone. */
  Change setService(ObjectRef ref, Optional<Service> now) {
    Service old = state.services().get(ref);
    if (now.isEmpty()) {
      if (old == null) {
        return Change.NONE;
      }
      state = state.withoutService(ref);
      return Change.ofService(ref);
    }
    if (old != null && Relevance.sameResourceVersion(old, now.get())) {
      return Change.NONE;
    }
    state = state.withService(ref, now.get());
    return old == null || Relevance.serviceChanged(old, now.get())
        ? Change.ofService(ref)
        : Change.NONE;
  }

  /** Sets the current version of an EndpointSlice; empty means it is gone. */
  Change setSlice(ObjectRef ref, Optional<EndpointSlice> now) {
    EndpointSlice old = state.endpointSlices().get(ref);
    if (now.isEmpty()) {
      state = state.withoutSlice(ref);
      return Change.ofEndpoints(Relevance.endpointsAffected(old, null));
    }
    if (old != null && Relevance.sameResourceVersion(old, now.get())) {
      return Change.NONE;
    }
    state = state.withSlice(ref, now.get());
    return Change.ofEndpoints(Relevance.endpointsAffected(old, now.get()));
  }

  /**
   * Sets the current version of a Pod; empty means it is gone. Only Pods with a weight annotation
   * are kept in the state (the others build the same model as no Pod at all), and only a change of
   * that annotation is a change.
   */
  Change setPod(ObjectRef ref, Optional<Pod> now) {
    PodMetadata old = state.pods().get(ref);
    PodMetadata meta = now.map(PodMetadata::of).orElse(null);
    if (old != null
        && meta != null
        && !old.resourceVersion().isEmpty()
        && old.resourceVersion().equals(meta.resourceVersion())) {
      return Change.NONE;
    }
    state = meta == null || meta.weight().isEmpty() ? state.withoutPod(ref) : state.withPod(meta);
    return PodMetadata.weightOf(old).equals(PodMetadata.weightOf(meta))
        ? Change.NONE
        : Change.ofPod(ref);
  }

  Set<ObjectRef> podRefs() {
    return Set.copyOf(state.pods().keySet());
  }

  Set<ObjectRef> serviceRefs() {
    return Set.copyOf(state.services().keySet());
  }

  Set<ObjectRef> sliceRefs() {
    return Set.copyOf(state.endpointSlices().keySet());
  }

  KubeState snapshot() {
    return state;
  }
}
