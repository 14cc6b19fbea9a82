package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fairlead.translators.KubeState;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listener that queues what it is given, for tests to take in order. */
final class Recorder implements KubeSource.Listener {

  record Call(KubeState state, Change change, String thread) {}

  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

  @Override
  public void onChange(KubeState state, Change change) {
    calls.add(new Call(state, change, Thread.currentThread().getName()));
  }

  Call next() throws InterruptedException {
    Call call = calls.poll(15, TimeUnit.SECONDS);
    if (call == null) {
      fail("no change delivered within 15 s");
    }
    return call;
  }

  void assertNothingWithin(Duration quiet) throws InterruptedException {
    Call call = calls.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(call).as("unexpected delivery").isNull();
  }
}
