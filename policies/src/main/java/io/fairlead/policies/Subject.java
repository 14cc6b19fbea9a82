package io.fairlead.policies;

import java.util.Objects;
import java.util.Optional;

/** What a diagnostic is about. */
public sealed interface Subject {

  /** The thing, as text: {@code namespace/name}, a file path or a source name. */
  String object();

  /** The annotation key or field path within it ({@code file} or {@code source} otherwise). */
  String key();

  /**
   * A Kubernetes object, and where in it.
   *
   * @param port the Service port the diagnostic concerns, by name or number, when it concerns one
   * @param key the annotation key as written (with its port suffix), or a field path
   */
  record Kube(ObjectRef ref, Optional<String> port, String key) implements Subject {
    public Kube {
      Objects.requireNonNull(ref);
      Objects.requireNonNull(port);
      Objects.requireNonNull(key);
    }

    @Override
    public String object() {
      return ref.toString();
    }
  }

  /** A manifest file of a directory source. */
  record File(String path) implements Subject {
    @Override
    public String object() {
      return path;
    }

    @Override
    public String key() {
      return "file";
    }
  }

  /**
   * A source or an input as a whole ({@code kubernetes}, a directory, a file given to {@code
   * translate}), and what about it ({@code source}, {@code kind}, ...).
   */
  record Source(String name, String key) implements Subject {
    public Source {
      Objects.requireNonNull(name);
      Objects.requireNonNull(key);
    }

    @Override
    public String object() {
      return name;
    }
  }

  static Subject of(ObjectRef ref, String key) {
    return new Kube(ref, Optional.empty(), key);
  }

  static Subject of(ObjectRef ref, String port, String key) {
    return new Kube(ref, Optional.of(port), key);
  }
}
