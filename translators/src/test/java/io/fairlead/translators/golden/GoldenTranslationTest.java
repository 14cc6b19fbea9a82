package io.fairlead.translators.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.output.ModelTree;
import io.fairlead.translators.output.Trees;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One dynamic test per folder under {@code golden/}: {@code input.yaml} (and optionally {@code
 * proxy.yaml} with the proxies' zone, node and visible namespaces) against the expected model, diagnostics and
 * resources of every role. {@code mvn test -Dupdate=true} rewrites them and deletes stale files.
 */
class GoldenTranslationTest {

  static final Path ROOT = Path.of(System.getProperty("golden.dir", "src/test/resources"), "golden");
  private static final boolean UPDATE = Boolean.getBoolean("update");
  private static final Set<String> INPUTS = Set.of("input.yaml", "proxy.yaml");

  @TestFactory
  Stream<DynamicTest> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      List<Path> cases = dirs.filter(Files::isDirectory).sorted().toList();
      assertThat(cases).as("golden cases under " + ROOT).isNotEmpty();
      return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }
  }

  /** Every expected file of a case, by file name. */
  static Map<String, String> outputs(Path dir) throws Exception {
    KubeYaml.Parsed parsed = KubeYaml.parse("input.yaml", Files.readString(dir.resolve("input.yaml")));
    KubeState state = KubeState.of(parsed.services(), parsed.endpointSlices());
    ServiceModel model = KubeModelBuilder.build(state);
    Map<String, String> proxy = proxy(dir);
    Optional<String> zone = Optional.ofNullable(proxy.get("zone"));
    Optional<String> node = Optional.ofNullable(proxy.get("node"));
    java.util.SortedSet<String> namespaces =
        new TreeSet<>(proxy.containsKey("namespaces") ? List.of(proxy.get("namespaces").split(",")) : List.of());
    Map<String, String> out = new LinkedHashMap<>();
    out.put("model.yaml", Trees.yaml(ModelTree.of(model)));
    out.put("diagnostics.yaml", Trees.yaml(Trees.diagnostics(model.diagnostics())));
    Optional<String> proxyNamespace = Optional.ofNullable(proxy.get("proxyNamespace"));
    ProxyContext.Gateway noGateway = ProxyContext.Gateway.DEFAULT;
    out.put(
        "sidecar.yaml",
        render(model, new ProxyContext(ProxyRole.SIDECAR, ClientKind.ENVOY, noGateway, zone, node, namespaces, proxyNamespace)));
    for (String group : gatewayGroups(model)) {
      String file = group.equals("default") ? "gateway.yaml" : "gateway-" + group + ".yaml";
      ProxyContext.Gateway gateway =
          new ProxyContext.Gateway(
              group,
              8080,
              Integer.parseInt(proxy.getOrDefault("xffTrustedHops", "0")),
              Boolean.parseBoolean(proxy.getOrDefault("proxyProtocol", "false")),
              Boolean.parseBoolean(proxy.getOrDefault("sessionCookieWallClock", "false")));
      out.put(
          file,
          render(model, new ProxyContext(ProxyRole.GATEWAY, ClientKind.ENVOY, gateway, zone, Optional.empty(), new TreeSet<>())));
    }
    for (ClientKind client : List.of(ClientKind.GRPC_JAVA, ClientKind.GRPC_NODE)) {
      out.put(
          "proxyless-" + client.label() + ".yaml",
          render(model, new ProxyContext(ProxyRole.PROXYLESS, client, noGateway, zone, node, namespaces, proxyNamespace)));
    }
    return out;
  }

  private static Set<String> gatewayGroups(ServiceModel model) {
    Set<String> groups = new TreeSet<>(Set.of("default"));
    model.services().forEach(s -> s.ports().forEach(p -> p.policy().gateway().ifPresent(g -> groups.add(g.group()))));
    return groups;
  }

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();

  /** Renders a context's resources; every one must pass Envoy's validate rules and semantics. */
  private static String render(ServiceModel model, ProxyContext ctx) {
    XdsResources r = XdsTranslator.translate(model, ctx);
    assertThat(VALIDATOR.validate(r, Set.of()))
        .as("validation of the " + ctx.role().label() + "/" + ctx.client().label() + " resources")
        .isEmpty();
    return Trees.yaml(Trees.resources(r));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> proxy(Path dir) throws IOException {
    Path file = dir.resolve("proxy.yaml");
    if (!Files.exists(file)) {
      return Map.of();
    }
    Map<String, Object> raw = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
    Map<String, String> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private static void check(Path dir) throws Exception {
    Map<String, String> expected = outputs(dir);
    Set<String> stale = new TreeSet<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(f -> f.getFileName().toString())
          .filter(n -> !INPUTS.contains(n) && !expected.containsKey(n))
          .forEach(stale::add);
    }
    if (UPDATE) {
      for (String name : stale) {
        Files.delete(dir.resolve(name));
      }
      for (Map.Entry<String, String> e : expected.entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue());
      }
      return;
    }
    assertThat(stale).as("stale golden files in " + dir + "; run mvn test -pl translators -Dupdate=true to delete them").isEmpty();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path file = dir.resolve(e.getKey());
      if (!Files.exists(file)) {
        fail(file + " is missing; run mvn test -pl translators -Dupdate=true to create it");
      }
      assertThat(e.getValue())
          .as(file + " differs; if the change is intended run mvn test -pl translators -Dupdate=true")
          .isEqualTo(Files.readString(file));
    }
  }
}
