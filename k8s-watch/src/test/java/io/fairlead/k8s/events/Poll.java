package io.fairlead.k8s.events;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that background threads make true, failing after a bound. */
final class Poll {

  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private Poll() {}

  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + TIMEOUT.toSeconds() + " s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
