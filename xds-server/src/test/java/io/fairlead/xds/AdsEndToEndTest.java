package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.xds.XdsResources;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A raw ADS client over real gRPC, playing Envoy's part of the protocol step by step. */
class AdsEndToEndTest {

  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String EDS = Resources.V3.ENDPOINT_TYPE_URL;
  private static final String LDS = Resources.V3.LISTENER_TYPE_URL;

  /** Long enough for a wrong push to show up on loopback, short enough to keep the test quick. */
  private static final long SILENCE_MS = 700;

  private final AtomicReference<XdsResources> state =
      new AtomicReference<>(Fixtures.resources(5000));
  private final Set<ProxyContext> translated = ConcurrentHashMap.newKeySet();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private ControlPlane plane;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    plane =
        ControlPlane.start(
            ControlPlane.Settings.onLoopback(Duration.ofMillis(20), Duration.ofMillis(100)),
            group -> {
              translated.add(group);
              return state.get();
            });
    plane.changed();
    await(() -> plane.publisher().ready());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", plane.xdsPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    plane.close();
  }

  @Test
  void sotwStreamGetsResourcesAcksCauseNoPushAndNacksAreRecordedWithoutRepush() throws Exception {
    Responses<DiscoveryResponse> responses = new Responses<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(responses);
    // In a zone, so that a request without the node would hash to another (empty) group.
    Node node =
        NodeGroupsTest.node("envoy", "fairlead.io/zone", "zone-a").toBuilder()
            .setId("sidecar-1")
            .build();
    ProxyContext group =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            "default",
            8080,
            java.util.Optional.of("zone-a"),
            java.util.Optional.empty());

    requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
    DiscoveryResponse cds = responses.next();
    assertThat(cds.getTypeUrl()).isEqualTo(CDS);
    assertThat(cds.getResourcesList()).hasSize(1);
    Cluster cluster = cds.getResources(0).unpack(Cluster.class);
    assertThat(cluster.getName()).isEqualTo(Fixtures.CLUSTER);
    assertThat(cluster.getLoadBalancingPolicy().getPolicies(0).getTypedExtensionConfig().getName())
        .isEqualTo("envoy.load_balancing_policies.round_robin");
    assertThat(cds.getVersionInfo()).isEqualTo(publishedVersion(group, CDS));

    // Envoy may send the node only once: later requests must still find the group.
    requests.onNext(ack(cds));
    requests.onNext(
        DiscoveryRequest.newBuilder().setTypeUrl(EDS).addResourceNames(Fixtures.CLUSTER).build());
    DiscoveryResponse eds = responses.next();
    assertThat(eds.getTypeUrl()).isEqualTo(EDS);
    ClusterLoadAssignment assignment = eds.getResources(0).unpack(ClusterLoadAssignment.class);
    assertThat(assignment.getEndpoints(0).getLoadBalancingWeight().getValue()).isEqualTo(1);
    assertThat(
            assignment
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(5000);
    requests.onNext(ack(eds).toBuilder().addResourceNames(Fixtures.CLUSTER).build());

    requests.onNext(DiscoveryRequest.newBuilder().setTypeUrl(LDS).build());
    DiscoveryResponse lds = responses.next();
    assertThat(names(lds)).containsExactly(Fixtures.SIDECAR_LISTENER, Fixtures.API_LISTENER);
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(LDS)
            .setResponseNonce(lds.getNonce())
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage("listener rejected"))
            .build());

    responses.assertSilent();

    JsonNode connection = connection("sidecar-1");
    assertThat(connection.get("protocol").asText()).isEqualTo("sotw");
    assertThat(connection.at("/ackedVersions").get(CDS).asText()).isEqualTo(cds.getVersionInfo());
    assertThat(connection.at("/ackedVersions").get(EDS).asText()).isEqualTo(eds.getVersionInfo());
    assertThat(connection.at("/ackedVersions").has(LDS)).isFalse();
    JsonNode nack = connection.at("/nacks").get(LDS);
    assertThat(nack.get("message").asText()).isEqualTo("listener rejected");
    assertThat(nack.get("rejectedVersion").asText()).isEqualTo(lds.getVersionInfo());
    assertThat(plane.metrics().scrape())
        .contains("fairlead_xds_nacks_total{type=\"listener\"} 1")
        .contains("fairlead_xds_pushes_total 3")
        .contains("fairlead_xds_ack_latency_seconds_count 2")
        .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 1");

    // A change of endpoints pushes just the endpoints; the rejected listeners stay parked.
    state.set(Fixtures.resources(5001));
    plane.changed();
    DiscoveryResponse edsUpdate = responses.next();
    assertThat(edsUpdate.getTypeUrl()).isEqualTo(EDS);
    assertThat(
            edsUpdate
                .getResources(0)
                .unpack(ClusterLoadAssignment.class)
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(5001);
    requests.onNext(ack(edsUpdate).toBuilder().addResourceNames(Fixtures.CLUSTER).build());
    responses.assertSilent();

    // A listener change is delivered although the last listeners were rejected.
    XdsResources current = state.get();
    state.set(
        new XdsResources(
            current.clusters(),
            current.endpoints(),
            List.of(
                Fixtures.rdsListener(Fixtures.SIDECAR_LISTENER, Fixtures.ROUTE).toBuilder()
                    .setStatPrefix("fixed")
                    .build(),
                Fixtures.apiListener(Fixtures.API_LISTENER, Fixtures.CLUSTER)),
            current.routes(),
            current.diagnostics()));
    plane.changed();
    DiscoveryResponse ldsUpdate = responses.next();
    assertThat(ldsUpdate.getTypeUrl()).isEqualTo(LDS);
    assertThat(ldsUpdate.getVersionInfo()).isNotEqualTo(lds.getVersionInfo());

    requests.onCompleted();
    await(() -> plane.callbacks().connections().isEmpty());
    // the gauge is lowered when the stream's close is processed, which may come just after
    await(
        () ->
            plane
                .metrics()
                .scrape()
                .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 0"));
  }

  @Test
  void deltaStreamGetsVersionedResourcesAndANackParksUntilTheNextChange() throws Exception {
    Responses<DeltaDiscoveryResponse> responses = new Responses<>();
    StreamObserver<DeltaDiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(responses);
    Node node = Node.newBuilder().setId("delta-1").setUserAgentName("envoy").build();

    requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
    DeltaDiscoveryResponse cds = responses.next();
    assertThat(cds.getResourcesList()).hasSize(1);
    assertThat(cds.getResources(0).getName()).isEqualTo(Fixtures.CLUSTER);
    String clusterVersion = cds.getResources(0).getVersion();
    assertThat(clusterVersion)
        .isEqualTo(new ResourceDigests().digest(Fixtures.cluster(Fixtures.CLUSTER)).version());
    requests.onNext(deltaAck(cds));

    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(EDS)
            .addResourceNamesSubscribe(Fixtures.CLUSTER)
            .build());
    DeltaDiscoveryResponse eds = responses.next();
    assertThat(eds.getTypeUrl()).isEqualTo(EDS);
    assertThat(
            eds.getResources(0).getResource().unpack(ClusterLoadAssignment.class).getClusterName())
        .isEqualTo(Fixtures.CLUSTER);
    requests.onNext(deltaAck(eds));
    responses.assertSilent();

    state.set(Fixtures.resources(5001));
    plane.changed();
    DeltaDiscoveryResponse edsUpdate = responses.next();
    assertThat(edsUpdate.getTypeUrl()).isEqualTo(EDS);
    assertThat(edsUpdate.getResources(0).getVersion())
        .isNotEqualTo(eds.getResources(0).getVersion());
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(EDS)
            .setResponseNonce(edsUpdate.getNonce())
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage("endpoints rejected"))
            .build());
    responses.assertSilent();

    JsonNode connection = connection("delta-1");
    assertThat(connection.get("protocol").asText()).isEqualTo("delta");
    assertThat(connection.at("/nacks").get(EDS).get("message").asText())
        .isEqualTo("endpoints rejected");
    assertThat(connection.at("/nacks").get(EDS).get("rejectedVersion").asText())
        .isEqualTo(edsUpdate.getSystemVersionInfo());
    assertThat(plane.metrics().scrape()).contains("fairlead_xds_nacks_total{type=\"endpoint\"} 1");

    state.set(Fixtures.resources(5002));
    plane.changed();
    DeltaDiscoveryResponse fixed = responses.next();
    assertThat(fixed.getTypeUrl()).isEqualTo(EDS);
    assertThat(
            fixed
                .getResources(0)
                .getResource()
                .unpack(ClusterLoadAssignment.class)
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(5002);
    requests.onCompleted();
  }

  @Test
  void aNodeOfANewGroupGetsItsSnapshotWithoutAnotherChange() throws Exception {
    assertThat(translated).isEmpty();
    Responses<DiscoveryResponse> responses = new Responses<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(responses);
    Node gateway =
        NodeGroupsTest.node(
            "envoy", "fairlead.io/role", "gateway", "fairlead.io/gateway-port", "9090");

    requests.onNext(DiscoveryRequest.newBuilder().setNode(gateway).setTypeUrl(CDS).build());

    assertThat(responses.next().getResourcesList()).hasSize(1);
    assertThat(translated)
        .containsExactly(
            new ProxyContext(
                ProxyRole.GATEWAY,
                ClientKind.ENVOY,
                "default",
                9090,
                java.util.Optional.empty(),
                java.util.Optional.empty()));
    requests.onCompleted();
  }

  @Test
  void aCancelledStreamIsNoLongerCounted() throws Exception {
    Responses<DiscoveryResponse> responses = new Responses<>();
    Context.CancellableContext context = Context.current().withCancellation();
    StreamObserver<DiscoveryRequest> requests =
        context.call(
            () ->
                AggregatedDiscoveryServiceGrpc.newStub(channel)
                    .streamAggregatedResources(responses));
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("cancelled-1").setUserAgentName("envoy"))
            .setTypeUrl(CDS)
            .build());
    responses.next();
    assertThat(plane.callbacks().connections()).hasSize(1);

    context.cancel(null);

    await(() -> plane.callbacks().connections().isEmpty());
    assertThat(plane.metrics().scrape())
        .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 0");
  }

  private String publishedVersion(ProxyContext group, String type) {
    return plane.publisher().published(group).orElseThrow().versions().get(type);
  }

  private JsonNode connection(String nodeId) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + plane.adminPort() + "/debug/connections"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    for (JsonNode connection : json.readTree(response.body())) {
      if (connection.get("node").asText().equals(nodeId)) {
        return connection;
      }
    }
    throw new AssertionError("no connection of " + nodeId + " in " + response.body());
  }

  private static DiscoveryRequest ack(DiscoveryResponse response) {
    return DiscoveryRequest.newBuilder()
        .setTypeUrl(response.getTypeUrl())
        .setVersionInfo(response.getVersionInfo())
        .setResponseNonce(response.getNonce())
        .build();
  }

  private static DeltaDiscoveryRequest deltaAck(DeltaDiscoveryResponse response) {
    return DeltaDiscoveryRequest.newBuilder()
        .setTypeUrl(response.getTypeUrl())
        .setResponseNonce(response.getNonce())
        .build();
  }

  private static List<String> names(DiscoveryResponse response)
      throws InvalidProtocolBufferException {
    List<String> names = new java.util.ArrayList<>();
    for (var any : response.getResourcesList()) {
      names.add(any.unpack(Listener.class).getName());
    }
    return names;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10s");
      }
      Thread.sleep(10);
    }
  }

  /** Collects a stream's responses. */
  private static final class Responses<T> implements StreamObserver<T> {
    private final BlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private volatile Throwable error;

    T next() throws InterruptedException {
      T response = queue.poll(10, TimeUnit.SECONDS);
      if (response == null) {
        throw new AssertionError("no response within 10s", error);
      }
      return response;
    }

    void assertSilent() throws InterruptedException {
      T unexpected = queue.poll(SILENCE_MS, TimeUnit.MILLISECONDS);
      assertThat(unexpected).as("no further push").isNull();
    }

    @Override
    public void onNext(T value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }
}
