package io.fairlead.bench;

import io.fairlead.translators.Change;
import java.time.Duration;

/**
 * A replica's server and driver: Fairlead as {@code serve} runs it ({@link FairleadTarget}) on the
 * churn world of the config's seed, and the change schedule of the churn scenario, applied by this
 * replica's own thread from its own copy of the world.
 */
final class ReplicaDriver implements AutoCloseable {

  private final World world;
  private final FairleadTarget target;

  /** Starts the server and hands it the world; returns once the first snapshot is published. */
  ReplicaDriver(Config config) {
    world = new World(new World.Spec(config.churnServices(), 0, config.seed()));
    target =
        new FairleadTarget(
            Duration.ofMillis(config.quietMillis()), Duration.ofMillis(config.maxDelayMillis()));
    target.load(world.state());
    long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!target.ready()) {
      if (System.nanoTime() > until) {
        target.close();
        throw new IllegalStateException("no first snapshot after 5 minutes");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        target.close();
        throw new IllegalStateException("interrupted before the first snapshot", e);
      }
    }
  }

  int port() {
    return target.port();
  }

  /**
   * Applies changes 1..changes, change k at {@code startEpochMillis + k * intervalMillis} (wall
   * clock, converted once to this JVM's monotonic clock); returns how many started more than an
   * interval late, as the churn scenario counts them.
   */
  int churn(long startEpochMillis, int changes, int intervalMillis) throws InterruptedException {
    long start = System.nanoTime() + (startEpochMillis - System.currentTimeMillis()) * 1_000_000L;
    int late = 0;
    for (int k = 1; k <= changes; k++) {
      long wait = start + (long) k * intervalMillis * 1_000_000L - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } else if (-wait > intervalMillis * 1_000_000L) {
        late++;
      }
      Change change = world.change(k); // first: it moves the world's state on
      target.apply(world.state(), change);
    }
    return late;
  }

  @Override
  public void close() {
    target.close();
  }
}
