package io.fairlead.k8s.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

  @Test
  void executorThreadsAreNamedDaemons() throws Exception {
    ExecutorService executor =
        Executors.newSingleThreadExecutor(DaemonThreads.named("fairlead-test"));
    try {
      Thread t = executor.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
      assertThat(t.getName()).isEqualTo("fairlead-test");
      assertThat(t.isDaemon()).isTrue();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void startRunsTheTaskOnANamedDaemon() throws Exception {
    CompletableFuture<Thread> ran = new CompletableFuture<>();
    Thread t = DaemonThreads.start("fairlead-once", () -> ran.complete(Thread.currentThread()));
    assertThat(ran.get(10, TimeUnit.SECONDS)).isSameAs(t);
    assertThat(t.getName()).isEqualTo("fairlead-once");
    assertThat(t.isDaemon()).isTrue();
  }
}
