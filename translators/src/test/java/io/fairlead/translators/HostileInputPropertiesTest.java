package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.policies.AnnotationKey;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random Kubernetes objects, annotations and YAML shapes, as a directory or a hostile client can
 * deliver them: parsing either refuses the input with one line or reads it; nothing else ever
 * throws; and every resource translated for any role and client passes Envoy's validation rules.
 * 5,000 seeded cases in the normal suite; {@code mvn test -pl translators
 * -Dtest=HostileInputPropertiesTest -Dfairlead.property.cases=100000} is the long profile.
 */
class HostileInputPropertiesTest {

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();

  private static final List<ProxyContext> CONTEXTS =
      List.of(
          new ProxyContext(
              ProxyRole.SIDECAR,
              ClientKind.ENVOY,
              ProxyContext.Gateway.DEFAULT,
              Optional.of("zone-a"),
              Optional.of("node-1"),
              new TreeSet<>(),
              Optional.of("shop")),
          new ProxyContext(
              ProxyRole.GATEWAY,
              ClientKind.ENVOY,
              new ProxyContext.Gateway("default", 8080, 1, true, false),
              Optional.empty(),
              Optional.empty(),
              new TreeSet<>()),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE));

  private static final List<String> VALUES =
      List.of(
          "",
          " ",
          ",",
          "=",
          ":",
          "|",
          ".",
          "*",
          "0",
          "1",
          "50",
          "100",
          "101",
          "-1",
          "65536",
          "5000011",
          "99999999999999999999",
          "0s",
          "1ms",
          "30s",
          "1h",
          "100000h",
          "1d",
          "round-robin",
          "least-request",
          "maglev",
          "ring-hash",
          "random",
          "header:x-user",
          "header:bad name",
          "cookie:sid",
          "cookie:",
          "source-ip",
          "query:u",
          "header:x,source-ip",
          "http",
          "http2",
          "grpc",
          "tcp",
          "http:/healthz",
          "http:/h,host=a.b",
          "http:/h,host=*.b",
          "grpc,interval=5s",
          "default",
          "consecutive-5xx=3",
          "max-requests=0",
          "attempts=3,on=5xx|reset",
          "all-ports",
          "none",
          "24",
          "24,64",
          "33",
          "example.com",
          "*.example.com",
          "/api",
          "shop",
          ".,shop",
          "*,shop",
          "\u0000",
          "\t",
          "é",
          "💥",
          "${jndi:ldap://x}",
          "'",
          "\"",
          "x".repeat(3000));

  private static final List<String> NAMES =
      List.of(
          "web",
          "a",
          "b/c",
          "a/b",
          "9lives",
          "UPPER",
          "",
          "x".repeat(70),
          "dots.in.name",
          "-dash",
          "ok-1");

  private static final List<String> ADDRESSES =
      List.of(
          "10.0.0.1",
          "10.0.0.2",
          "2001:db8::1",
          "999.1.1.1",
          "",
          "10.0.0",
          "::ffff:1.2.3.4",
          "fe80::1%eth0",
          "localhost",
          "1.1.1.1");

  private static final List<String> PORTS =
      List.of("80", "8080", "0", "-1", "65535", "65536", "70000", "null", "\"80\"", "9090");

  /**
   * Case count: 5,000 in the normal suite; {@code -Dfairlead.property.cases=100000} for the long
   * profile.
   */
  private static final int CASES = Integer.getInteger("fairlead.property.cases", 5000);

  /** Seeded, so a failing case reproduces; {@code -Dfairlead.property.seed=N} explores others. */
  private static final long SEED = Long.getLong("fairlead.property.seed", 20261201L);

  private static final List<String> KEYS =
      AnnotationRegistry.all().stream().map(AnnotationKey::fullName).toList();

  private static <T> T pick(Random r, List<T> from) {
    return from.get(r.nextInt(from.size()));
  }

  /** Mostly a plausible value, sometimes a hostile one: both must be handled. */
  private static String mostly(Random r, String plausible, List<String> hostile) {
    return r.nextInt(10) < 7 ? plausible : pick(r, hostile);
  }

  private static String annotationKey(Random r) {
    return switch (r.nextInt(4)) {
      case 0, 1 -> pick(r, KEYS);
      case 2 -> pick(r, KEYS) + pick(r, List.of(".http", ".nope"));
      default ->
          pick(
              r,
              List.of("fairlead.io/unknown", "fairlead.io/", "fairlead.io/lb-polcy", "other/key"));
    };
  }

  private static String service(Random r) {
    StringBuilder annotations = new StringBuilder();
    for (int i = r.nextInt(7); i > 0; i--) {
      annotations
          .append("    \"")
          .append(annotationKey(r))
          .append("\": \"")
          .append(escape(pick(r, VALUES)))
          .append("\"\n");
    }
    StringBuilder ports = new StringBuilder();
    for (int i = r.nextInt(5); i > 0; i--) {
      String app = pick(r, List.of("", "kubernetes.io/ws", "grpc", "nonsense"));
      ports
          .append("  - {name: \"")
          .append(pick(r, List.of("http", "grpc", "h2c", "db", "", "Bad_Name")))
          .append("\", port: ")
          .append(mostly(r, String.valueOf(80 + r.nextInt(10)), PORTS))
          .append(app.isEmpty() ? "" : ", appProtocol: \"" + app + "\"")
          .append("}\n");
    }
    String td = pick(r, List.of("", "PreferClose", "PreferSameZone"));
    return "apiVersion: v1\nkind: Service\nmetadata:\n  name: \""
        + escape(mostly(r, "web", NAMES))
        + "\"\n  namespace: \""
        + mostly(r, "shop", List.of("payments", "a/b", "Bad"))
        + "\"\n  annotations:\n"
        + (annotations.length() == 0 ? "    {}\n" : annotations)
        + "spec:\n  clusterIP: \""
        + escape(mostly(r, "10.96.0.1", ADDRESSES))
        + "\"\n"
        + (td.isEmpty() ? "" : "  trafficDistribution: " + td + "\n")
        + "  ports:\n"
        + (ports.length() == 0 ? "  - null\n" : ports);
  }

  private static String slice(Random r) {
    StringBuilder eps = new StringBuilder();
    for (int i = r.nextInt(6); i > 0; i--) {
      boolean ready = r.nextBoolean();
      String zone = pick(r, List.of("zone-a", "zone-b", "bad zone", ""));
      eps.append("- {addresses: [\"")
          .append(escape(pick(r, ADDRESSES)))
          .append("\"], conditions: {ready: ")
          .append(ready)
          .append(", serving: ")
          .append(!ready)
          .append(", terminating: ")
          .append(r.nextBoolean())
          .append("}")
          .append(zone.isEmpty() ? "" : ", zone: \"" + zone + "\"")
          .append("}\n");
    }
    return "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: s-1\n  namespace: shop\n  labels: {kubernetes.io/service-name: \""
        + escape(mostly(r, "web", NAMES))
        + "\"}\naddressType: "
        + pick(r, List.of("IPv4", "IPv6", "FQDN"))
        + "\nports: [{name: http, port: "
        + pick(r, PORTS)
        + "}]\nendpoints:\n"
        + (eps.length() == 0 ? "[]\n" : eps);
  }

  private static final List<String> SHAPES =
      List.of(
          "a: &a [*a]\n",
          "a: " + "[".repeat(80) + "]".repeat(80) + "\n",
          "a: &x [1,2]\nb: [*x, *x, *x]\n",
          "{\"kind\": \"Service\"}\n",
          "- null\n- 1\n",
          "kind: Service\napiVersion: v1\n",
          "apiVersion: v1\nkind: List\nitems: [null, {}]\n",
          "--- !!binary AAAA\n",
          "\u0000\n");

  /** One to four documents: Services, EndpointSlices and hostile YAML shapes. */
  static String manifest(Random r) {
    List<String> docs = new java.util.ArrayList<>();
    for (int i = 1 + r.nextInt(4); i > 0; i--) {
      int kind = r.nextInt(10);
      docs.add(kind < 5 ? service(r) : kind < 9 ? slice(r) : pick(r, SHAPES));
    }
    return String.join("---\n", docs);
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Test
  void hostileManifestsAreOneLineErrorsOrValidResources() {
    Random random = new Random(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int i = 0; i < CASES; i++) {
      String yaml = manifest(random);
      outcomes.merge(check(yaml, i), 1, Integer::sum);
    }
    System.out.printf(
        "HostileInputPropertiesTest: %d cases (seed %d): %s%n", CASES, SEED, outcomes);
    // The generator must reach translation often, or the property proves little.
    assertThat(outcomes.getOrDefault("read, routed", 0))
        .as("cases that reach translation")
        .isGreaterThanOrEqualTo(CASES / 5);
  }

  private static String check(String yaml, int index) {
    KubeYaml.Parsed parsed;
    try {
      parsed = KubeYaml.parse("random.yaml", yaml);
    } catch (KubeYaml.InvalidInputException refused) {
      assertThat(refused.getMessage()).as("case %d", index).doesNotContain("\n");
      return "refused";
    }
    ServiceModel model =
        KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
    for (ProxyContext ctx : CONTEXTS) {
      XdsResources r = XdsTranslator.translate(model, ctx);
      assertThat(VALIDATOR.validate(r, Set.of()))
          .as("case %d, %s, for\n%s", index, ctx.role(), yaml)
          .isEmpty();
    }
    return model.services().isEmpty() ? "read, nothing routed" : "read, routed";
  }
}
