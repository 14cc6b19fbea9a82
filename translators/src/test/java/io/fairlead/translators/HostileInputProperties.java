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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random Kubernetes objects, annotations and YAML shapes, as a directory or a hostile client can
 * deliver them: parsing either refuses the input with one line or reads it; nothing else ever
 * throws; and every resource translated for any role and client passes Envoy's validation rules.
 * 5,000 cases per property in the normal suite (junit-platform.properties); see there for the
 * long profile.
 */
class HostileInputProperties {

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();

  private static final List<ProxyContext> CONTEXTS =
      List.of(
          new ProxyContext(
              ProxyRole.SIDECAR, ClientKind.ENVOY, ProxyContext.Gateway.DEFAULT, Optional.of("zone-a"), Optional.of("node-1"),
              new TreeSet<>(), Optional.of("shop")),
          new ProxyContext(
              ProxyRole.GATEWAY, ClientKind.ENVOY, new ProxyContext.Gateway("default", 8080, 1, true, false), Optional.empty(),
              Optional.empty(), new TreeSet<>()),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE));

  private static final List<String> VALUES =
      List.of(
          "", " ", ",", "=", ":", "|", ".", "*", "0", "1", "50", "100", "101", "-1", "65536", "5000011", "99999999999999999999",
          "0s", "1ms", "30s", "1h", "100000h", "1d", "round-robin", "least-request", "maglev", "ring-hash", "random",
          "header:x-user", "header:bad name", "cookie:sid", "cookie:", "source-ip", "query:u", "header:x,source-ip",
          "http", "http2", "grpc", "tcp", "http:/healthz", "http:/h,host=a.b", "http:/h,host=*.b", "grpc,interval=5s",
          "default", "consecutive-5xx=3", "max-requests=0", "attempts=3,on=5xx|reset", "all-ports", "none", "24", "24,64",
          "33", "example.com", "*.example.com", "/api", "shop", ".,shop", "*,shop", "\u0000", "\t", "é", "💥",
          "${jndi:ldap://x}", "'", "\"", "x".repeat(3000));

  private static final List<String> NAMES =
      List.of("web", "a", "b/c", "a/b", "9lives", "UPPER", "", "x".repeat(70), "dots.in.name", "-dash", "ok-1");

  private static final List<String> ADDRESSES =
      List.of("10.0.0.1", "10.0.0.2", "2001:db8::1", "999.1.1.1", "", "10.0.0", "::ffff:1.2.3.4", "fe80::1%eth0", "localhost", "1.1.1.1");

  private static final List<String> PORTS = List.of("80", "8080", "0", "-1", "65535", "65536", "70000", "null", "\"80\"", "9090");

  @Provide
  Arbitrary<String> annotationKeys() {
    List<String> keys = AnnotationRegistry.all().stream().map(AnnotationKey::fullName).toList();
    return Arbitraries.oneOf(
        Arbitraries.of(keys),
        Arbitraries.of(keys).map(k -> k + ".http"),
        Arbitraries.of(keys).map(k -> k + ".nope"),
        Arbitraries.of("fairlead.io/unknown", "fairlead.io/", "fairlead.io/lb-polcy", "other/key"));
  }

  @Provide
  Arbitrary<String> manifests() {
    Arbitrary<String> annotation =
        Combinators.combine(annotationKeys(), Arbitraries.of(VALUES))
            .as((k, v) -> "    \"" + k + "\": \"" + escape(v) + "\"\n");
    Arbitrary<String> annotations = annotation.list().ofMaxSize(6).map(l -> String.join("", l));
    Arbitrary<String> port =
        Combinators.combine(Arbitraries.of("http", "grpc", "h2c", "db", "", "Bad_Name"), Arbitraries.of(PORTS), Arbitraries.of("", "kubernetes.io/ws", "grpc", "nonsense"))
            .as((name, number, app) -> "  - {name: \"" + name + "\", port: " + number + (app.isEmpty() ? "" : ", appProtocol: \"" + app + "\"") + "}\n");
    Arbitrary<String> service =
        Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of("shop", "payments", "a/b", "Bad"), annotations, port.list().ofMaxSize(4),
                Arbitraries.of(ADDRESSES), Arbitraries.of("", "PreferClose", "PreferSameZone"))
            .as((name, ns, ann, ports, ip, td) ->
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"" + escape(name) + "\"\n  namespace: \"" + ns + "\"\n  annotations:\n"
                    + (ann.isEmpty() ? "    {}\n" : ann)
                    + "spec:\n  clusterIP: \"" + escape(ip) + "\"\n" + (td.isEmpty() ? "" : "  trafficDistribution: " + td + "\n")
                    + "  ports:\n" + (ports.isEmpty() ? "  - null\n" : String.join("", ports)));
    Arbitrary<String> endpoint =
        Combinators.combine(Arbitraries.of(ADDRESSES), Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of("zone-a", "zone-b", "bad zone", ""))
            .as((a, ready, terminating, zone) ->
                "- {addresses: [\"" + escape(a) + "\"], conditions: {ready: " + ready + ", serving: " + !ready + ", terminating: " + terminating + "}"
                    + (zone.isEmpty() ? "" : ", zone: \"" + zone + "\"") + "}\n");
    Arbitrary<String> slice =
        Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of("IPv4", "IPv6", "FQDN"), Arbitraries.of(PORTS), endpoint.list().ofMaxSize(5))
            .as((svc, type, portNumber, eps) ->
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: s-1\n  namespace: shop\n  labels: {kubernetes.io/service-name: \""
                    + escape(svc) + "\"}\naddressType: " + type + "\nports: [{name: http, port: " + portNumber + "}]\nendpoints:\n"
                    + (eps.isEmpty() ? "[]\n" : String.join("", eps)));
    Arbitrary<String> shape =
        Arbitraries.of(
            "a: &a [*a]\n",
            "a: " + "[".repeat(80) + "]".repeat(80) + "\n",
            "a: &x [1,2]\nb: [*x, *x, *x]\n",
            "{\"kind\": \"Service\"}\n",
            "- null\n- 1\n",
            "kind: Service\napiVersion: v1\n",
            "apiVersion: v1\nkind: List\nitems: [null, {}]\n",
            "--- !!binary AAAA\n",
            "\u0000\n");
    return Arbitraries.oneOf(service, slice, shape).list().ofMinSize(1).ofMaxSize(4).map(docs -> String.join("---\n", docs));
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

  @Property
  void hostileManifestsAreOneLineErrorsOrValidResources(@ForAll("manifests") String yaml) {
    // The generator must reach translation often, or the property proves little.
    Statistics.coverage(c -> c.check("read, routed").percentage(p -> p >= 20));
    KubeYaml.Parsed parsed;
    try {
      parsed = KubeYaml.parse("random.yaml", yaml);
    } catch (KubeYaml.InvalidInputException refused) {
      assertThat(refused.getMessage()).doesNotContain("\n");
      Statistics.collect("refused");
      return;
    }
    ServiceModel model = KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
    Statistics.collect(model.services().isEmpty() ? "read, nothing routed" : "read, routed");
    for (ProxyContext ctx : CONTEXTS) {
      XdsResources r = XdsTranslator.translate(model, ctx);
      assertThat(VALIDATOR.validate(r, Set.of())).as("%s for\n%s", ctx.role(), yaml).isEmpty();
    }
  }

}
