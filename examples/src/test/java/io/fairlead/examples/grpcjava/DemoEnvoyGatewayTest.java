package io.fairlead.examples.grpcjava;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.fairlead.bootstrap.BootstrapGenerator;
import io.fairlead.bootstrap.NodeMetadataKeys;
import io.fairlead.demo.DemoManifests;
import io.fairlead.demo.EnvoyGateway;
import io.fairlead.k8s.DirectorySource;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import io.fairlead.xds.NodeGroups;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's Envoy step without Envoy: the bootstrap it renders, the command line it runs, and what
 * Fairlead serves a node with that bootstrap for the demo's own manifests.
 */
class DemoEnvoyGatewayTest {

  private static final int XDS_PORT = 18000;
  private static final int GATEWAY_PORT = 18080;
  private static final int ADMIN_PORT = 19901;

  private final Bootstrap bootstrap = EnvoyGateway.bootstrap(XDS_PORT, GATEWAY_PORT, ADMIN_PORT);

  @Test
  void theBootstrapMakesAGatewayOfTheDemoGroupTalkingToTheDemosControlPlane() {
    Map<String, String> metadata =
        bootstrap.getNode().getMetadata().getFieldsMap().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getStringValue()));
    assertThat(metadata)
        .containsEntry(NodeMetadataKeys.ROLE, "gateway")
        .containsEntry(NodeMetadataKeys.GATEWAY, "demo-envoy")
        .containsEntry(NodeMetadataKeys.GATEWAY_PORT, "18080");
    assertThat(bootstrap.getAdmin().getAddress().getSocketAddress())
        .isEqualTo(
            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(ADMIN_PORT).build());
    Cluster xds = bootstrap.getStaticResources().getClusters(0);
    assertThat(xds.getName()).isEqualTo(BootstrapGenerator.XDS_CLUSTER);
    assertThat(
            xds.getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress())
        .isEqualTo(
            SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(XDS_PORT).build());
    assertThat(XdsValidator.withEnvoyTypes().validateMessage("bootstrap", bootstrap)).isEmpty();
  }

  @Test
  void fairleadGivesThatNodeAListenerOnItsPortRoutingAnyHostToDemoEchoOverHttp2(@TempDir Path dir)
      throws Exception {
    DemoManifests.writeInitial(dir, DemoManifests.MANIFEST_PORT);
    ServiceModel model = KubeModelBuilder.build(DirectorySource.load(dir).state());
    // Envoy sends its bootstrap node with its user agent added
    Node node = bootstrap.getNode().toBuilder().setUserAgentName("envoy").build();
    NodeGroups.Resolution resolution = NodeGroups.resolve(node);
    assertThat(resolution.problems()).isEmpty();
    assertThat(resolution.context())
        .isEqualTo(
            new ProxyContext(
                ProxyRole.GATEWAY,
                ClientKind.ENVOY,
                "demo-envoy",
                GATEWAY_PORT,
                Optional.empty(),
                Optional.empty()));

    XdsResources r = XdsTranslator.translate(model, resolution.context());
    assertThat(r.diagnostics()).isEmpty();
    assertThat(XdsValidator.withEnvoyTypes().validate(r, Set.of())).isEmpty();
    assertThat(r.listeners())
        .singleElement()
        .satisfies(
            l ->
                assertThat(l.getAddress().getSocketAddress())
                    .isEqualTo(
                        SocketAddress.newBuilder()
                            .setAddress("0.0.0.0")
                            .setPortValue(GATEWAY_PORT)
                            .build()));
    assertThat(r.routes())
        .singleElement()
        .satisfies(rc -> assertThat(rc.getVirtualHostsCount()).isEqualTo(1));
    VirtualHost host = r.routes().get(0).getVirtualHosts(0);
    assertThat(host.getDomainsList()).containsExactly("*");
    assertThat(host.getRoutesList())
        .singleElement()
        .satisfies(route -> assertThat(route.getRoute().getCluster()).isEqualTo("demo/echo:9090"));
    // gRPC needs HTTP/2 to the pods: the port named grpc gives the cluster upstream HTTP/2
    assertThat(r.clusters())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("demo/echo:9090");
              assertThat(http2(c)).isTrue();
            });
    assertThat(r.endpoints())
        .singleElement()
        .satisfies(
            cla ->
                assertThat(cla.getEndpoints(0).getLbEndpointsList())
                    .extracting(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
                    .containsExactly("127.0.0.11", "127.0.0.12", "127.0.0.13"));
  }

  @Test
  void exposingDemoEchoToItsOwnGroupLeavesTheDefaultGatewayGroupEmpty(@TempDir Path dir)
      throws Exception {
    DemoManifests.writeInitial(dir, DemoManifests.MANIFEST_PORT);
    ServiceModel model = KubeModelBuilder.build(DirectorySource.load(dir).state());
    XdsResources r =
        XdsTranslator.translate(model, ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY));
    assertThat(r.listeners()).isEmpty();
    assertThat(r.routes()).isEmpty();
  }

  @Test
  void envoyRunsWithOneWorkerNoHotRestartAndQuietLogs() {
    assertThat(
            EnvoyGateway.command(Path.of("/opt/envoy/bin/envoy"), Path.of("/tmp/d/bootstrap.yaml")))
        .containsExactly(
            "/opt/envoy/bin/envoy",
            "--config-path",
            "/tmp/d/bootstrap.yaml",
            "--concurrency",
            "1",
            "--disable-hot-restart",
            "--log-level",
            "warn");
  }

  private static boolean http2(Cluster cluster) throws InvalidProtocolBufferException {
    var options =
        cluster
            .getTypedExtensionProtocolOptionsMap()
            .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    return options != null
        && options
            .unpack(HttpProtocolOptions.class)
            .getExplicitHttpConfig()
            .hasHttp2ProtocolOptions();
  }
}
