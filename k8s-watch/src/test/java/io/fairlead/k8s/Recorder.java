package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.SourceUpdate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listener that queues what it is given, for tests to take in order. */
final class Recorder implements KubeSource.Listener {

  record Call(KubeState state, Change change, List<Diagnostic> diagnostics, String thread) {}

  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

  @Override
  public void onChange(SourceUpdate update) {
    calls.add(
        new Call(
            update.state(),
            update.change(),
            update.diagnostics(),
            Thread.currentThread().getName()));
  }

  /** The next call with a non-empty change; calls that only carry new diagnostics are skipped. */
  Call next() throws InterruptedException {
    return next(Duration.ofSeconds(15));
  }

  Call next(Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      Call call = calls.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (call == null) {
        fail("no change delivered within " + within.toSeconds() + " s");
      }
      if (!call.change().isEmpty()) {
        return call;
      }
    }
  }

  /** The next call of any kind, including one that only carries new diagnostics. */
  Call nextCall() throws InterruptedException {
    Call call = calls.poll(15, TimeUnit.SECONDS);
    if (call == null) {
      fail("no call within 15 s");
    }
    return call;
  }

  /** No change is delivered for {@code quiet}; diagnostics-only calls do not count. */
  void assertNothingWithin(Duration quiet) throws InterruptedException {
    long deadline = System.nanoTime() + quiet.toNanos();
    while (System.nanoTime() < deadline) {
      Call call = calls.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(call == null || call.change().isEmpty())
          .as("unexpected delivery: %s", call)
          .isTrue();
    }
  }
}
