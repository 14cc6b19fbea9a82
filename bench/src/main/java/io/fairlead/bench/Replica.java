package io.fairlead.bench;

import java.time.Duration;

/**
 * One Fairlead replica of the {@code replicas} scenario, as a replica runs in a cluster: its own
 * server, fed by its own copy of the world (same seed), to which its own driver applies the same
 * seeded change sequence on the same wall-clock schedule, as if every replica watched one API
 * server. Nothing is shared between replicas but that schedule.
 */
interface Replica extends AutoCloseable {

  /** Its xDS port (loopback). */
  int port();

  /**
   * Starts applying changes 1..changes, change k at {@code startEpochMillis + k * intervalMillis}
   * (wall clock, which every JVM on the machine shares); returns at once.
   */
  void churn(long startEpochMillis, int changes, int intervalMillis);

  /** Waits until the driver has applied every change; how many it applied late (churn's rule). */
  int awaitChurned(Duration timeout);

  /** The CPU time of the process serving it, in ns. */
  long cpuNanos();

  /**
   * The CPU time of its Java threads, in ns: the process's without the JIT compiler's and the
   * garbage collector's threads (see {@link Scenarios#javaThreadsCpuNanos()}).
   */
  long javaThreadsCpuNanos();

  @Override
  void close();

  /** A replica in a JVM of its own (see {@link ReplicaProcess}). */
  static Replica forked(Config config) {
    return ReplicaProcess.start(config);
  }

  /**
   * A replica in this JVM, with its driver on a thread of its own: for tests, where the CPU time is
   * the whole JVM's.
   */
  static Replica local(Config config) {
    return new Local(new ReplicaDriver(config));
  }

  /** See {@link #local}. */
  final class Local implements Replica {

    private final ReplicaDriver driver;
    private Thread thread;
    private volatile int late = -1;

    Local(ReplicaDriver driver) {
      this.driver = driver;
    }

    @Override
    public int port() {
      return driver.port();
    }

    @Override
    public void churn(long startEpochMillis, int changes, int intervalMillis) {
      late = -1;
      thread =
          new Thread(
              () -> {
                try {
                  late = driver.churn(startEpochMillis, changes, intervalMillis);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "replica-driver-" + port());
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public int awaitChurned(Duration timeout) {
      try {
        thread.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (late < 0) {
        throw new IllegalStateException("replica on port " + port() + " did not finish its churn");
      }
      return late;
    }

    @Override
    public long cpuNanos() {
      return Scenarios.cpuNanos();
    }

    @Override
    public long javaThreadsCpuNanos() {
      return Scenarios.javaThreadsCpuNanos();
    }

    @Override
    public void close() {
      driver.close();
    }
  }
}
