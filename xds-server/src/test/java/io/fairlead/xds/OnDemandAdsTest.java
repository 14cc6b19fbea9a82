package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.fairlead.translators.xds.XdsResources;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On-demand cluster discovery as an on-demand Envoy speaks it over delta ADS, played by a raw
 * client against the whole control plane: listeners by wildcard, clusters only by name, the first
 * time the app calls one (the {@code on_demand} filter's ODCDS), then their endpoints. The proxy
 * must hold only the clusters it asked for, hear at once of one that does not exist, and be pushed
 * only changes to what it holds.
 */
class OnDemandAdsTest {

  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String EDS = Resources.V3.ENDPOINT_TYPE_URL;
  private static final String LDS = Resources.V3.LISTENER_TYPE_URL;
  private static final int SERVICES = 50;

  private final AtomicReference<XdsResources> state = new AtomicReference<>(world(i -> 8000));
  private ControlPlane plane;
  private ManagedChannel channel;

  private static String cluster(int i) {
    return "ns/svc-" + i + ":80";
  }

  /** {@link #SERVICES} clusters, each with its endpoints on port {@code port(i)}. */
  private static XdsResources world(IntUnaryOperator port) {
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    for (int i = 0; i < SERVICES; i++) {
      clusters.add(Fixtures.cluster(cluster(i)));
      endpoints.add(Fixtures.endpoints(cluster(i), port.applyAsInt(i)));
    }
    return new XdsResources(
        clusters,
        endpoints,
        List.of(Fixtures.rdsListener(Fixtures.SIDECAR_LISTENER, Fixtures.ROUTE)),
        List.of(Fixtures.route(Fixtures.ROUTE, cluster(0))),
        List.of());
  }

  @BeforeEach
  void start() throws Exception {
    plane =
        ControlPlane.start(
            ControlPlane.Settings.onLoopback(Duration.ofMillis(20), Duration.ofMillis(100)),
            group -> state.get());
    plane.changed();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!plane.publisher().ready() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    channel = NettyChannelBuilder.forAddress("127.0.0.1", plane.xdsPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    plane.close();
  }

  @Test
  void anOnDemandProxyHoldsOnlyTheClustersItCalledAndHearsAtOnceOfAMissingOne() throws Exception {
    Responses responses = new Responses();
    StreamObserver<DeltaDiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(responses);
    Node node = Node.newBuilder().setId("on-demand-1").setUserAgentName("envoy").build();

    // bootstrap: listeners by wildcard, no cluster subscription at all
    requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(LDS).build());
    DeltaDiscoveryResponse lds = responses.next();
    assertThat(lds.getTypeUrl()).isEqualTo(LDS);
    requests.onNext(ack(lds));

    // the app calls svc-7: the on_demand filter asks for that one cluster by name
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .addResourceNamesSubscribe(cluster(7))
            .build());
    DeltaDiscoveryResponse cds = responses.next();
    assertThat(names(cds)).containsExactly(cluster(7));
    requests.onNext(ack(cds));
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(EDS)
            .addResourceNamesSubscribe(cluster(7))
            .build());
    DeltaDiscoveryResponse eds = responses.next();
    assertThat(names(eds)).containsExactly(cluster(7));
    requests.onNext(ack(eds));

    // a second call, to svc-9, then to a Service that does not exist
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .addResourceNamesSubscribe(cluster(9))
            .build());
    DeltaDiscoveryResponse second = responses.next();
    assertThat(names(second)).containsExactly(cluster(9));
    assertThat(second.getRemovedResourcesList()).isEmpty();
    requests.onNext(ack(second));
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .addResourceNamesSubscribe("ns/nope:80")
            .build());
    DeltaDiscoveryResponse missing = responses.next();
    assertThat(missing.getResourcesList()).isEmpty();
    assertThat(missing.getRemovedResourcesList()).containsExactly("ns/nope:80");
    requests.onNext(ack(missing));
    responses.assertSilent();

    // the endpoints of Services it never called change: nothing is pushed to it
    state.set(world(i -> i == 20 || i == 30 ? 9000 : 8000));
    plane.changed();
    responses.assertSilent();

    // the endpoints of the one it holds change: only those
    state.set(world(i -> i == 20 || i == 30 || i == 7 ? 9000 : 8000));
    plane.changed();
    DeltaDiscoveryResponse update = responses.next();
    assertThat(update.getTypeUrl()).isEqualTo(EDS);
    assertThat(names(update)).containsExactly(cluster(7));
    requests.onNext(ack(update));
    responses.assertSilent();
    requests.onCompleted();
  }

  private static DeltaDiscoveryRequest ack(DeltaDiscoveryResponse response) {
    return DeltaDiscoveryRequest.newBuilder()
        .setTypeUrl(response.getTypeUrl())
        .setResponseNonce(response.getNonce())
        .build();
  }

  private static List<String> names(DeltaDiscoveryResponse response) {
    return response.getResourcesList().stream().map(Resource::getName).toList();
  }

  private static final class Responses implements StreamObserver<DeltaDiscoveryResponse> {
    private final BlockingQueue<DeltaDiscoveryResponse> queue = new LinkedBlockingQueue<>();

    DeltaDiscoveryResponse next() throws InterruptedException {
      DeltaDiscoveryResponse r = queue.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("a response within 10 s").isNotNull();
      return r;
    }

    void assertSilent() throws InterruptedException {
      assertThat(queue.poll(700, TimeUnit.MILLISECONDS)).as("no further push").isNull();
    }

    @Override
    public void onNext(DeltaDiscoveryResponse value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
