package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fairlead.k8s.KubernetesSource;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes API (Fabric8 mock server, CRUD mode) → KubernetesSource → Fairlead → grpc-java's xDS
 * client → backends on 127.0.0.11 and .12. Creating, updating and deleting Services and
 * EndpointSlices reaches the client; restarting the control plane and its watch loses nothing.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesEndToEndTest {

  private static final String BOOTSTRAP_PROPERTY = "io.grpc.xds.bootstrapConfig";
  private static final Metadata.Key<String> BACKEND =
      Metadata.Key.of("x-backend", Metadata.ASCII_STRING_MARSHALLER);
  private static final String TARGET = "xds:///echo.shop.svc.cluster.local:9090";

  KubernetesClient client;
  private final List<Server> backends = new ArrayList<>();
  private int backendPort;
  private FairleadServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    for (String ip : List.of("127.0.0.11", "127.0.0.12")) {
      backends.add(backend(ip, backendPort));
      backendPort = backends.get(0).getPort();
    }
    server = startFairlead(0);
    System.setProperty(
        BOOTSTRAP_PROPERTY,
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                          "server_features": ["xds_v3"]}],
         "node": {"id": "k8s-e2e-client", "metadata": {"fairlead.io/role": "proxyless"}}}
        """
            .formatted(server.controlPlane().xdsPort()));
  }

  @AfterEach
  void stop() throws Exception {
    System.clearProperty(BOOTSTRAP_PROPERTY);
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.close();
    for (Server b : backends) {
      b.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void createUpdateDeleteReachTheClientAndARestartLosesNothing() throws Exception {
    client.services().resource(service(Map.of())).create();
    client.discovery().v1().endpointSlices().resource(slice("127.0.0.11")).create();
    // Another Service stays, so deleting echo below is an ordinary change: a watch that suddenly
    // sees no Service at all is held back as a glitch (SourceGuard; serve --allow-empty-source).
    client
        .services()
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceBuilder(service(Map.of()))
                .editMetadata()
                .withName("other")
                .endMetadata()
                .build())
        .create();
    channel = Grpc.newChannelBuilder(TARGET, InsecureChannelCredentials.create()).build();
    awaitBackends(Set.of("127.0.0.11"), null);

    // Scale up: the new endpoint gets requests on the same channel.
    client.discovery().v1().endpointSlices().resource(slice("127.0.0.11", "127.0.0.12")).update();
    awaitBackends(Set.of("127.0.0.11", "127.0.0.12"), null);

    // A policy change: ring-hash on a header makes each key stick to one backend.
    client.services().resource(service(Map.of("fairlead.io/hash-on", "header:x-user"))).update();
    awaitCondition(() -> backendsSeen(12, "alice").size() == 1);

    // Restart the control plane on the same port while the client stays connected; change the
    // world while it is down: nothing is lost.
    int xdsPort = server.controlPlane().xdsPort();
    server.close();
    client.discovery().v1().endpointSlices().resource(slice("127.0.0.12")).update();
    server = startFairlead(xdsPort);
    awaitBackends(Set.of("127.0.0.12"), null);

    // Deleting the Service removes the listener: calls fail rather than reach a stale backend.
    client.services().inNamespace("shop").withName("echo").delete();
    awaitCondition(() -> backendsSeen(1, null).isEmpty());
    // Every change above reached the client and was ACKed: the change → ACK latency has samples.
    assertThat(server.controlPlane().metrics().scrape())
        .containsPattern("fairlead_xds_change_to_ack_seconds_count [1-9]");
  }

  private FairleadServer startFairlead(int xdsPort) throws Exception {
    return FairleadServer.start(
        new KubernetesSource(client, Optional.of(Set.of("shop"))),
        new ControlPlane.Settings(
            new InetSocketAddress("127.0.0.1", xdsPort),
            new InetSocketAddress("127.0.0.1", 0),
            Duration.ofMillis(20),
            Duration.ofMillis(200)));
  }

  /** The backends that answered {@code calls} RPCs; empty when the calls fail. */
  private Set<String> backendsSeen(int calls, String user) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < calls; i++) {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      Metadata extra = new Metadata();
      extra.put(
          Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER),
          user == null ? "u" + i : user);
      Channel ch =
          ClientInterceptors.intercept(
              channel,
              MetadataUtils.newAttachHeadersInterceptor(extra),
              MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
      try {
        HealthGrpc.newBlockingStub(ch)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
        seen.add(headers.get().get(BACKEND));
      } catch (RuntimeException e) {
        return Set.of();
      }
    }
    return seen;
  }

  private void awaitBackends(Set<String> expected, String user) throws InterruptedException {
    awaitCondition(() -> backendsSeen(20, user).equals(expected));
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 20 s").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static Server backend(String ip, int port) throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    return NettyServerBuilder.forAddress(new InetSocketAddress(ip, port))
        .addService(
            ServerInterceptors.intercept(
                health.getHealthService(),
                new io.grpc.ServerInterceptor() {
                  @Override
                  public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                      io.grpc.ServerCall<Q, R> call,
                      Metadata headers,
                      io.grpc.ServerCallHandler<Q, R> next) {
                    return next.startCall(
                        new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                          @Override
                          public void sendHeaders(Metadata responseHeaders) {
                            responseHeaders.put(BACKEND, ip);
                            super.sendHeaders(responseHeaders);
                          }
                        },
                        headers);
                  }
                }))
        .build()
        .start();
  }

  private static Service service(Map<String, String> annotations) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName("echo")
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withClusterIP("10.96.0.9")
        .addNewPort()
        .withName("grpc")
        .withPort(9090)
        .endPort()
        .endSpec()
        .build();
  }

  private EndpointSlice slice(String... ips) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName("echo-x1")
            .addToLabels("kubernetes.io/service-name", "echo")
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("grpc")
            .withPort(backendPort)
            .endPort();
    for (String ip : ips) {
      b.addNewEndpoint()
          .withAddresses(ip)
          .withNewConditions()
          .withReady(true)
          .endConditions()
          .endEndpoint();
    }
    return b.build();
  }
}
