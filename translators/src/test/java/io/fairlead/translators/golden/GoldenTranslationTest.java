package io.fairlead.translators.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fairlead.policies.Dependencies;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One dynamic test per folder under {@code golden/}, at two boundaries:
 *
 * <ol>
 *   <li>Kubernetes objects to model: {@code input.yaml} gives {@code model.yaml} and {@code
 *       diagnostics.yaml};
 *   <li>model to Envoy resources: the role files ({@code sidecar.yaml}, {@code
 *       gateway[-GROUP].yaml}, {@code proxyless.yaml} or {@code proxyless-grpc-java.yaml} and
 *       {@code proxyless-grpc-node.yaml}) come from the hand-written model {@code model.in.yaml}
 *       ({@link ModelYaml}) when the case has one, else from the model of {@code input.yaml};
 *       {@code proxy.yaml} gives the proxies' zone, node, namespaces and gateway settings, and the
 *       control plane's access log and tracing settings.
 * </ol>
 *
 * A role that produces nothing (no resources, no diagnostic beyond the model's) has no file, and
 * the test asserts that it still produces nothing; when both proxyless clients get the same text it
 * is stored once as {@code proxyless.yaml}. {@code mvn test -Dupdate=true} rewrites the outputs and
 * deletes stale files.
 */
class GoldenTranslationTest {

  static final Path ROOT =
      Path.of(System.getProperty("golden.dir", "src/test/resources"), "golden");
  private static final boolean UPDATE = Boolean.getBoolean("update");

  /**
   * {@code -Dgolden.boundaries=model} runs boundary 2 alone: only the cases with a hand-written
   * {@code model.in.yaml}, and only their role files, so no Kubernetes object is read. The mutation
   * profile measures the builders with it, to see what they are guarded by without the end-to-end
   * cases. Default {@code all}.
   */
  static final boolean MODEL_BOUNDARY_ONLY =
      System.getProperty("golden.boundaries", "all").equals("model");

  static final String INPUT = "input.yaml";
  static final String MODEL_IN = "model.in.yaml";
  static final String PROXY = "proxy.yaml";
  private static final Set<String> INPUTS = Set.of(INPUT, MODEL_IN, PROXY);

  /** Boundary 1's outputs; every other output is a role file. */
  private static final Set<String> MODEL_OUTPUTS = Set.of("model.yaml", "diagnostics.yaml");

  private static final String UPDATE_HINT =
      "; if the change is intended run mvn test -pl translators -am -Dupdate=true";

  @TestFactory
  Stream<DynamicTest> cases() throws IOException {
    return cases(GoldenTranslationTest::check);
  }

  /**
   * Boundary 1's models read back from their printed text, which proves {@link ModelYaml} on real
   * models.
   */
  @TestFactory
  Stream<DynamicTest> modelsReadBackFromTheirText() throws IOException {
    return cases(
        dir -> {
          for (ServiceModel model :
              Stream.of(parsed(dir), handWritten(dir)).flatMap(Optional::stream).toList()) {
            assertThat(ModelYaml.read("printed model", ModelYaml.print(model))).isEqualTo(model);
          }
        });
  }

  interface CaseCheck {
    void run(Path dir) throws Exception;
  }

  private static Stream<DynamicTest> cases(CaseCheck check) throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      List<Path> cases =
          dirs.filter(Files::isDirectory)
              .filter(dir -> !MODEL_BOUNDARY_ONLY || Files.exists(dir.resolve(MODEL_IN)))
              .sorted()
              .toList();
      assertThat(cases).as("golden cases under " + ROOT).isNotEmpty();
      return cases.stream()
          .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check.run(dir)));
    }
  }

  /** The model of {@code input.yaml}, when the case has one. */
  static Optional<ServiceModel> parsed(Path dir) throws Exception {
    Path file = dir.resolve(INPUT);
    if (!Files.exists(file) || MODEL_BOUNDARY_ONLY) {
      return Optional.empty();
    }
    KubeYaml.Parsed parsed = KubeYaml.parse(INPUT, Files.readString(file));
    return Optional.of(
        KubeModelBuilder.build(
            KubeState.of(parsed.services(), parsed.endpointSlices(), parsed.pods())));
  }

  /** The model of {@code model.in.yaml}, when the case has one. */
  static Optional<ServiceModel> handWritten(Path dir) throws IOException {
    Path file = dir.resolve(MODEL_IN);
    return Files.exists(file)
        ? Optional.of(ModelYaml.read(dir.getFileName() + "/" + MODEL_IN, Files.readString(file)))
        : Optional.empty();
  }

  /** What a case's outputs are: the expected files by name, and the roles that produce nothing. */
  record Outputs(Map<String, String> files, SortedSet<String> silent, String nothing) {}

  static Outputs outputs(Path dir) throws Exception {
    Optional<ServiceModel> parsed = parsed(dir);
    Optional<ServiceModel> handWritten = handWritten(dir);
    if (parsed.isEmpty() && handWritten.isEmpty()) {
      fail(dir + " has neither " + INPUT + " nor " + MODEL_IN);
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (parsed.isPresent()) {
      out.put("model.yaml", Trees.yaml(ModelTree.of(parsed.get())));
      out.put("diagnostics.yaml", Trees.yaml(Trees.diagnostics(parsed.get().diagnostics())));
    }
    ServiceModel model = handWritten.orElseGet(parsed::orElseThrow);
    Map<String, String> proxy = proxy(dir);
    Optional<String> zone = Optional.ofNullable(proxy.get("zone"));
    Optional<String> node = Optional.ofNullable(proxy.get("node"));
    SortedSet<String> namespaces =
        new TreeSet<>(
            proxy.containsKey("namespaces")
                ? List.of(proxy.get("namespaces").split(","))
                : List.of());
    Optional<String> proxyNamespace = Optional.ofNullable(proxy.get("proxyNamespace"));
    TranslationSettings settings = settings(proxy);
    ProxyContext.Gateway noGateway = ProxyContext.Gateway.DEFAULT;

    // Every role's rendering, by the file it would have; then the ones that say nothing are
    // dropped.
    Map<String, String> roles = new LinkedHashMap<>();
    roles.put(
        "sidecar.yaml",
        render(
            model,
            settings,
            new ProxyContext(
                ProxyRole.SIDECAR,
                ClientKind.ENVOY,
                noGateway,
                zone,
                node,
                namespaces,
                proxyNamespace,
                Optional.ofNullable(proxy.get("dependencies")).map(Dependencies::parse),
                Boolean.parseBoolean(proxy.getOrDefault("onDemand", "false")))));
    for (String group : gatewayGroups(model)) {
      ProxyContext.Gateway gateway =
          new ProxyContext.Gateway(
              group,
              8080,
              Integer.parseInt(proxy.getOrDefault("xffTrustedHops", "0")),
              Boolean.parseBoolean(proxy.getOrDefault("proxyProtocol", "false")),
              Boolean.parseBoolean(proxy.getOrDefault("sessionCookieWallClock", "false")));
      roles.put(
          group.equals("default") ? "gateway.yaml" : "gateway-" + group + ".yaml",
          render(
              model,
              settings,
              new ProxyContext(
                  ProxyRole.GATEWAY,
                  ClientKind.ENVOY,
                  gateway,
                  zone,
                  Optional.empty(),
                  new TreeSet<>())));
    }
    for (ClientKind client : List.of(ClientKind.GRPC_JAVA, ClientKind.GRPC_NODE)) {
      roles.put(
          "proxyless-" + client.label() + ".yaml",
          render(
              model,
              settings,
              new ProxyContext(
                  ProxyRole.PROXYLESS, client, noGateway, zone, node, namespaces, proxyNamespace)));
    }
    String nothing = nothing(model);
    SortedSet<String> silent = new TreeSet<>();
    roles.forEach(
        (file, text) -> {
          if (text.equals(nothing)) {
            silent.add(file);
          }
        });
    roles.keySet().removeAll(silent);
    String java = roles.get("proxyless-grpc-java.yaml");
    if (java != null && java.equals(roles.get("proxyless-grpc-node.yaml"))) {
      roles.remove("proxyless-grpc-java.yaml");
      roles.remove("proxyless-grpc-node.yaml");
      roles.put("proxyless.yaml", java);
    }
    out.putAll(roles);
    return new Outputs(out, silent, nothing);
  }

  /**
   * What a role that produces nothing prints: no resources and only the model's own diagnostics.
   */
  private static String nothing(ServiceModel model) {
    List<Diagnostic> diagnostics = List.copyOf(new TreeSet<>(model.diagnostics()));
    return Trees.yaml(
        Trees.resources(new XdsResources(List.of(), List.of(), List.of(), List.of(), diagnostics)));
  }

  private static Set<String> gatewayGroups(ServiceModel model) {
    Set<String> groups = new TreeSet<>(Set.of("default"));
    model
        .services()
        .forEach(
            s ->
                s.ports().forEach(p -> p.policy().gateway().ifPresent(g -> groups.add(g.group()))));
    return groups;
  }

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();

  /** Renders a context's resources; every one must pass Envoy's validate rules and semantics. */
  private static String render(ServiceModel model, TranslationSettings settings, ProxyContext ctx) {
    XdsResources r = XdsTranslator.translate(model, ctx, settings);
    assertThat(VALIDATOR.validate(r, Set.of()))
        .as("validation of the " + ctx.role().label() + "/" + ctx.client().label() + " resources")
        .isEmpty();
    return Trees.yaml(Trees.resources(r));
  }

  /**
   * The control plane's settings from {@code proxy.yaml}: {@code accessLog} (json, text, off) and
   * {@code tracing} ({@code HOST:PORT}) with {@code tracingSampling}; absent, {@link
   * TranslationSettings#DEFAULT} (no access log, no tracing), so only the cases that ask show them.
   */
  private static TranslationSettings settings(Map<String, String> proxy) {
    TranslationSettings s = TranslationSettings.DEFAULT;
    if (proxy.containsKey("accessLog")) {
      s =
          s.withAccessLog(
              TranslationSettings.AccessLogFormat.valueOf(
                  proxy.get("accessLog").toUpperCase(java.util.Locale.ROOT)));
    }
    if (proxy.containsKey("tracing")) {
      String[] hostPort = proxy.get("tracing").split(":");
      s =
          s.withTracing(
              Optional.of(
                  new TranslationSettings.Tracing(
                      hostPort[0],
                      Integer.parseInt(hostPort[1]),
                      Double.parseDouble(proxy.getOrDefault("tracingSampling", "1")))));
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> proxy(Path dir) throws IOException {
    Path file = dir.resolve(PROXY);
    if (!Files.exists(file)) {
      return Map.of();
    }
    Map<String, Object> raw =
        new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
    Map<String, String> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  /** Each input file begins with a comment line that says what the case checks. */
  private static void checkSaysWhatItChecks(Path dir) throws IOException {
    for (String input : List.of(INPUT, MODEL_IN)) {
      Path file = dir.resolve(input);
      if (Files.exists(file)) {
        String first = Files.readString(file).lines().findFirst().orElse("");
        assertThat(first)
            .as(file + " must begin with one line '# <what this case checks>'")
            .matches("# \\S.{10,}");
      }
    }
  }

  /** The stored outputs of a case, by name. */
  private static Map<String, String> stored(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!INPUTS.contains(name) && !(MODEL_BOUNDARY_ONLY && MODEL_OUTPUTS.contains(name))) {
          out.put(name, Files.readString(f));
        }
      }
    }
    return out;
  }

  /**
   * No stored file is empty or says nothing, and no two role files of a case hold the same text.
   */
  private static void checkNothingStoredTwiceOrEmpty(
      Path dir, Map<String, String> stored, String nothing) {
    List<String> roleFiles = new ArrayList<>();
    stored.forEach(
        (name, text) -> {
          assertThat(text).as(dir.resolve(name) + " is empty").isNotBlank();
          if (!MODEL_OUTPUTS.contains(name)) {
            assertThat(text)
                .as(
                    dir.resolve(name)
                        + " holds no resources and no diagnostic of its own: delete it (a missing role file means the role produces nothing)")
                .isNotEqualTo(nothing);
            roleFiles.add(name);
          }
        });
    for (int i = 0; i < roleFiles.size(); i++) {
      for (int j = i + 1; j < roleFiles.size(); j++) {
        assertThat(stored.get(roleFiles.get(i)))
            .as(
                dir
                    + ": "
                    + roleFiles.get(i)
                    + " and "
                    + roleFiles.get(j)
                    + " are identical; store them once")
            .isNotEqualTo(stored.get(roleFiles.get(j)));
      }
    }
  }

  private static void check(Path dir) throws Exception {
    checkSaysWhatItChecks(dir);
    Outputs expected = outputs(dir);
    assertThat(UPDATE && MODEL_BOUNDARY_ONLY)
        .as("-Dupdate=true regenerates both boundaries; drop -Dgolden.boundaries=model")
        .isFalse();
    if (UPDATE) {
      for (String name : stored(dir).keySet()) {
        if (!expected.files().containsKey(name)) {
          Files.delete(dir.resolve(name));
        }
      }
      for (Map.Entry<String, String> e : expected.files().entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue());
      }
    }
    Map<String, String> stored = stored(dir);
    checkNothingStoredTwiceOrEmpty(dir, stored, expected.nothing());
    Set<String> stale = new TreeSet<>(stored.keySet());
    stale.removeAll(expected.files().keySet());
    assertThat(stale)
        .as(
            "stale golden files in "
                + dir
                + " (roles that now produce nothing: "
                + expected.silent()
                + ")"
                + UPDATE_HINT)
        .isEmpty();
    for (Map.Entry<String, String> e : expected.files().entrySet()) {
      Path file = dir.resolve(e.getKey());
      if (!stored.containsKey(e.getKey())) {
        fail(file + " is missing: the role now produces something" + UPDATE_HINT);
      }
      assertThat(e.getValue())
          .as(file + " differs" + UPDATE_HINT)
          .isEqualTo(stored.get(e.getKey()));
    }
  }
}
