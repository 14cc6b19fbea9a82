package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import java.util.Map;
import java.util.Optional;

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
}
