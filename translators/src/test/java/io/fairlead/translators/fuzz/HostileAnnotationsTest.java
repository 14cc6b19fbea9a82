package io.fairlead.translators.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.AnnotationKey;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Hostile annotations never crash anything and never produce a resource Envoy would reject:
 * thousands of Services whose annotations mix valid values, near misses, huge numbers, odd
 * characters and very long strings are translated for every role and client and validated. Seeded,
 * so a failure reproduces.
 */
class HostileAnnotationsTest {

  private static final String[] FRAGMENTS = {
    "",
    " ",
    ",",
    ",,",
    "=",
    ":",
    "|",
    "-",
    "/",
    "*",
    ".",
    "0",
    "1",
    "2",
    "99",
    "100",
    "101",
    "-1",
    "65537",
    "1000",
    "5000011",
    "5000012",
    "8388608",
    "8388609",
    "9223372036854775807",
    "99999999999999999999",
    "0s",
    "1ms",
    "30s",
    "5m",
    "1h",
    "1h30m",
    "100000h",
    "1d",
    "1.5s",
    "s",
    "round-robin",
    "least-request",
    "random",
    "ring-hash",
    "maglev",
    "weighted-round-robin",
    "blackout-period=0s",
    "weight-update-period=99ms",
    "weight-expiration-period=3m,error-utilization-penalty=100",
    "error-utilization-penalty=100.001",
    "utilization-metrics=named_metrics.q|cpu_utilization",
    "utilization-metrics=named_metrics.",
    "header:x-user",
    "header:",
    "header:bad name",
    "header:X-Ü",
    "cookie:sid",
    "cookie:",
    "cookie:a;b",
    "source-ip",
    "query:u",
    "query:",
    "http",
    "http2",
    "grpc",
    "tcp",
    "h2c",
    "http:/healthz",
    "http:",
    "grpc",
    "interval=5s",
    "timeout=0s",
    "unhealthy=0",
    "healthy=3",
    "consecutive-5xx=3",
    "max-ejection-percent=101",
    "base-ejection-time=1m",
    "max-connections=10",
    "max-requests=0",
    "attempts=3",
    "on=5xx|reset",
    "on=unavailable",
    "on=",
    "per-try-timeout=2s",
    "backoff=10ms-1s",
    "backoff=1s-1ms",
    "backoff=0.5ms",
    "status=503|409",
    "status=600",
    "retry-host=any",
    "retry-host=other",
    "gateway-failure=3",
    "local-origin=2",
    "success-rate=0",
    "failure-percentage=85",
    "failure-percentage-enforcing=50",
    "min-hosts=1",
    "request-volume=10",
    "aggression=2",
    "aggression=0.5",
    "min-weight=50",
    "method=HEAD",
    "method=CONNECT",
    "expected=200-299|304",
    "expected=99",
    "idle-timeout=0s",
    "max-requests-per-connection=1",
    "max-concurrent-streams=1",
    "zone-a",
    "zone-a,zone-b",
    "all-ports",
    "2000/s",
    "20/m burst 40",
    "4294967295/s",
    "4294967296/m",
    "0/s",
    "burst 1",
    "on",
    "off",
    "none",
    "default",
    "24",
    "24,64",
    "33",
    "0,0",
    "example.com",
    "*.example.com",
    "*",
    "bad host",
    "/api",
    "api",
    "/",
    "\u0000",
    "\n",
    "\t",
    "é",
    "💥",
    "${jndi:ldap://x}",
    "'",
    "\"",
  };

  private static final List<ProxyContext> CONTEXTS =
      List.of(
          new ProxyContext(
              ProxyRole.SIDECAR,
              ClientKind.ENVOY,
              "default",
              8080,
              Optional.of("zone-a"),
              Optional.of("node-1")),
          ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY),
          new ProxyContext(
              ProxyRole.GATEWAY, ClientKind.ENVOY, "g1", 8080, Optional.empty(), Optional.empty()),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_OTHER));

  private final Random random = new Random(20261122);
  private final XdsValidator validator = XdsValidator.withEnvoyTypes();

  @Test
  void randomAnnotationsNeverThrowAndAlwaysValidate() {
    for (int round = 0; round < 150; round++) {
      List<Service> services = new ArrayList<>();
      List<EndpointSlice> slices = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        services.add(service("svc" + i, annotations()));
        slices.add(slice("svc" + i));
      }
      ServiceModel model = KubeModelBuilder.build(KubeState.of(services, slices));
      for (ProxyContext ctx : CONTEXTS) {
        XdsResources r = XdsTranslator.translate(model, ctx);
        assertThat(validator.validate(r, java.util.Set.of()))
            .as(
                "round %d, %s, annotations %s",
                round, ctx, services.stream().map(s -> s.getMetadata().getAnnotations()).toList())
            .isEmpty();
      }
    }
  }

  private Map<String, String> annotations() {
    Map<String, String> a = new TreeMap<>();
    List<AnnotationKey<?>> keys = AnnotationRegistry.all();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) {
      AnnotationKey<?> key = keys.get(random.nextInt(keys.size()));
      String name =
          key.fullName()
              + switch (random.nextInt(6)) {
                case 0 -> ".http";
                case 1 -> ".grpc";
                case 2 -> ".nope";
                default -> "";
              };
      a.put(name, value());
    }
    if (random.nextInt(10) == 0) {
      a.put(AnnotationRegistry.PREFIX + "lb-polcy", value());
    }
    return a;
  }

  private String value() {
    StringBuilder v = new StringBuilder();
    int parts = 1 + random.nextInt(4);
    for (int i = 0; i < parts; i++) {
      if (i > 0) {
        v.append(random.nextBoolean() ? "," : "");
      }
      v.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
    }
    if (random.nextInt(50) == 0) {
      v.append("x".repeat(100_000));
    }
    return v.toString();
  }

  private Service service(String name, Map<String, String> annotations) {
    ServiceBuilder b =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("fuzz")
            .withName(name)
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withClusterIP(random.nextInt(5) == 0 ? "None" : "10.96.0." + (1 + random.nextInt(200)))
            .addNewPort()
            .withName("http")
            .withPort(80)
            .endPort()
            .addNewPort()
            .withName("grpc")
            .withPort(9090)
            .withAppProtocol(random.nextBoolean() ? "grpc" : null)
            .endPort()
            .addNewPort()
            .withName("db")
            .withPort(5432)
            .endPort()
            .endSpec();
    if (random.nextInt(3) == 0) {
      b.editSpec().withSessionAffinity("ClientIP").endSpec();
    }
    if (random.nextInt(3) == 0) {
      b.editSpec()
          .withTrafficDistribution("PreferClose")
          .withInternalTrafficPolicy("Local")
          .endSpec();
    }
    return b.build();
  }

  private EndpointSlice slice(String service) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("fuzz")
            .withName(service + "-x")
            .addToLabels("kubernetes.io/service-name", service)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .endPort()
            .addNewPort()
            .withName("grpc")
            .withPort(9090)
            .endPort()
            .addNewPort()
            .withName("db")
            .withPort(5432)
            .endPort();
    int endpoints = random.nextInt(4);
    for (int e = 0; e < endpoints; e++) {
      boolean ready = random.nextBoolean();
      b.addNewEndpoint()
          .withAddresses("10.1." + random.nextInt(4) + "." + (1 + random.nextInt(250)))
          .withZone(random.nextBoolean() ? "zone-" + random.nextInt(3) : null)
          .withNodeName("node-" + random.nextInt(3))
          .withNewConditions()
          .withReady(ready)
          .withServing(ready || random.nextBoolean())
          .withTerminating(!ready)
          .endConditions()
          .endEndpoint();
    }
    return b.build();
  }
}
