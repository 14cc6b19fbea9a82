package io.fairlead.xds;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * When a debounced build is due. Builds are spaced: the next one starts at least a quiet period
 * after the previous one ended. A lone change, arriving when no build has ended within the quiet
 * period, is therefore due at once (leading edge), and a single endpoint change reaches proxies
 * without waiting. Changes that arrive during a build or within the quiet period after it are
 * merged and due when the quiet period after that build has passed, so under load every build
 * carries every change that came in since the last one, and a change waits at most one build plus
 * one quiet period. The maximum delay bounds that wait from the first change of a batch. Times are
 * {@link System#nanoTime()} values, compared by difference so that they may wrap. Not thread-safe.
 */
final class DebounceSchedule {

  private final long quietNanos;
  private final long maxDelayNanos;
  private boolean pending;
  private long firstAt;
  private int merged;

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
    }
    merged++;
  }

  /**
   * When the pending batch is due, or empty when nothing is pending. While a build runs, the batch
   * is provisionally due at its maximum delay; {@link #built} brings that forward to the end of the
   * quiet period after the build.
   */
  OptionalLong dueAt() {
    if (!pending) {
      return OptionalLong.empty();
    }
    long latest = firstAt + maxDelayNanos;
    if (building) {
      return OptionalLong.of(latest);
    }
    if (!everBuilt) {
      return OptionalLong.of(firstAt);
    }
    long spaced = lastBuiltAt + quietNanos;
    long due = spaced - firstAt > 0 ? spaced : firstAt;
    return OptionalLong.of(due - latest > 0 ? latest : due);
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
