package io.fairlead.xds;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * When a debounced build is due. A lone change, arriving when no build has run for a quiet period,
 * is due at once (leading edge): a single endpoint change reaches proxies without waiting. Under
 * load, while a build runs or soon after one, changes batch: due a quiet period after the last
 * trigger, but never later than the maximum delay after the first trigger of the batch. Times are
 * {@link System#nanoTime()} values, compared by difference so that they may wrap. Not thread-safe.
 */
final class DebounceSchedule {

  private final long quietNanos;
  private final long maxDelayNanos;
  private boolean pending;
  private long firstAt;
  private long lastAt;
  private int merged;

  /** Whether the pending batch started while idle, and so is due at once. */
  private boolean leading;

  private boolean building;
  private boolean everBuilt;
  private long lastBuiltAt;

  DebounceSchedule(Duration quietPeriod, Duration maxDelay) {
    if (quietPeriod.isNegative()) {
      throw new IllegalArgumentException("the quiet period must not be negative: " + quietPeriod);
    }
    if (maxDelay.compareTo(quietPeriod) < 0) {
      throw new IllegalArgumentException(
          "the maximum delay ("
              + maxDelay
              + ") must not be shorter than the quiet period ("
              + quietPeriod
              + ")");
    }
    this.quietNanos = quietPeriod.toNanos();
    this.maxDelayNanos = maxDelay.toNanos();
  }

  void trigger(long now) {
    if (!pending) {
      pending = true;
      firstAt = now;
      merged = 0;
      leading = !building && (!everBuilt || now - lastBuiltAt >= quietNanos);
    }
    lastAt = now;
    merged++;
  }

  /** When the pending batch is due, or empty when nothing is pending. */
  OptionalLong dueAt() {
    if (!pending) {
      return OptionalLong.empty();
    }
    if (leading) {
      return OptionalLong.of(firstAt);
    }
    return OptionalLong.of(firstAt + Math.min(lastAt - firstAt + quietNanos, maxDelayNanos));
  }

  /** Ends the pending batch, as its build starts, and says how many triggers it merged. */
  int take() {
    pending = false;
    building = true;
    return merged;
  }

  /** The build of the batch last taken has finished. */
  void built(long now) {
    building = false;
    everBuilt = true;
    lastBuiltAt = now;
  }
}
