package io.fairlead.policies;

import java.time.Duration;

/**
 * The duration grammar of annotations ({@code 250ms}, {@code 30s}, {@code 1h30m}), for other inputs
 * too.
 */
public final class Durations {
  private Durations() {}

  public static ParseResult<Duration> parse(String text) {
    return Values.duration(text);
  }

  /**
   * The text {@link #parse} reads back as the same duration, to the millisecond: hours, minutes,
   * seconds and milliseconds, each left out when zero ({@code 1h30m}, {@code 250ms}, {@code 0s}).
   * Less than a millisecond is dropped, as the grammar has no smaller unit.
   */
  public static String format(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative duration " + d);
    }
    StringBuilder out = new StringBuilder();
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    long ms = d.toMillisPart();
    if (h > 0) {
      out.append(h).append('h');
    }
    if (m > 0) {
      out.append(m).append('m');
    }
    if (s > 0) {
      out.append(s).append('s');
    }
    if (ms > 0) {
      out.append(ms).append("ms");
    }
    return out.isEmpty() ? "0s" : out.toString();
  }
}
