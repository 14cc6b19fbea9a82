package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** /healthz fails when the xDS server stops answering or direct memory runs out. */
class LivenessProbeTest {

  private static final Duration NEVER = Duration.ofHours(1);

  @Test
  void aServingControlPlaneIsAliveAndItsHealthzSaysSo() throws Exception {
    try (ControlPlane plane =
        ControlPlane.start(
            ControlPlane.Settings.onLoopback(Duration.ofMillis(10), Duration.ofMillis(50)),
            g -> Fixtures.resources(8080))) {
      plane.changed();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!plane.publisher().ready()) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(10);
      }
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", plane.xdsPort()).usePlaintext().build();
      try (LivenessProbe probe =
          new LivenessProbe(channel, () -> true, NEVER, Duration.ofSeconds(5))) {
        for (int i = 0; i < 3; i++) {
          probe.probe();
        }
        assertThat(probe.problem()).isEmpty();
      }
      assertThat(plane.metrics().scrape())
          .as("the probe's answers are not counted as pushes to proxies")
          .contains("fairlead_xds_pushes_total 0.0");
    }
  }

  @Test
  void aServerThatNoLongerAnswersIsDeadAfterThreeProbes() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) { // accepts, never speaks HTTP/2
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", silent.getLocalPort()).usePlaintext().build();
      try (LivenessProbe probe =
          new LivenessProbe(
              channel, () -> true, NEVER, Duration.ofMillis(300), () -> -1, () -> -1)) {
        probe.probe();
        probe.probe();
        assertThat(probe.problem()).as("two failures are not yet death").isEmpty();
        probe.probe();
        assertThat(probe.problem())
            .hasValueSatisfying(p -> assertThat(p).contains("did not answer 3 probes"));
      }
    }
  }

  @Test
  void probesWaitForTheFirstPublishAndDirectMemoryExhaustionIsDeath() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", 1).usePlaintext().build();
    long[] used = {10};
    try (LivenessProbe probe =
        new LivenessProbe(
            channel, () -> false, NEVER, Duration.ofMillis(300), () -> used[0], () -> 100)) {
      for (int i = 0; i < 5; i++) {
        probe.probe();
      }
      assertThat(probe.problem()).as("not serving yet is readiness, not liveness").isEmpty();
      used[0] = 96;
      assertThat(probe.problem())
          .hasValueSatisfying(p -> assertThat(p).contains("direct memory exhausted"));
    }
  }
}
