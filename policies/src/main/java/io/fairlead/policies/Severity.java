package io.fairlead.policies;

/** How bad a diagnostic is. Only {@link #ERROR} makes {@code translate} exit 1. */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
