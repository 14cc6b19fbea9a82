package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The timing rules themselves are tested in {@link DebounceScheduleTest}; these check the thread
 * with real time, asserting counts and bounds that hold however slow the machine is.
 */
class DebouncerTest {

  @Test
  void aBurstBuildsAtOnceAndMergesTheRestIntoOneMoreBuild() throws Exception {
    AtomicInteger builds = new AtomicInteger();
    CountDownLatch built = new CountDownLatch(1);
    try (Debouncer debouncer =
        new Debouncer(
            Duration.ofSeconds(3),
            Duration.ofSeconds(30),
            () -> {
              builds.incrementAndGet();
              built.countDown();
            })) {
      for (int i = 0; i < 20; i++) {
        debouncer.trigger();
      }
      // leading edge: the first change does not wait out the 3 s quiet period
      assertThat(built.await(2500, TimeUnit.MILLISECONDS))
          .as("built before the quiet period ended")
          .isTrue();
      Thread.sleep(4000);
      assertThat(builds.get()).as("the first at once, the rest merged into one").isBetween(1, 2);
    }
  }

  @Test
  void aSteadyStreamOfTriggersStillBuildsWithinTheMaximumDelay() throws Exception {
    AtomicInteger builds = new AtomicInteger();
    try (Debouncer debouncer =
        new Debouncer(Duration.ofMillis(200), Duration.ofMillis(400), builds::incrementAndGet)) {
      long start = System.nanoTime();
      // Triggers every 20ms never leave 200ms of quiet; only the maximum delay lets builds run.
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(2000)) {
        debouncer.trigger();
        Thread.sleep(20);
      }
      assertThat(builds.get()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aTriggerDuringABuildRunsAnotherBuildAfterItNeverConcurrently() throws Exception {
    AtomicInteger builds = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    try (Debouncer debouncer =
        new Debouncer(
            Duration.ofMillis(10),
            Duration.ofMillis(50),
            () -> {
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              int n = builds.incrementAndGet();
              try {
                if (n == 1) {
                  firstStarted.countDown();
                  releaseFirst.await(10, TimeUnit.SECONDS);
                } else {
                  secondDone.countDown();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                running.decrementAndGet();
              }
            })) {
      debouncer.trigger();
      assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
      debouncer.trigger();
      debouncer.trigger();
      Thread.sleep(200);
      assertThat(builds.get()).as("the second build waits for the first").isEqualTo(1);
      releaseFirst.countDown();
      assertThat(secondDone.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      assertThat(builds.get()).as("both triggers during the build merged into one").isEqualTo(2);
      assertThat(maxRunning.get()).isEqualTo(1);
    }
  }

  @Test
  void aFailingBuildDoesNotStopLaterBuilds() throws Exception {
    AtomicInteger builds = new AtomicInteger();
    CountDownLatch second = new CountDownLatch(1);
    try (Debouncer debouncer =
        new Debouncer(
            Duration.ZERO,
            Duration.ZERO,
            () -> {
              if (builds.incrementAndGet() == 1) {
                throw new IllegalStateException("first build fails");
              }
              second.countDown();
            })) {
      debouncer.trigger();
      while (builds.get() == 0) {
        Thread.sleep(5);
      }
      debouncer.trigger();
      assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
