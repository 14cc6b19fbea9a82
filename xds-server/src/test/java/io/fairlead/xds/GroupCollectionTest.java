package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Groups of proxies long gone are forgotten: their snapshot, digests and diagnostics go, and they
 * are no longer translated on every change. A group with a proxy left is kept, and so is one whose
 * proxy comes back in time.
 */
class GroupCollectionTest {

  private static final ProxyContext SIDECAR = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);
  private static final ProxyContext GATEWAY = ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY);

  /** A clock the test moves. */
  private static final class Hands extends Clock {
    private Instant now = Instant.parse("2026-12-01T10:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final Hands clock = new Hands();
  private final AtomicInteger translations = new AtomicInteger();
  private final SimpleCache<ProxyContext> cache = new SimpleCache<>(new NodeGroups());
  private final SnapshotPublisher publisher =
      new SnapshotPublisher(
          cache,
          group -> {
            translations.incrementAndGet();
            return Fixtures.resources(8080);
          },
          List::of,
          new XdsMetrics(),
          new ChangeTimes(),
          clock);

  @Test
  void aGroupWithoutProxiesIsForgottenAfterTheDelayAndNoLongerTranslated() {
    List<ProxyContext> forgotten = new ArrayList<>();
    publisher.onForget(forgotten::add);
    publisher.publish();
    publisher.groupSeen(SIDECAR);
    assertThat(publisher.published(SIDECAR)).isPresent();
    assertThat(cache.getSnapshot(SIDECAR)).isNotNull();

    publisher.groupLeft(SIDECAR);
    clock.advance(SnapshotPublisher.COLLECT_AFTER.minusSeconds(1));
    assertThat(publisher.collect()).as("not yet").isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(publisher.collect()).isOne();

    assertThat(publisher.published(SIDECAR)).isEmpty();
    assertThat(cache.getSnapshot(SIDECAR)).isNull();
    assertThat(forgotten).containsExactly(SIDECAR);
    assertThat(publisher.groups()).isZero();
    translations.set(0);
    publisher.publish();
    assertThat(translations).as("a forgotten group is not translated again").hasValue(0);
  }

  @Test
  void aGroupWithAProxyLeftOrOneThatCameBackInTimeIsKept() {
    publisher.publish();
    publisher.groupSeen(SIDECAR);
    publisher.groupSeen(SIDECAR); // two proxies
    publisher.groupSeen(GATEWAY);
    publisher.groupLeft(SIDECAR); // one of them leaves
    publisher.groupLeft(GATEWAY);
    clock.advance(Duration.ofSeconds(30));
    publisher.groupSeen(GATEWAY); // back before the delay ran out
    clock.advance(SnapshotPublisher.COLLECT_AFTER.multipliedBy(2));

    assertThat(publisher.collect()).isZero();
    assertThat(publisher.published(SIDECAR)).isPresent();
    assertThat(publisher.published(GATEWAY)).isPresent();
    assertThat(publisher.groups()).isEqualTo(2);
  }

  @Test
  void aForgottenGroupIsServedAgainWhenAProxyOfItReturns() {
    publisher.publish();
    publisher.groupSeen(SIDECAR);
    publisher.groupLeft(SIDECAR);
    clock.advance(SnapshotPublisher.COLLECT_AFTER);
    assertThat(publisher.collect()).isOne();

    publisher.groupSeen(SIDECAR);
    assertThat(publisher.published(SIDECAR)).isPresent();
    assertThat(cache.getSnapshot(SIDECAR)).isNotNull();
  }

  /** Wired end to end: a proxy connects and goes; its group is forgotten and the gauge says so. */
  @Test
  void theControlPlaneForgetsTheGroupOfAProxyThatWentAway() throws Exception {
    try (ControlPlane plane =
        ControlPlane.start(
            new ControlPlane.Settings(
                new java.net.InetSocketAddress("127.0.0.1", 0),
                new java.net.InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                XdsLimits.Settings.DEFAULT,
                java.util.Optional.empty()),
            group -> Fixtures.resources(8080))) {
      plane.publisher().collectAfter(Duration.ofMillis(100));
      plane.changed();
      await(() -> plane.publisher().ready());
      io.grpc.ManagedChannel channel =
          io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
                  "127.0.0.1", plane.xdsPort())
              .usePlaintext()
              .build();
      try {
        java.util.concurrent.CompletableFuture<Object> first =
            new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.StreamObserver<io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest>
            requests =
                io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.newStub(
                        channel)
                    .streamAggregatedResources(
                        new io.grpc.stub.StreamObserver<>() {
                          @Override
                          public void onNext(
                              io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse r) {
                            first.complete(r);
                          }

                          @Override
                          public void onError(Throwable t) {}

                          @Override
                          public void onCompleted() {}
                        });
        requests.onNext(
            io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest.newBuilder()
                .setNode(
                    io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
                        .setId("gone-soon")
                        .setUserAgentName("envoy"))
                .setTypeUrl(io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL)
                .build());
        first.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(plane.metrics().scrape()).contains("fairlead_xds_groups 1.0");
        requests.onCompleted();
      } finally {
        channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      }
      await(() -> plane.metrics().scrape().contains("fairlead_xds_groups 0.0"));
      assertThat(plane.publisher().published(SIDECAR)).isEmpty();
    }
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("within 15 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
