package io.fairlead.demo;

import java.time.Duration;
import java.util.Locale;

/** Numbers as the demo prints them. */
final class Format {

  private Format() {}

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", share * 100);
  }

  /** Milliseconds below 10 s, else seconds with one decimal. */
  static String duration(Duration d) {
    long millis = d.toMillis();
    return millis < 10_000 ? millis + " ms" : seconds(d);
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
