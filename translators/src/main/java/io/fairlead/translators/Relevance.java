package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.ObjectRef;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which differences between two versions of an object matter downstream. Status, managed fields and
 * the like do not: a change to them alone produces no {@link Change}.
 */
public final class Relevance {

  private Relevance() {}

  public static boolean serviceChanged(Service a, Service b) {
    return !Objects.equals(a.getSpec(), b.getSpec())
        || !labels(a).equals(labels(b))
        || !annotations(a).equals(annotations(b));
  }

  /** The Services whose endpoints differ between two versions of a slice (either may be null). */
  public static Set<ObjectRef> endpointsAffected(EndpointSlice old, EndpointSlice now) {
    Set<ObjectRef> affected = new TreeSet<>();
    if (old == null && now == null) {
      return affected;
    }
    if (old == null || now == null || sliceChanged(old, now)) {
      if (old != null) {
        KubeLabels.serviceOf(old).ifPresent(affected::add);
      }
      if (now != null) {
        KubeLabels.serviceOf(now).ifPresent(affected::add);
      }
    }
    return affected;
  }

  public static boolean sliceChanged(EndpointSlice a, EndpointSlice b) {
    return !Objects.equals(a.getAddressType(), b.getAddressType())
        || !Objects.equals(a.getEndpoints(), b.getEndpoints())
        || !Objects.equals(a.getPorts(), b.getPorts())
        || !KubeLabels.serviceOf(a).equals(KubeLabels.serviceOf(b));
  }

  /**
   * True when both carry the same non-empty resourceVersion: the API server says nothing changed.
   */
  public static boolean sameResourceVersion(HasMetadata a, HasMetadata b) {
    String va = a.getMetadata().getResourceVersion();
    return va != null && !va.isEmpty() && va.equals(b.getMetadata().getResourceVersion());
  }

  private static Map<String, String> labels(HasMetadata o) {
    Map<String, String> m = o.getMetadata().getLabels();
    return m == null ? Map.of() : m;
  }

  private static Map<String, String> annotations(HasMetadata o) {
    Map<String, String> m = o.getMetadata().getAnnotations();
    return m == null ? Map.of() : m;
  }
}
