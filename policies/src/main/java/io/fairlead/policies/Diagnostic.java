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
      Comparator.comparing(Diagnostic::object)
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

  @Override
  public int compareTo(Diagnostic other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return severity.label() + " " + object() + " " + key() + ": " + message;
  }
}
