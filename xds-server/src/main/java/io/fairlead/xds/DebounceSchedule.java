package io.fairlead.xds;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * When a debounced build is due. Builds are spaced: the next one starts a gap after the previous
 * one ended. A lone change, arriving when no build has ended within the gap, is therefore due at
 * once (leading edge), and a single endpoint change reaches proxies without waiting. Changes that
 * arrive during a build or within the gap after it are merged and due when the gap has passed, so
 * every build carries every change that came in since the last one, and a change waits at most one
 * build plus one gap. The maximum delay bounds that wait from the first change of a batch.
 *
 * <p>The gap follows the load: {@link #LOAD_FACTOR} times the last build's duration (publishing
 * included, so the fan-out to proxies counts), at least a twentieth of the quiet period and at most
 * the quiet period. Cheap builds (an endpoint change: a few milliseconds) then follow each other
 * closely and a change is not held back for batching it does not need; expensive ones (a large
 * world, many proxies) are batched up to the quiet period, and builds take at most about a fifth of
 * the time under a steady stream. A build whose start was not timed counts as long (the quiet
 * period). Times are {@link System#nanoTime()} values, compared by difference so that they may
 * wrap. Not thread-safe.
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

  /** Gap after a build = this many times its duration, within the bounds above. */
  static final int LOAD_FACTOR = 4;

  private boolean takenAtKnown;
  private long takenAt;
  private long gapNanos;

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
    this.gapNanos = quietNanos;
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
   * gap after the build.
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
    long spaced = lastBuiltAt + gapNanos;
    long due = spaced - firstAt > 0 ? spaced : firstAt;
    return OptionalLong.of(due - latest > 0 ? latest : due);
  }

  /** Ends the pending batch, as its build starts, and says how many triggers it merged. */
  int take() {
    pending = false;
    building = true;
    takenAtKnown = false;
    return merged;
  }

  /** As {@link #take()}, with the time the build starts, so that its duration sets the gap. */
  int take(long now) {
    int n = take();
    takenAtKnown = true;
    takenAt = now;
    return n;
  }

  /** The build of the batch last taken has finished. */
  void built(long now) {
    building = false;
    everBuilt = true;
    lastBuiltAt = now;
    if (takenAtKnown) {
      long load = Math.max(0, now - takenAt) * LOAD_FACTOR;
      gapNanos = Math.min(quietNanos, Math.max(quietNanos / 20, load));
    } else {
      gapNanos = quietNanos;
    }
  }

  /** The gap the next build keeps after the last one. */
  Duration gap() {
    return Duration.ofNanos(gapNanos);
  }
}
