package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** grpc-java's own xDS client resolves a target through the control plane to a real backend. */
class GrpcXdsClientTest {

  private static final String BOOTSTRAP_PROPERTY = "io.grpc.xds.bootstrapConfig";

  private final Set<ProxyContext> translated = ConcurrentHashMap.newKeySet();
  private Server backend;
  private ControlPlane plane;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    backend =
        NettyServerBuilder.forAddress(new InetSocketAddress(Fixtures.ENDPOINT_IP, 0))
            .addService(new HealthStatusManager().getHealthService())
            .build()
            .start();
    int backendPort = backend.getPort();
    plane =
        ControlPlane.start(
            new ControlPlane.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                Duration.ZERO,
                Duration.ofMillis(50)),
            group -> {
              // the in-process liveness probe connects too when the machine is slow; not ours
              if (!group.namespaces().contains(LivenessProbe.NOWHERE)) {
                translated.add(group);
              }
              return Fixtures.resources(backendPort);
            });
    plane.changed();
    System.setProperty(
        BOOTSTRAP_PROPERTY,
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:%d",
                          "channel_creds": [{"type": "insecure"}],
                          "server_features": ["xds_v3"]}],
         "node": {"id": "grpc-client-1",
                  "metadata": {"fairlead.io/role": "proxyless", "fairlead.io/zone": "zone-a"}}}
        """
            .formatted(plane.xdsPort()));
  }

  @AfterEach
  void stop() throws Exception {
    System.clearProperty(BOOTSTRAP_PROPERTY);
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    plane.close();
    backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void grpcJavaResolvesTheServiceThroughAnApiListenerAndCallsTheBackend() {
    channel =
        Grpc.newChannelBuilder(
                "xds:///" + Fixtures.API_LISTENER, InsecureChannelCredentials.create())
            .build();

    HealthCheckResponse response =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());

    assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    ProxyContext group =
        new ProxyContext(
            ProxyRole.PROXYLESS,
            ClientKind.GRPC_JAVA,
            "default",
            8080,
            java.util.Optional.of("zone-a"),
            java.util.Optional.empty());
    assertThat(translated).containsExactly(group);
    List<ConnectionInfo> connections = plane.callbacks().connections();
    assertThat(connections)
        .filteredOn(c -> !c.nodeId().equals(LivenessProbe.NODE_ID))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.nodeId()).isEqualTo("grpc-client-1");
              assertThat(c.group()).isEqualTo(group);
              assertThat(c.problems()).isEmpty();
              assertThat(c.nacks()).isEmpty();
              // The call succeeded, so LDS, CDS and EDS were accepted; ACKs may trail a little.
            });
    assertThat(plane.metrics().scrape())
        .contains("fairlead_xds_connected_streams{client=\"grpc-java\",role=\"proxyless\"} 1")
        .contains("fairlead_xds_nacks_total{type=\"cluster\"} 0")
        .contains("fairlead_xds_nacks_total{type=\"listener\"} 0")
        .contains("fairlead_xds_nacks_total{type=\"endpoint\"} 0");
    assertThat(plane.publisher().published(group).orElseThrow().versions())
        .containsKey(Resources.V3.LISTENER_TYPE_URL);
  }
}
