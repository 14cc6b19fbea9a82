package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.fairlead.policies.NativeFields;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortSpec;
import io.fairlead.policies.ServicePolicyParser;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.PortEntry;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.validate.XdsValidator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The safety net under the input checks: a model that reaches the translator with values Envoy
 * would reject (here written by hand, past KubeModelBuilder's checks) loses only the port
 * concerned, with an error diagnostic; nothing invalid is emitted and other Services are intact.
 */
class NeverServeInvalidTest {

  private static ServiceEntry service(String name, String clusterIp, int port, String endpoint) {
    PortSpec spec = new PortSpec("http", port, "TCP", Optional.empty());
    var policy =
        ServicePolicyParser.parse(
                new io.fairlead.policies.ObjectRef("demo", name),
                Map.of(),
                NativeFields.NONE,
                List.of(spec))
            .ports()
            .get(0);
    EndpointEntry ep =
        new EndpointEntry(
            endpoint,
            8080,
            endpoint,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            EndpointHealth.HEALTHY);
    return new ServiceEntry(
        new ObjectRef("demo", name),
        List.of(clusterIp),
        List.of(new PortEntry(policy, List.of(ep))));
  }

  @Test
  void aPortWhoseResourcesEnvoyWouldRejectIsLeftOutAndTheRestServed() {
    ServiceModel model =
        new ServiceModel(
            List.of(
                service("bad", "10.96.0.9", 70000, ""),
                service("good", "10.96.0.10", 80, "10.0.0.2")),
            List.of());
    for (ProxyContext ctx :
        List.of(
            ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY),
            ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA))) {
      XdsResources r = XdsTranslator.translate(model, ctx);
      assertThat(XdsValidator.withEnvoyTypes().validate(r, Set.of()))
          .as(ctx.role().label())
          .isEmpty();
      assertThat(r.clusters())
          .extracting(Cluster::getName)
          .contains("demo/good:80")
          .noneMatch(n -> n.startsWith("demo/bad"));
      assertThat(r.diagnostics())
          .filteredOn(d -> d.object().equals("demo/bad"))
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.severity()).isEqualTo(Severity.ERROR);
                assertThat(d.message())
                    .contains("fails Envoy's validation", "demo/bad:70000", "port left out");
              });
    }
  }
}
