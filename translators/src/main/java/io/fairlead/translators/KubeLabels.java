package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The labels Kubernetes uses to tie objects together; the only place their keys are spelt. */
public final class KubeLabels {

  /** The label that ties an EndpointSlice to its Service (set by the EndpointSlice controller). */
  public static final String SERVICE_NAME = "kubernetes.io/service-name";

  private KubeLabels() {}

  /**
   * The Service an EndpointSlice belongs to, in the slice's namespace; empty when the label is
   * missing or blank (no Service name is blank, so such a slice belongs to none).
   */
  public static Optional<ObjectRef> serviceOf(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String name = labels == null ? null : labels.get(SERVICE_NAME);
    return name == null || name.isBlank()
        ? Optional.empty()
        : Optional.of(new ObjectRef(KubeRefs.of(slice).namespace(), name));
  }

  /**
   * The Pod an endpoint's {@code targetRef} names, in the slice's namespace unless the ref says
   * otherwise; empty when it names no Pod (no ref, another kind, no name).
   */
  public static Optional<ObjectRef> podOf(EndpointSlice slice, Endpoint endpoint) {
    ObjectReference ref = endpoint == null ? null : endpoint.getTargetRef();
    if (ref == null
        || ref.getName() == null
        || ref.getName().isEmpty()
        || !(ref.getKind() == null || "Pod".equals(ref.getKind()))) {
      return Optional.empty();
    }
    String ns =
        ref.getNamespace() == null || ref.getNamespace().isEmpty()
            ? KubeRefs.of(slice).namespace()
            : ref.getNamespace();
    return Optional.of(new ObjectRef(ns, ref.getName()));
  }

  /** The Pods a slice's endpoints name, each once. */
  public static Set<ObjectRef> podsOf(EndpointSlice slice) {
    if (slice.getEndpoints() == null) {
      return Set.of();
    }
    Set<ObjectRef> out = new TreeSet<>();
    for (Endpoint ep : slice.getEndpoints()) {
      podOf(slice, ep).ifPresent(out::add);
    }
    return out;
  }
}
