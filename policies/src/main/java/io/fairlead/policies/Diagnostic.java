package io.fairlead.policies;

import java.util.Comparator;
import java.util.Objects;

/**
 * A problem found in user input. User input never throws: it becomes one of these, and the setting
 * it concerns falls back to its next source.
 *
 * @param reason why, as a code (Events, metrics and tests use it)
 * @param subject what it is about
 * @param message what is wrong and what Fairlead does instead, for a person
 */
public record Diagnostic(Severity severity, Reason reason, Subject subject, String message)
    implements Comparable<Diagnostic> {

  private static final Comparator<Diagnostic> ORDER =
      Comparator.comparing(Diagnostic::subject, Diagnostic::compareObjects)
          .thenComparing(Diagnostic::key)
          .thenComparing(Diagnostic::severity)
          .thenComparing(Diagnostic::message)
          .thenComparing(Diagnostic::reason);

  public Diagnostic {
    Objects.requireNonNull(severity);
    Objects.requireNonNull(reason);
    Objects.requireNonNull(subject);
    Objects.requireNonNull(message);
  }

  public static Diagnostic error(Reason reason, Subject subject, String message) {
    return new Diagnostic(Severity.ERROR, reason, subject, message);
  }

  public static Diagnostic warning(Reason reason, Subject subject, String message) {
    return new Diagnostic(Severity.WARNING, reason, subject, message);
  }

  public static Diagnostic info(Reason reason, Subject subject, String message) {
    return new Diagnostic(Severity.INFO, reason, subject, message);
  }

  /** The subject as text: {@code namespace/name}, a file path or a source name. */
  public String object() {
    return subject.object();
  }

  /** The annotation key or field path, {@code file} or {@code source}. */
  public String key() {
    return subject.key();
  }

  /**
   * The order of {@link #object()}'s text, without building it for Kubernetes objects: a publish
   * sorts every diagnostic of the mesh, and {@code namespace + "/" + name} per comparison was most
   * of that.
   */
  private static int compareObjects(Subject a, Subject b) {
    if (a instanceof Subject.Kube x && b instanceof Subject.Kube y) {
      return compareText(x.ref(), y.ref());
    }
    return a.object().compareTo(b.object());
  }

  /** {@code a.toString().compareTo(b.toString())}, char by char over the parts. */
  static int compareText(ObjectRef a, ObjectRef b) {
    if (a.equals(b)) {
      return 0;
    }
    int la = a.namespace().length() + 1 + a.name().length();
    int lb = b.namespace().length() + 1 + b.name().length();
    for (int i = 0, n = Math.min(la, lb); i < n; i++) {
      char ca = charAt(a, i);
      char cb = charAt(b, i);
      if (ca != cb) {
        return ca - cb;
      }
    }
    return la - lb;
  }

  private static char charAt(ObjectRef ref, int i) {
    int ns = ref.namespace().length();
    if (i < ns) {
      return ref.namespace().charAt(i);
    }
    return i == ns ? '/' : ref.name().charAt(i - ns - 1);
  }

  @Override
  public int compareTo(Diagnostic other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return severity.label() + " " + object() + " " + key() + ": " + message;
  }
}
