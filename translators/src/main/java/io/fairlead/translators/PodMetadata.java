package io.fairlead.translators;

import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.ObjectRef;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Fairlead keeps of a Pod: its name, its resourceVersion and the raw value of its {@code
 * fairlead.io/weight} annotation. Nothing else of a Pod is read, so 100,000 Pods cost a few
 * megabytes, not the gigabytes of whole Pod objects.
 *
 * @param weight the annotation's raw value, parsed (and diagnosed) where the model is built
 */
public record PodMetadata(ObjectRef ref, String resourceVersion, Optional<String> weight) {

  public PodMetadata {
    Objects.requireNonNull(ref);
    resourceVersion = Objects.requireNonNullElse(resourceVersion, "");
    Objects.requireNonNull(weight);
  }

  /** From a Pod's metadata: namespace, name, resourceVersion and annotations. */
  public static PodMetadata of(
      ObjectRef ref, String resourceVersion, Map<String, String> annotations) {
    return new PodMetadata(
        ref,
        resourceVersion,
        Optional.ofNullable(
            annotations == null
                ? null
                : annotations.get(AnnotationRegistry.POD_WEIGHT.fullName())));
  }

  /** A Pod from a Fabric8 object; only its metadata is read. */
  public static PodMetadata of(io.fabric8.kubernetes.api.model.HasMetadata pod) {
    return of(
        KubeRefs.of(pod),
        pod.getMetadata().getResourceVersion(),
        pod.getMetadata().getAnnotations());
  }

  /**
   * The weight annotation of a Pod that may be absent ({@code null}): the model reads nothing else,
   * so two Pods (or a Pod and none) with equal values here build equal models.
   */
  public static Optional<String> weightOf(PodMetadata pod) {
    return pod == null ? Optional.empty() : pod.weight();
  }
}
