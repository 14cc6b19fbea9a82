package io.fairlead.policies;

import java.util.Comparator;

/** {@code namespace/name} of a namespaced Kubernetes object. */
public record ObjectRef(String namespace, String name) implements Comparable<ObjectRef> {

  private static final Comparator<ObjectRef> ORDER =
      Comparator.comparing(ObjectRef::namespace).thenComparing(ObjectRef::name);

  /** Parses {@code namespace/name}; a bare name means the {@code default} namespace. */
  public static ObjectRef parse(String text) {
    int slash = text.indexOf('/');
    return slash < 0
        ? new ObjectRef("default", text)
        : new ObjectRef(text.substring(0, slash), text.substring(slash + 1));
  }

  @Override
  public int compareTo(ObjectRef other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
