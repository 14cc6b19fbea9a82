package io.fairlead.cli;

import java.util.Locale;

/** The {@code -o} option's formats ({@link Choices.Outputs}; {@code yml} is read as yaml). */
enum OutputFormat {
  JSON,
  YAML;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
