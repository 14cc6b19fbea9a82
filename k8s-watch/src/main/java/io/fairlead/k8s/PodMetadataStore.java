package io.fairlead.k8s;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.translators.PodMetadata;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The Pods' cache ({@link PodMetadataReflector}'s store), keeping of each Pod only what Fairlead
 * reads: namespace, name, resourceVersion and the {@code fairlead.io/weight} annotation ({@link
 * PodMetadata}), not the whole object with its spec and status. Reads give back a Pod holding just
 * that metadata, which is all the source reads. It is also a Fabric8 {@link ItemStore}, so it can
 * serve as an informer's store.
 *
 * <p>The reflector lists and watches Pods as {@code PartialObjectMetadata}, so spec and status do
 * not cross the wire either; a server that sends whole Pods anyway has them reduced here.
 */
final class PodMetadataStore implements ItemStore<Pod> {

  private final Map<String, PodMetadata> byKey = new ConcurrentHashMap<>();

  @Override
  public String getKey(Pod pod) {
    return key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  @Override
  public Pod put(String key, Pod pod) {
    return restore(byKey.put(key, PodMetadata.of(pod)));
  }

  @Override
  public Pod remove(String key) {
    return restore(byKey.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return byKey.keySet().stream();
  }

  @Override
  public Stream<Pod> values() {
    return byKey.values().stream().map(PodMetadataStore::restore);
  }

  @Override
  public int size() {
    return byKey.size();
  }

  @Override
  public Pod get(String key) {
    return restore(byKey.get(key));
  }

  /** What is kept of a Pod. */
  PodMetadata metadata(String key) {
    return byKey.get(key);
  }

  /** Keeps a Pod's metadata as it came off the wire; returns what was kept before. */
  PodMetadata put(PodMetadata m) {
    return byKey.put(key(m.ref().namespace(), m.ref().name()), m);
  }

  /** Forgets a Pod; returns what was kept of it. */
  PodMetadata removeMetadata(String key) {
    return byKey.remove(key);
  }

  /** The store's key of a Pod (as Fabric8's informers key objects: namespace/name). */
  static String key(String namespace, String name) {
    return (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
  }

  /** A Pod carrying only the kept metadata. */
  static Pod restore(PodMetadata m) {
    if (m == null) {
      return null;
    }
    ObjectMetaBuilder meta =
        new ObjectMetaBuilder()
            .withNamespace(m.ref().namespace())
            .withName(m.ref().name())
            .withResourceVersion(m.resourceVersion().isEmpty() ? null : m.resourceVersion());
    m.weight().ifPresent(w -> meta.addToAnnotations(AnnotationRegistry.POD_WEIGHT.fullName(), w));
    Pod pod = new Pod();
    pod.setMetadata(meta.build());
    return pod;
  }
}
