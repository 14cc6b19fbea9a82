package io.fairlead.policies;

import java.util.Comparator;
import java.util.Objects;

/**
 * A problem found in user input. User input never throws: it becomes one of these, and the
 * setting it concerns falls back to its next source.
 *
 * @param object {@code namespace/name} of the Kubernetes object
 * @param key the annotation key or field path the message is about
 */
public record Diagnostic(Severity severity, String object, String key, String message)
    implements Comparable<Diagnostic> {

  private static final Comparator<Diagnostic> ORDER =
      Comparator.comparing(Diagnostic::object)
          .thenComparing(Diagnostic::key)
          .thenComparing(Diagnostic::severity)
          .thenComparing(Diagnostic::message);

  public Diagnostic {
    Objects.requireNonNull(severity);
    Objects.requireNonNull(object);
    Objects.requireNonNull(key);
    Objects.requireNonNull(message);
  }

  public static Diagnostic error(String object, String key, String message) {
    return new Diagnostic(Severity.ERROR, object, key, message);
  }

  public static Diagnostic warning(String object, String key, String message) {
    return new Diagnostic(Severity.WARNING, object, key, message);
  }

  public static Diagnostic info(String object, String key, String message) {
    return new Diagnostic(Severity.INFO, object, key, message);
  }

  @Override
  public int compareTo(Diagnostic other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return severity.label() + " " + object + " " + key + ": " + message;
  }
}
