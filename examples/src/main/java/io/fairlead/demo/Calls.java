package io.fairlead.demo;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Loads of {@link Echo#WHO} calls on one channel; each returns who answered. */
public final class Calls {

  /** Deadline of one call; generous, so a loaded machine does not fail a demo. */
  public static final Duration DEADLINE = Duration.ofSeconds(10);

  private Calls() {}

  /** {@code count} calls one after the other. */
  public static Tally sequential(Channel channel, int count) {
    return sequential(channel, count, Map.of());
  }

  /** {@code count} calls one after the other, each with these headers. */
  public static Tally sequential(Channel channel, int count, Map<String, String> headers) {
    List<String> answers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      answers.add(Echo.who(channel, headers, DEADLINE));
    }
    return Tally.of(answers);
  }

  /**
   * Calls one after the other until each of {@code backends} has answered at least once (calls that
   * fail, e.g. before the channel has its configuration, are retried).
   *
   * @return how long that took
   * @throws DemoFailure when it did not happen within {@code limit}
   */
  public static Duration untilAnswered(Channel channel, Set<String> backends, Duration limit)
      throws DemoFailure {
    long start = System.nanoTime();
    long end = start + limit.toNanos();
    Set<String> missing = new TreeSet<>(backends);
    StatusRuntimeException lastError = null;
    while (!missing.isEmpty()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new DemoFailure(
            "no answer from "
                + String.join(", ", missing)
                + " within "
                + Format.duration(limit)
                + (lastError == null ? "" : " (last error: " + lastError.getStatus() + ")"));
      }
      try {
        missing.remove(Echo.who(channel, Duration.ofNanos(Math.min(left, DEADLINE.toNanos()))));
      } catch (StatusRuntimeException e) {
        lastError = e;
        pause();
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The result of a concurrent load: who answered, and how long the whole load took. */
  public record Concurrent(Tally tally, Duration wallTime) {}

  /**
   * {@code count} calls from {@code callers} threads, each making its next call as soon as its
   * previous one returned, so that requests are in flight on every backend at once.
   */
  public static Concurrent concurrent(Channel channel, int count, int callers)
      throws InterruptedException {
    List<String> answers = Collections.synchronizedList(new ArrayList<>(count));
    AtomicInteger remaining = new AtomicInteger(count);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    long start = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        done.add(
            pool.submit(
                () -> {
                  while (remaining.getAndDecrement() > 0) {
                    answers.add(Echo.who(channel, DEADLINE));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return new Concurrent(Tally.of(answers), Duration.ofNanos(System.nanoTime() - start));
  }
}
