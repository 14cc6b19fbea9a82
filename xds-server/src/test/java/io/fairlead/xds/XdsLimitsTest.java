package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.controlplane.cache.Resources;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The xDS port under a hostile or careless client: too many streams on one connection or in all,
 * a reconnect storm, a stream naming too many resources, an oversized node. Each is refused with
 * a status and a metric, and every stream refused, cut or dropped leaves nothing behind.
 */
class XdsLimitsTest {

  private ControlPlane plane;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private void start(XdsLimits.Settings limits) throws Exception {
    plane =
        ControlPlane.start(
            new ControlPlane.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                limits,
                java.util.Optional.empty()),
            group -> Fixtures.resources(8080));
    plane.changed();
    await(() -> plane.publisher().ready(), "first publish");
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (plane != null) {
      plane.close();
    }
  }

  private ManagedChannel channel() {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", plane.xdsPort()).usePlaintext().build();
    channels.add(c);
    return c;
  }

  /** One ADS stream: what it received and how it ended. */
  private static class Stream implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {
    final CompletableFuture<Status> end = new CompletableFuture<>();
    final CompletableFuture<DiscoveryResponse> first = new CompletableFuture<>();
    ClientCallStreamObserver<DiscoveryRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requestStream) {
      this.requests = requestStream;
    }

    @Override
    public void onNext(DiscoveryResponse value) {
      first.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }
  }

  private static Stream open(ManagedChannel channel, DiscoveryRequest first) {
    Stream s = new Stream();
    StreamObserver<DiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(s);
    requests.onNext(first);
    return s;
  }

  private static DiscoveryRequest clusters(String node, int names) {
    DiscoveryRequest.Builder r =
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(node).setUserAgentName("envoy"))
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL);
    IntStream.range(0, names).forEach(i -> r.addResourceNames("c" + i));
    return r.build();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 15 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private String metrics() {
    return plane.metrics().scrape();
  }

  @Test
  void tooManyStreamsOnOneConnectionAreRefusedAndTheOthersServed() throws Exception {
    start(new XdsLimits.Settings(100, 3, 1000, 16 * 1024, 1000));
    ManagedChannel c = channel();
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(open(c, clusters("n" + i, 0)));
      if (i < 3) {
        streams.get(i).first.get(10, TimeUnit.SECONDS);
      }
    }
    Status refused = streams.get(3).end.get(10, TimeUnit.SECONDS);
    assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(metrics()).contains("fairlead_xds_limit_hits_total{limit=\"streams_per_connection\"} 1.0");
    // Another connection is not affected.
    assertThat(open(channel(), clusters("other", 0)).first.get(10, TimeUnit.SECONDS).getResourcesCount()).isPositive();
  }

  @Test
  void aStreamNamingTooManyResourcesIsCutAndForgotten() throws Exception {
    start(new XdsLimits.Settings(100, 8, 50, 16 * 1024, 1000));
    Stream s = open(channel(), clusters("greedy", 51));
    Status cut = s.end.get(10, TimeUnit.SECONDS);
    assertThat(cut.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(cut.getDescription()).contains("51 resource names");
    assertThat(metrics()).contains("fairlead_xds_limit_hits_total{limit=\"resource_names\"} 1.0");
    await(() -> plane.callbacks().connections().isEmpty(), "the cut stream forgotten");
  }

  @Test
  void anOversizedNodeIsRefused() throws Exception {
    start(new XdsLimits.Settings(100, 8, 1000, 1024, 1000));
    Node big =
        Node.newBuilder()
            .setId("big")
            .setMetadata(Struct.newBuilder().putFields("x", Value.newBuilder().setStringValue("y".repeat(4096)).build()))
            .build();
    Stream s = open(channel(), clusters("big", 0).toBuilder().setNode(big).build());
    assertThat(s.end.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(metrics()).contains("fairlead_xds_limit_hits_total{limit=\"node_size\"} 1.0");
  }

  @Test
  void aReconnectStormIsRateLimitedAndTotalStreamsAreCapped() throws Exception {
    start(new XdsLimits.Settings(5, 100, 1000, 16 * 1024, 10));
    ManagedChannel c = channel();
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      streams.add(open(c, clusters("storm" + i, 0)));
    }
    long refused = 0;
    for (Stream s : streams) {
      Status status = s.end.getNow(null) != null ? s.end.get() : null;
      if (status == null) {
        try {
          status = s.end.get(500, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException stillOpen) {
          continue;
        }
      }
      assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      refused++;
    }
    assertThat(refused).as("at most 5 streams may stay open").isGreaterThanOrEqualTo(15);
    assertThat(metrics()).containsPattern("fairlead_xds_limit_hits_total\\{limit=\"(rate|streams)\"\\} [1-9]");
  }

  /**
   * A client that does not read: java-control-plane answers each type once per request that
   * carries the last nonce, so an honest client that stops reading stops getting responses; one
   * that fakes its acknowledgements could still have responses queued. Past a small bound of
   * responses sent while the call is not ready, the stream is cut.
   */
  @Test
  void responsesQueuedForAClientThatDoesNotReadAreBounded() {
    XdsMetrics metrics = new XdsMetrics();
    XdsLimits limits = new XdsLimits(XdsLimits.Settings.DEFAULT, metrics);
    java.util.List<Status> closed = new java.util.ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    io.grpc.ServerCall<DiscoveryRequest, DiscoveryResponse> notReading =
        new io.grpc.ServerCall<>() {
          @Override public void request(int n) {}
          @Override public void sendHeaders(io.grpc.Metadata headers) {}
          @Override public void sendMessage(DiscoveryResponse message) { sent.incrementAndGet(); }
          @Override public void close(Status status, io.grpc.Metadata trailers) { closed.add(status); }
          @Override public boolean isCancelled() { return false; }
          @Override public boolean isReady() { return false; }
          @Override public io.grpc.MethodDescriptor<DiscoveryRequest, DiscoveryResponse> getMethodDescriptor() {
            return AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod();
          }
        };
    java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
    io.grpc.ServerCall.Listener<DiscoveryRequest> listener =
        limits.interceptCall(
            notReading,
            new io.grpc.Metadata(),
            (call, headers) -> {
              for (int i = 0; i < 40; i++) {
                call.sendMessage(DiscoveryResponse.getDefaultInstance());
              }
              return new io.grpc.ServerCall.Listener<>() {
                @Override
                public void onCancel() {
                  cancelled.set(true);
                }
              };
            });
    assertThat(sent.get()).isEqualTo(XdsLimits.MAX_UNREAD_RESPONSES);
    assertThat(closed).singleElement().satisfies(st -> {
      assertThat(st.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(st.getDescription()).contains("does not read");
    });
    assertThat(cancelled).as("the discovery service underneath closes its watches").isTrue();
    assertThat(limits.openStreams()).isZero();
    listener.onComplete(); // what gRPC does after the close: nothing more happens
    assertThat(limits.openStreams()).isZero();
    assertThat(metrics.scrape()).contains("fairlead_xds_limit_hits_total{limit=\"unread\"} 1.0");
  }

  /**
   * The flood from the hardening report, scaled to a unit test: many streams, each naming many
   * clusters, dropped at once. Everything they held is released: the open-stream count and the
   * connected-streams gauge return to zero, and a new client is still served.
   */
  @Test
  void droppedStreamsReleaseEverythingTheyHeld() throws Exception {
    start(new XdsLimits.Settings(10_000, 1000, 2000, 16 * 1024, 10_000));
    ManagedChannel flood = channel();
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      streams.add(open(flood, clusters("flood" + i, 1000)));
    }
    await(() -> plane.callbacks().connections().size() >= 250, "most flood streams identified");
    for (Stream s : streams) {
      s.requests.cancel("gone", null);
    }
    flood.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    await(() -> plane.callbacks().connections().isEmpty(), "every dropped stream forgotten");
    await(() -> metrics().contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 0"), "gauge back to 0");
    assertThat(open(channel(), clusters("after", 0)).first.get(10, TimeUnit.SECONDS).getResourcesCount()).isPositive();
  }
}
