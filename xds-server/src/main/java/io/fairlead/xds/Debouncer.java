package io.fairlead.xds;

import io.fairlead.k8s.util.DaemonThreads;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges bursts of changes into one build, on the schedule of {@link DebounceSchedule}: a lone
 * change is built at once, builds are spaced by a gap that follows their cost (at most the quiet
 * period), and changes that come during a build or within that gap are merged into the next one.
 * Builds run one at a time on the debouncer's own thread.
 */
public final class Debouncer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Debouncer.class);

  private final Runnable build;
  private final DebounceSchedule schedule;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread thread;
  private boolean closed;

  /**
   * @throws IllegalArgumentException if the quiet period is negative or longer than the maximum
   *     delay
   */
  public Debouncer(Duration quietPeriod, Duration maxDelay, Runnable build) {
    this.schedule = new DebounceSchedule(quietPeriod, maxDelay);
    this.build = build;
    this.thread = DaemonThreads.start("fairlead-debouncer", this::run);
  }

  /** Asks for a build; cheap, never blocks on a running build. */
  public void trigger() {
    lock.lock();
    try {
      schedule.trigger(System.nanoTime());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the thread, waiting for a running build to finish; pending triggers are dropped. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    lock.lock();
    try {
      while (!closed) {
        OptionalLong due = schedule.dueAt();
        if (due.isEmpty()) {
          changed.await();
          continue;
        }
        long wait = due.getAsLong() - System.nanoTime();
        if (wait > 0) {
          changed.awaitNanos(wait);
          continue;
        }
        int merged = schedule.take(System.nanoTime());
        lock.unlock();
        try {
          LOG.debug("building after {} merged triggers", merged);
          build.run();
        } catch (RuntimeException e) {
          LOG.error("build failed; waiting for the next change", e);
        } finally {
          lock.lock();
          schedule.built(System.nanoTime());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }
}
