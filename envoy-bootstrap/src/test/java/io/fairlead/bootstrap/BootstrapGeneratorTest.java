package io.fairlead.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.fairlead.translators.ProxyRole;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The properties the xDS server and Envoy rely on, stated independently of the golden files. */
class BootstrapGeneratorTest {

  private static BootstrapParams.Builder sidecar() {
    return BootstrapParams.builder()
        .role(ProxyRole.SIDECAR)
        .xdsAddress("fairlead.fairlead-system.svc:18000")
        .nodeId("sidecar~a")
        .cluster("a");
  }

  private static BootstrapParams.Builder gateway() {
    return BootstrapParams.builder()
        .role(ProxyRole.GATEWAY)
        .xdsAddress("fairlead:18000")
        .nodeId("gateway~a")
        .cluster("gw");
  }

  private static Map<String, String> metadata(Bootstrap bootstrap) {
    return bootstrap.getNode().getMetadata().getFieldsMap().entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                e -> {
                  assertThat(e.getValue().getKindCase()).isEqualTo(Value.KindCase.STRING_VALUE);
                  return e.getValue().getStringValue();
                }));
  }

  private static Cluster xdsCluster(Bootstrap bootstrap) {
    assertThat(bootstrap.getStaticResources().getClustersList()).hasSize(1);
    return bootstrap.getStaticResources().getClusters(0);
  }

  @Test
  void minimalSidecarCarriesOnlyTheRoleInMetadata() {
    Bootstrap bootstrap = BootstrapGenerator.generate(sidecar().build());

    assertThat(metadata(bootstrap)).containsExactly(Map.entry(NodeMetadataKeys.ROLE, "sidecar"));
    assertThat(bootstrap.getNode().hasLocality()).isFalse();
    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getAddress())
        .isEqualTo("127.0.0.1");
    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getPortValue())
        .isEqualTo(15000);
  }

  @Test
  void fullSidecarIdentityUsesEveryPodKey() {
    Bootstrap bootstrap =
        BootstrapGenerator.generate(
            sidecar().namespace("shop").pod("p-1").node("w-3").zone("z-b").build());

    assertThat(metadata(bootstrap))
        .isEqualTo(
            Map.of(
                NodeMetadataKeys.ROLE, "sidecar",
                NodeMetadataKeys.NAMESPACE, "shop",
                NodeMetadataKeys.POD, "p-1",
                NodeMetadataKeys.NODE, "w-3",
                NodeMetadataKeys.ZONE, "z-b"));
    assertThat(bootstrap.getNode().getLocality().getZone()).isEqualTo("z-b");
    assertThat(NodeMetadataKeys.ALL).containsAll(metadata(bootstrap).keySet()).isSorted();
  }

  @Test
  void gatewayDefaultsPortsAndSendsPortAsString() {
    Bootstrap bootstrap = BootstrapGenerator.generate(gateway().gatewayGroup("public").build());

    assertThat(metadata(bootstrap))
        .isEqualTo(
            Map.of(
                NodeMetadataKeys.ROLE, "gateway",
                NodeMetadataKeys.GATEWAY, "public",
                NodeMetadataKeys.GATEWAY_PORT, "8080"));
    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(9901);
  }

  @Test
  void adsIsDeltaGrpcThroughTheStaticCluster() {
    var dynamic = BootstrapGenerator.generate(sidecar().build()).getDynamicResources();

    assertThat(dynamic.getAdsConfig().getApiType()).isEqualTo(ApiConfigSource.ApiType.DELTA_GRPC);
    assertThat(dynamic.getAdsConfig().getGrpcServices(0).getEnvoyGrpc().getClusterName())
        .isEqualTo(BootstrapGenerator.XDS_CLUSTER);
    assertThat(dynamic.getCdsConfig().hasAds()).isTrue();
    assertThat(dynamic.getLdsConfig().hasAds()).isTrue();
  }

  @Test
  @SuppressWarnings("deprecation")
  void xdsClusterSpeaksHttp2ThroughTypedProtocolOptions() throws Exception {
    Cluster cluster = xdsCluster(BootstrapGenerator.generate(sidecar().build()));

    assertThat(cluster.hasHttp2ProtocolOptions()).as("deprecated Cluster field").isFalse();
    HttpProtocolOptions options =
        cluster
            .getTypedExtensionProtocolOptionsOrThrow(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
            .unpack(HttpProtocolOptions.class);
    var keepalive =
        options.getExplicitHttpConfig().getHttp2ProtocolOptions().getConnectionKeepalive();
    assertThat(keepalive.getInterval().getSeconds()).isEqualTo(30);
    assertThat(keepalive.getTimeout().getSeconds()).isEqualTo(5);
  }

  @Test
  void clusterTypeFollowsTheHostKind() {
    assertThat(xdsCluster(BootstrapGenerator.generate(sidecar().build())).getType())
        .isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(
            xdsCluster(BootstrapGenerator.generate(sidecar().xdsAddress("10.0.0.1:18000").build()))
                .getType())
        .isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(
            xdsCluster(BootstrapGenerator.generate(sidecar().xdsAddress("[::1]:18000").build()))
                .getType())
        .isEqualTo(Cluster.DiscoveryType.STATIC);
  }

  @Test
  void tlsSetsSniOnlyForHostNames() throws Exception {
    TlsFiles files = new TlsFiles("/ca.crt", "/tls.crt", "/tls.key");

    UpstreamTlsContext named =
        xdsCluster(BootstrapGenerator.generate(sidecar().tls(files).build()))
            .getTransportSocket()
            .getTypedConfig()
            .unpack(UpstreamTlsContext.class);
    UpstreamTlsContext literal =
        xdsCluster(
                BootstrapGenerator.generate(
                    sidecar().xdsAddress("10.0.0.1:18443").tls(files).build()))
            .getTransportSocket()
            .getTypedConfig()
            .unpack(UpstreamTlsContext.class);

    assertThat(named.getSni()).isEqualTo("fairlead.fairlead-system.svc");
    assertThat(literal.getSni()).isEmpty();
    var common = named.getCommonTlsContext();
    assertThat(common.getTlsCertificates(0).getCertificateChain().getFilename())
        .isEqualTo("/tls.crt");
    assertThat(common.getTlsCertificates(0).getPrivateKey().getFilename()).isEqualTo("/tls.key");
    assertThat(common.getValidationContext().getTrustedCa().getFilename()).isEqualTo("/ca.crt");
    assertThat(common.getAlpnProtocolsList()).containsExactly("h2");
  }

  @Test
  void withoutTlsThereIsNoTransportSocket() {
    assertThat(xdsCluster(BootstrapGenerator.generate(sidecar().build())).hasTransportSocket())
        .isFalse();
  }

  @Test
  void gatewayGetsALargerHeapThanASidecar() throws Exception {
    assertThat(maxHeap(BootstrapGenerator.generate(gateway().build()))).isEqualTo(1L << 30);
    assertThat(maxHeap(BootstrapGenerator.generate(sidecar().build()))).isEqualTo(256L << 20);
  }

  private static long maxHeap(Bootstrap bootstrap) throws Exception {
    var monitor =
        bootstrap.getOverloadManager().getResourceMonitorsList().stream()
            .filter(m -> m.getName().equals("envoy.resource_monitors.fixed_heap"))
            .findFirst()
            .orElseThrow();
    return monitor.getTypedConfig().unpack(FixedHeapConfig.class).getMaxHeapSizeBytes();
  }

  @Test
  void outputIsStable() {
    BootstrapParams params = gateway().namespace("ns").zone("z").gatewayGroup("g").build();
    String first = BootstrapWriter.toJson(BootstrapGenerator.generate(params));
    String second = BootstrapWriter.toJson(BootstrapGenerator.generate(params));

    assertThat(second).isEqualTo(first);
    assertThat(first.indexOf("\"admin\"")).isLessThan(first.indexOf("\"dynamicResources\""));
  }

  @Test
  void anOnDemandSidecarHasNoCdsWildcardButKeepsDeltaAdsAndLds() {
    Bootstrap onDemand = BootstrapGenerator.generate(sidecar().onDemand(true).build());
    assertThat(onDemand.getDynamicResources().hasCdsConfig())
        .as("a cds_config would subscribe to every cluster")
        .isFalse();
    assertThat(onDemand.getDynamicResources().getLdsConfig().hasAds()).isTrue();
    assertThat(onDemand.getDynamicResources().getAdsConfig().getApiType())
        .as("ODCDS over ADS works with delta xDS only")
        .isEqualTo(ApiConfigSource.ApiType.DELTA_GRPC);
    assertThat(metadata(onDemand)).containsEntry(NodeMetadataKeys.ON_DEMAND, "true");

    Bootstrap usual = BootstrapGenerator.generate(sidecar().build());
    assertThat(usual.getDynamicResources().getCdsConfig().hasAds()).isTrue();
    assertThat(metadata(usual)).doesNotContainKey(NodeMetadataKeys.ON_DEMAND);
  }

  @Test
  void dependenciesGoToMetadataAsWrittenAndABlankOneIsNone() {
    assertThat(metadata(BootstrapGenerator.generate(sidecar().dependencies(" cart,Bad ").build())))
        .containsEntry(NodeMetadataKeys.DEPENDENCIES, "cart,Bad");
    assertThat(metadata(BootstrapGenerator.generate(sidecar().dependencies("  ").build())))
        .doesNotContainKey(NodeMetadataKeys.DEPENDENCIES);
  }
}
