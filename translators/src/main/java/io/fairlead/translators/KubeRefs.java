package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fairlead.policies.ObjectRef;

/** References to Kubernetes objects. */
public final class KubeRefs {

  private KubeRefs() {}

  /** The object's {@code namespace/name}; no namespace means {@code default}. */
  public static ObjectRef of(HasMetadata object) {
    String ns = object.getMetadata().getNamespace();
    return new ObjectRef(
        ns == null || ns.isEmpty() ? "default" : ns, object.getMetadata().getName());
  }
}
