package io.fairlead.cli;

/** The -o option: json or yaml. */
final class OutputFormat {
  private OutputFormat() {}

  static boolean isYaml(String output) {
    return switch (output) {
      case "yaml", "yml" -> true;
      case "json" -> false;
      default -> throw new IllegalArgumentException("-o must be json or yaml, not '" + output + "'");
    };
  }
}
