package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xDS port with TLS and mutual TLS: a proxy with a certificate from the client CA is served; a
 * plaintext client, a client without a certificate and one with a certificate from another CA get
 * nothing. Certificates are made with openssl for each run (skipped without it).
 */
class XdsTlsTest {

  @TempDir static Path dir;
  private ControlPlane plane;
  private ManagedChannel channel;
  private List<io.fairlead.translators.ProxyContext> lastGroups = List.of();

  private static void openssl(String... args) throws Exception {
    Process p =
        new ProcessBuilder(List.of(args)).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", args) + ": " + out).isZero();
  }

  /** A CA, then a certificate signed by it with the given subject alternative names. */
  private static void issue(String ca, String name, String san) throws Exception {
    openssl(
        "openssl",
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + name);
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\n");
    openssl(
        "openssl",
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".crt",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        name + ".crt",
        "-extfile",
        name + ".ext");
    // PKCS#8, as cert-manager writes it
    openssl("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", name + ".key", "-out", name + ".pk8");
  }

  private static void ca(String name) throws Exception {
    openssl(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".crt",
        "-days",
        "2",
        "-subj",
        "/CN=" + name);
  }

  @BeforeAll
  static void certificates() throws Exception {
    boolean haveOpenssl;
    try {
      haveOpenssl = new ProcessBuilder("openssl", "version").start().waitFor() == 0;
    } catch (java.io.IOException e) {
      haveOpenssl = false;
    }
    assumeTrue(haveOpenssl, "openssl is not installed");
    ca("ca");
    ca("other-ca");
    issue("ca", "server", "DNS:localhost,IP:127.0.0.1");
    issue("ca", "proxy", "URI:spiffe://cluster.local/ns/shop/sa/web");
    issue("other-ca", "stranger", "URI:spiffe://cluster.local/ns/shop/sa/web");
  }

  private void start(boolean requireClientCert) throws Exception {
    XdsTls tls =
        new XdsTls(
            dir.resolve("server.crt"),
            dir.resolve("server.pk8"),
            Optional.of(dir.resolve("ca.crt")),
            requireClientCert);
    plane =
        ControlPlane.start(
            new ControlPlane.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                XdsLimits.Settings.DEFAULT,
                Optional.of(tls)),
            g -> Fixtures.resources(8080));
    plane.changed();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (plane != null) {
      plane.close();
    }
  }

  private static ChannelCredentials tls(String clientName) throws Exception {
    TlsChannelCredentials.Builder b =
        TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.crt").toFile());
    if (clientName != null) {
      b.keyManager(
          dir.resolve(clientName + ".crt").toFile(), dir.resolve(clientName + ".pk8").toFile());
    }
    return b.build();
  }

  /** One SotW cluster request: the answer, or the status the stream ended with. */
  private Object ask(ChannelCredentials credentials) throws Exception {
    return ask(credentials, Node.newBuilder().setId("p").setUserAgentName("envoy").build());
  }

  private Object ask(ChannelCredentials credentials, Node node) throws Exception {
    channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", plane.xdsPort(), credentials)
            .overrideAuthority("localhost")
            .build();
    CompletableFuture<Object> result = new CompletableFuture<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse value) {
                    result.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    result.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    result.complete(Status.OK);
                  }
                });
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .setNode(node)
            .build());
    Object answer = result.get(40, TimeUnit.SECONDS);
    lastGroups =
        plane.callbacks().connections().stream()
            .filter(c -> c.nodeId().equals(node.getId()))
            .map(c -> c.group())
            .toList();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    return answer;
  }

  @Test
  void aProxyWithACertificateFromTheClientCaIsServed() throws Exception {
    start(true);
    assertThat(ask(tls("proxy"))).isInstanceOf(DiscoveryResponse.class);
  }

  @Test
  void withRequiredMtlsPlaintextUnsignedAndForeignClientsGetNothing() throws Exception {
    start(true);
    for (ChannelCredentials c :
        List.of(InsecureChannelCredentials.create(), tls(null), tls("stranger"))) {
      Object answer = ask(c);
      assertThat(answer).isInstanceOf(Status.class);
      assertThat(((Status) answer).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void withOptionalMtlsATlsClientWithoutACertificateIsServedButPlaintextIsNot() throws Exception {
    start(false);
    assertThat(ask(tls(null))).isInstanceOf(DiscoveryResponse.class);
    assertThat(ask(InsecureChannelCredentials.create())).isInstanceOf(Status.class);
  }

  private static Node node(String id, String declaredNamespace) {
    Node.Builder n = Node.newBuilder().setId(id).setUserAgentName("envoy");
    if (declaredNamespace != null) {
      n.setMetadata(
          com.google.protobuf.Struct.newBuilder()
              .putFields(
                  "fairlead.io/namespace",
                  com.google.protobuf.Value.newBuilder()
                      .setStringValue(declaredNamespace)
                      .build()));
    }
    return n.build();
  }

  /** The certificate says namespace shop: that is the proxy's namespace, whatever the node says. */
  @Test
  void theCertificateDecidesTheProxysNamespace() throws Exception {
    start(true);
    assertThat(ask(tls("proxy"), node("quiet", null))).isInstanceOf(DiscoveryResponse.class);
    assertThat(lastGroups).extracting(g -> g.proxyNamespace()).containsExactly(Optional.of("shop"));
    assertThat(ask(tls("proxy"), node("honest", "shop"))).isInstanceOf(DiscoveryResponse.class);

    List<XdsIdentity.Refusal> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
    plane.limits().onIdentityRefused(refusals::add);
    Object liar = ask(tls("proxy"), node("liar", "payments"));
    assertThat(liar).isInstanceOf(Status.class);
    assertThat(refusals)
        .as("told, for the Event on the ServiceAccount")
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.peer()).isEqualTo(new XdsIdentity.Peer("shop", "web"));
              assertThat(r.message()).contains("'payments'", "'shop'");
            });
    assertThat(((Status) liar).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(((Status) liar).getDescription()).contains("'payments'", "'shop'");
    assertThat(plane.metrics().scrape())
        .contains("fairlead_xds_limit_hits_total{limit=\"identity\"} 1.0");
  }

  /** Without a certificate (optional mTLS), a declared namespace is not believed. */
  @Test
  void withoutACertificateTheNamespaceIsUnknown() throws Exception {
    start(false);
    assertThat(ask(tls(null), node("claims", "payments"))).isInstanceOf(DiscoveryResponse.class);
    assertThat(lastGroups).extracting(g -> g.proxyNamespace()).containsExactly(Optional.empty());
  }

  @Test
  void requiredMtlsWithoutAClientCaIsAOneLineError() {
    assertThatThrownBy(
            () ->
                new XdsTls(
                    dir.resolve("server.crt"), dir.resolve("server.pk8"), Optional.empty(), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--tls-client-ca");
    assertThatThrownBy(
            () ->
                new XdsTls(
                    dir.resolve("missing.crt"), dir.resolve("server.pk8"), Optional.empty(), false))
        .hasMessageContaining("cannot read");
  }
}
