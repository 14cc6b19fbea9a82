package io.fairlead.policies;

import java.time.Duration;

/** The duration grammar of annotations ({@code 250ms}, {@code 30s}, {@code 1h30m}), for other inputs too. */
public final class Durations {
  private Durations() {}

  public static ParseResult<Duration> parse(String text) {
    return Values.duration(text);
  }
}
