package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.output.Trees;
import io.fairlead.translators.validate.XdsValidator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The cluster's DNS domain is an input of the translation, not a constant. */
class ClusterDomainTest {

  private static final String YAML =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: svc
        namespace: demo
        annotations:
          fairlead.io/health-check.http: http:/healthz
          fairlead.io/health-check.grpc: grpc
      spec:
        clusterIP: 10.96.0.5
        ports:
          - {name: http, port: 8080}
          - {name: grpc, port: 9090}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: svc-1
        namespace: demo
        labels: {kubernetes.io/service-name: svc}
      addressType: IPv4
      ports: [{name: http, port: 8080}, {name: grpc, port: 9090}]
      endpoints:
        - {addresses: [10.0.0.1], conditions: {ready: true}}
      """;

  private static final TranslationSettings CORP = new TranslationSettings("k8s.corp.example");

  private static ServiceModel model() throws Exception {
    KubeYaml.Parsed parsed = KubeYaml.parse("test.yaml", YAML);
    return KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
  }

  private static XdsResources translate(ProxyContext ctx, TranslationSettings settings)
      throws Exception {
    XdsResources r = XdsTranslator.translate(model(), ctx, settings);
    assertThat(XdsValidator.withEnvoyTypes().validate(r, Set.of()))
        .as("Envoy validation")
        .isEmpty();
    return r;
  }

  @Test
  void healthChecksAskForTheServiceByItsNameInTheClusterDomain() throws Exception {
    for (ProxyRole role : new ProxyRole[] {ProxyRole.SIDECAR, ProxyRole.PROXYLESS}) {
      ProxyContext ctx =
          ProxyContext.of(
              role, role == ProxyRole.SIDECAR ? ClientKind.ENVOY : ClientKind.GRPC_JAVA);
      Map<String, Cluster> clusters =
          translate(ctx, CORP).clusters().stream()
              .collect(Collectors.toMap(Cluster::getName, c -> c));
      if (role == ProxyRole.SIDECAR) {
        assertThat(clusters.get("demo/svc:8080").getHealthChecks(0).getHttpHealthCheck().getHost())
            .isEqualTo("svc.demo.svc.k8s.corp.example");
        assertThat(
                clusters
                    .get("demo/svc:9090")
                    .getHealthChecks(0)
                    .getGrpcHealthCheck()
                    .getAuthority())
            .isEqualTo("svc.demo.svc.k8s.corp.example");
      }
    }
    Cluster byDefault =
        XdsTranslator.translate(model(), ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY))
            .clusters()
            .stream()
            .filter(c -> c.getName().equals("demo/svc:8080"))
            .findFirst()
            .orElseThrow();
    assertThat(byDefault.getHealthChecks(0).getHttpHealthCheck().getHost())
        .isEqualTo("svc.demo.svc.cluster.local");
  }

  @Test
  void proxylessClientsDialTheServiceInTheClusterDomain() throws Exception {
    XdsResources r = translate(ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA), CORP);
    assertThat(r.listeners())
        .extracting(Listener::getName)
        .containsExactly(
            "svc.demo.svc.k8s.corp.example:8080", "svc.demo.svc.k8s.corp.example:9090");
    HttpConnectionManager hcm =
        r.listeners().get(0).getApiListener().getApiListener().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRouteConfig().getName()).isEqualTo("svc.demo.svc.k8s.corp.example:8080");
    assertThat(
            ResourceNames.proxylessListener(
                new io.fairlead.policies.ObjectRef("demo", "svc"), 8080, CORP))
        .isEqualTo("svc.demo.svc.k8s.corp.example:8080");
  }

  @Test
  void theDefaultSettingsAreTheTranslationWithoutSettings() throws Exception {
    for (ProxyRole role : ProxyRole.values()) {
      ProxyContext ctx =
          ProxyContext.of(
              role, role == ProxyRole.PROXYLESS ? ClientKind.GRPC_NODE : ClientKind.ENVOY);
      assertThat(Trees.yaml(Trees.resources(translate(ctx, TranslationSettings.DEFAULT))))
          .isEqualTo(Trees.yaml(Trees.resources(XdsTranslator.translate(model(), ctx))));
    }
    assertThat(TranslationSettings.DEFAULT.clusterDomain()).isEqualTo("cluster.local");
  }

  @Test
  void aDomainTheKubeletWouldRefuseIsRefused() {
    for (String bad : new String[] {"", "Cluster.Local", "cluster.local.", "-x.local", "a/b"}) {
      assertThatThrownBy(() -> new TranslationSettings(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("cluster domain ");
    }
  }
}
