package io.fairlead.cli;

/** Exit statuses shared by the subcommands. */
final class ExitCodes {
  static final int OK = 0;

  /** The output was produced, but some input had an error diagnostic. */
  static final int ERROR_DIAGNOSTICS = 1;

  /** The input could not be used at all (unreadable file, broken YAML, bad option). */
  static final int UNUSABLE_INPUT = 2;

  /** A defect of Fairlead's own (a bug): please report it. */
  static final int INTERNAL_ERROR = 3;

  private ExitCodes() {}
}
