package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
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
 * The xDS port under a hostile or careless client: too many streams on one connection or in all, a
 * reconnect storm, a stream naming too many resources, an oversized node. Each is refused with a
 * status and a metric, and every stream refused, cut or dropped leaves nothing behind.
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
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", plane.xdsPort()).usePlaintext().build();
    channels.add(c);
    return c;
  }

  /** One ADS stream: what it received and how it ended. */
  private static class Stream
      implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {
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
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(s);
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
    start(new XdsLimits.Settings(100, 3, 1000, 16 * 1024, 1000, XdsLimits.Unread.DEFAULT));
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
    assertThat(metrics())
        .contains("fairlead_xds_limit_hits_total{limit=\"streams_per_connection\"} 1.0");
    // Another connection is not affected.
    assertThat(
            open(channel(), clusters("other", 0))
                .first
                .get(10, TimeUnit.SECONDS)
                .getResourcesCount())
        .isPositive();
  }

  @Test
  void aStreamNamingTooManyResourcesIsCutAndForgotten() throws Exception {
    start(new XdsLimits.Settings(100, 8, 50, 16 * 1024, 1000, XdsLimits.Unread.DEFAULT));
    Stream s = open(channel(), clusters("greedy", 51));
    Status cut = s.end.get(10, TimeUnit.SECONDS);
    assertThat(cut.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(cut.getDescription()).contains("51 resource names");
    assertThat(metrics()).contains("fairlead_xds_limit_hits_total{limit=\"resource_names\"} 1.0");
    await(() -> plane.callbacks().connections().isEmpty(), "the cut stream forgotten");
  }

  @Test
  void aDeltaStreamNamingTooManyResourcesIsCutEvenWhenItUnsubscribesNamesItNeverHad()
      throws Exception {
    start(new XdsLimits.Settings(100, 8, 50, 16 * 1024, 1000, XdsLimits.Unread.DEFAULT));
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<DeltaDiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel())
            .deltaAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DeltaDiscoveryResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    end.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    end.complete(Status.OK);
                  }
                });
    DeltaDiscoveryRequest.Builder first =
        DeltaDiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("greedy-delta").setUserAgentName("envoy"))
            .setTypeUrl(Resources.V3.ENDPOINT_TYPE_URL);
    IntStream.range(0, 30).forEach(i -> first.addResourceNamesSubscribe("c" + i));
    // names it never subscribed to do not make room
    IntStream.range(0, 30).forEach(i -> first.addResourceNamesUnsubscribe("x" + i));
    requests.onNext(first.build());
    DeltaDiscoveryRequest.Builder more =
        DeltaDiscoveryRequest.newBuilder().setTypeUrl(Resources.V3.ENDPOINT_TYPE_URL);
    IntStream.range(30, 51).forEach(i -> more.addResourceNamesSubscribe("c" + i));
    requests.onNext(more.build());
    Status cut = end.get(10, TimeUnit.SECONDS);
    assertThat(cut.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(cut.getDescription()).contains("51 resource names");
    assertThat(metrics()).contains("fairlead_xds_limit_hits_total{limit=\"resource_names\"} 1.0");
    await(() -> plane.callbacks().connections().isEmpty(), "the cut stream forgotten");
  }

  @Test
  void anOversizedNodeIsRefused() throws Exception {
    start(new XdsLimits.Settings(100, 8, 1000, 1024, 1000, XdsLimits.Unread.DEFAULT));
    Node big =
        Node.newBuilder()
            .setId("big")
            .setMetadata(
                Struct.newBuilder()
                    .putFields("x", Value.newBuilder().setStringValue("y".repeat(4096)).build()))
            .build();
    Stream s = open(channel(), clusters("big", 0).toBuilder().setNode(big).build());
    assertThat(s.end.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(metrics()).contains("fairlead_xds_limit_hits_total{limit=\"node_size\"} 1.0");
  }

  @Test
  void aReconnectStormIsRateLimitedAndTotalStreamsAreCapped() throws Exception {
    start(new XdsLimits.Settings(5, 100, 1000, 16 * 1024, 10, XdsLimits.Unread.DEFAULT));
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
    assertThat(metrics())
        .containsPattern("fairlead_xds_limit_hits_total\\{limit=\"(rate|streams)\"\\} [1-9]");
  }

  /**
   * A client that does not read, seen from the server call: forty responses of two types go by
   * while gRPC flow control says the call is not ready. Nothing piles up: the newest of each type
   * waits, and when the client reads again it gets exactly those two, in the order the types came.
   */
  @Test
  void aClientThatDoesNotReadGetsOnlyTheNewestResponseOfEachType() {
    XdsMetrics metrics = new XdsMetrics();
    XdsLimits limits = new XdsLimits(XdsLimits.Settings.DEFAULT, metrics);
    FakeServerCall slow = new FakeServerCall(Integer.MAX_VALUE);
    slow.ready = false; // the client does not read
    List<DiscoveryResponse> sent = slow.sent;
    List<Status> closed = slow.closed;
    List<io.grpc.ServerCall<DiscoveryRequest, DiscoveryResponse>> seen = new ArrayList<>();
    io.grpc.ServerCall.Listener<DiscoveryRequest> listener =
        limits.interceptCall(
            slow,
            new io.grpc.Metadata(),
            (call, headers) -> {
              seen.add(call);
              return new io.grpc.ServerCall.Listener<>() {};
            });
    io.grpc.ServerCall<DiscoveryRequest, DiscoveryResponse> served = seen.get(0);
    for (int v = 1; v <= 20; v++) {
      served.sendMessage(response(Resources.V3.CLUSTER_TYPE_URL, v));
      served.sendMessage(response(Resources.V3.ENDPOINT_TYPE_URL, v));
    }
    assertThat(sent).as("nothing sent while the client does not read").isEmpty();

    slow.ready = true;
    listener.onReady();

    assertThat(sent)
        .extracting(DiscoveryResponse::getTypeUrl, DiscoveryResponse::getVersionInfo)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Resources.V3.CLUSTER_TYPE_URL, "20"),
            org.assertj.core.groups.Tuple.tuple(Resources.V3.ENDPOINT_TYPE_URL, "20"));
    assertThat(closed).as("the stream goes on").isEmpty();
    assertThat(limits.openStreams()).isOne();
    assertThat(metrics.scrape()).contains("fairlead_xds_responses_merged_total 38.0");

    served.sendMessage(response(Resources.V3.CLUSTER_TYPE_URL, 21));
    assertThat(sent).as("a reading client is sent to at once").hasSize(3);
    listener.onComplete();
    assertThat(limits.openStreams()).isZero();
  }

  private static DiscoveryResponse response(String type, int version) {
    return DiscoveryResponse.newBuilder()
        .setTypeUrl(type)
        .setVersionInfo(Integer.toString(version))
        .setNonce("n" + version)
        .build();
  }

  /**
   * The same over the network, from a client that stops reading: fifty new versions of the
   * endpoints are published while it reads nothing. java-control-plane answers a type again only
   * once the client acknowledges the last response, so the versions in between are never queued for
   * it; when it reads again it gets one response per type, and acknowledging those brings it the
   * newest version at once.
   */
  @Test
  void aClientThatStopsReadingIsSentNothingUntilItReadsThenTheNewest() throws Exception {
    java.util.concurrent.atomic.AtomicInteger port =
        new java.util.concurrent.atomic.AtomicInteger(8080);
    plane =
        ControlPlane.start(
            new ControlPlane.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                XdsLimits.Settings.DEFAULT,
                java.util.Optional.empty()),
            group -> Fixtures.resources(port.get()));
    plane.changed();
    await(() -> plane.publisher().ready(), "first publish");
    DiscoveryRequest endpoints =
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("slow").setUserAgentName("envoy"))
            .setTypeUrl(Resources.V3.ENDPOINT_TYPE_URL)
            .addResourceNames(Fixtures.CLUSTER)
            .build();
    List<DiscoveryResponse> received = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<ClientCallStreamObserver<DiscoveryRequest>> stream =
        new CompletableFuture<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel())
            .streamAggregatedResources(
                new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> r) {
                    r.disableAutoRequestWithInitial(0); // reads nothing
                    stream.complete(r);
                  }

                  @Override
                  public void onNext(DiscoveryResponse value) {
                    received.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(endpoints);
    await(() -> metrics().contains("fairlead_xds_pushes_total 1.0"), "the first response sent");
    for (int i = 1; i <= 50; i++) {
      port.set(8080 + i);
      plane.changed();
      Thread.sleep(20);
    }
    Thread.sleep(300);
    assertThat(metrics())
        .as("nothing more sent while the client does not acknowledge")
        .contains("fairlead_xds_pushes_total 1.0");

    stream.get().request(Integer.MAX_VALUE);
    await(() -> received.size() == 1, "the response held for the client");
    DiscoveryResponse first = received.get(0);
    requests.onNext(
        endpoints.toBuilder()
            .setVersionInfo(first.getVersionInfo())
            .setResponseNonce(first.getNonce())
            .build());
    await(() -> received.size() == 2, "the newest version, once acknowledged");
    assertThat(received.get(1).getVersionInfo()).isNotEqualTo(first.getVersionInfo());
    assertThat(plane.callbacks().connections()).as("the stream was not cut").hasSize(1);
  }

  /**
   * The flood from the hardening report, scaled to a unit test: many streams, each naming many
   * clusters, dropped at once. Everything they held is released: the open-stream count and the
   * connected-streams gauge return to zero, and a new client is still served.
   */
  @Test
  void droppedStreamsReleaseEverythingTheyHeld() throws Exception {
    start(new XdsLimits.Settings(10_000, 1000, 2000, 16 * 1024, 10_000, XdsLimits.Unread.DEFAULT));
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
    await(
        () ->
            metrics()
                .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 0"),
        "gauge back to 0");
    assertThat(
            open(channel(), clusters("after", 0))
                .first
                .get(10, TimeUnit.SECONDS)
                .getResourcesCount())
        .isPositive();
  }
}
