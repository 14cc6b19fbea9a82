package io.fairlead.policies;

import java.time.Duration;

/**
 * A token bucket: {@code requests} tokens per {@code unit}, holding at most {@code burst}.
 *
 * @param requests tokens added per unit of time, at least 1
 * @param unit a second or a minute
 * @param burst the bucket's size: how many requests may pass at once after a quiet spell; at least
 *     {@code requests}, which is the default
 */
public record RateLimit(long requests, Unit unit, long burst) {

  /** The largest count: Envoy's token bucket counts in uint32. */
  public static final long MAX = 4_294_967_295L;

  public enum Unit {
    SECOND(Duration.ofSeconds(1), "s"),
    MINUTE(Duration.ofMinutes(1), "m");

    private final Duration interval;
    private final String symbol;

    Unit(Duration interval, String symbol) {
      this.interval = interval;
      this.symbol = symbol;
    }

    /** The bucket's fill interval: {@code requests} tokens are added over this time. */
    public Duration interval() {
      return interval;
    }

    public String symbol() {
      return symbol;
    }
  }

  public RateLimit {
    if (requests < 1 || requests > MAX || burst < requests || burst > MAX) {
      throw new IllegalArgumentException(
          "rate " + requests + " and burst " + burst + " out of range");
    }
  }

  /** As the annotation writes it: {@code 2000/s}, {@code 20/m burst 40}. */
  @Override
  public String toString() {
    return requests + "/" + unit.symbol() + (burst == requests ? "" : " burst " + burst);
  }
}
