package io.fairlead.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: cart
        namespace: shop
        annotations:
          fairlead.io/hash-on: header:x-user
          fairlead.io/lb-policy: maglev
      spec:
        clusterIP: 10.96.1.1
        ports:
          - name: grpc
            port: 9090
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: cart-1
        namespace: shop
        labels: {kubernetes.io/service-name: cart}
      addressType: IPv4
      ports: [{name: grpc, port: 9090}]
      endpoints:
        - addresses: [10.1.0.1]
          conditions: {ready: true}
      """;

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  private Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args);
      return new Run(
          status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private Path write(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  /** A subcommand with a defect, standing in for a Fairlead bug. */
  @picocli.CommandLine.Command(name = "boom")
  static final class Boom implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("broken invariant\nsecond line");
    }
  }

  private Run runWithDefect(String... args) {
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cli = Main.commandLine(args);
    cli.addSubcommand("boom", new Boom());
    cli.setErr(new java.io.PrintWriter(err, true));
    int status = cli.execute(args);
    return new Run(status, "", err.toString());
  }

  @Test
  void anInternalErrorExitsThreeAndAsksForAReportWithTheTraceOnlyUnderDebug() {
    Run plain = runWithDefect("boom");
    assertThat(plain.status()).isEqualTo(3);
    assertThat(plain.err())
        .startsWith(
            "fairlead: internal error, please report: java.lang.IllegalStateException: broken invariant")
        .doesNotContain("\tat ")
        .contains("--debug");
    Run debug = runWithDefect("boom", "--debug");
    assertThat(debug.status()).isEqualTo(3);
    assertThat(debug.err()).contains("\tat io.fairlead.cli.CliTest$Boom.call");
  }

  @Test
  void unusableInputStillExitsTwoWithOneLine() throws Exception {
    Path f =
        write(
            "self.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b}\nspec: &s\n  ports: [*s]\n");
    Run r = run("translate", "-f", f.toString(), "--role", "sidecar");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err().strip())
        .doesNotContain("\n")
        .contains("refers to a collection that contains it");
  }

  @Test
  void translatePrintsOneJsonDocumentWithEveryKey() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r = run("translate", "-f", f.toString(), "--role", "sidecar");
    assertThat(r.status()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("clusters", "endpoints", "listeners", "routes", "diagnostics");
    assertThat(doc.at("/clusters/0/name").asText()).isEqualTo("passthrough");
    assertThat(doc.at("/clusters/1/name").asText()).isEqualTo("shop/cart:9090");
    assertThat(
            doc.at(
                    "/clusters/1/loadBalancingPolicy/policies/0/typedExtensionConfig/typedConfig/@type")
                .asText())
        .endsWith("maglev.v3.Maglev");
  }

  @Test
  void proxylessGrpcGetsRingHashAndAWarning() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r =
        run(
            "translate",
            "-f",
            f.toString(),
            "--role",
            "proxyless",
            "--client",
            "grpc-node",
            "-o",
            "yaml");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("lbPolicy: RING_HASH")
        .contains("severity: warning")
        .contains("rejects maglev");
    assertThat(r.out()).contains("name: cart.shop.svc.cluster.local:9090");
  }

  @Test
  void errorDiagnosticExitsOneButStillPrints() throws Exception {
    Path f = write("bad.yaml", SERVICE.replace("lb-policy: maglev", "lb-policy: fastest"));
    Run r = run("translate", "-f", f.toString(), "--role", "gateway");
    assertThat(r.status()).isEqualTo(1);
    assertThat(new ObjectMapper().readTree(r.out()).at("/diagnostics/0/severity").asText())
        .isEqualTo("error");
  }

  @Test
  void unusableInputExitsTwoWithOneLineAndNoTrace() throws Exception {
    Path broken = write("broken.yaml", "kind: [unclosed\n");
    Path unknownField = write("typo.yaml", SERVICE.replace("clusterIP:", "clusterIPP:"));
    for (String[] args :
        new String[][] {
          {"translate", "-f", broken.toString(), "--role", "sidecar"},
          {"translate", "-f", unknownField.toString(), "--role", "sidecar"},
          {"translate", "-f", dir.resolve("missing").toString(), "--role", "sidecar"},
          {"translate", "-f", broken.toString()},
          {"translate", "-f", unknownField.toString(), "--role", "mesh"},
          {"translate", "-f", unknownField.toString(), "--role", "proxyless", "--client", "envoy"},
          {"explain", "-f", broken.toString(), "shop/cart"},
          {
            "bootstrap",
            "--role",
            "sidecar",
            "--xds-address",
            "nohostport",
            "--node-id",
            "a",
            "--cluster",
            "c"
          },
        }) {
      Run r = run(args);
      assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.out()).as(String.join(" ", args)).isEmpty();
      assertThat(r.err().strip().lines()).as(String.join(" ", args)).hasSize(1);
      assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void unknownFieldIsNamed() throws Exception {
    Path typo = write("typo.yaml", SERVICE.replace("clusterIP:", "clusterIPP:"));
    assertThat(run("translate", "-f", typo.toString(), "--role", "sidecar").err())
        .isEqualTo(
            "fairlead: "
                + typo
                + ": document 1 (Service cart) at line 10: spec.clusterIPP: unknown field"
                + " (did you mean clusterIP or clusterIPs?)"
                + System.lineSeparator());
  }

  @Test
  void explainSaysWhereEachValueCameFromAndWhatClientsGet() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r = run("explain", "-f", dir.toString(), "shop/cart");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("Service shop/cart")
        .contains("maglev (table 65537)   [Service annotation]")
        .contains("header x-user   [Service annotation]")
        .contains("grpc   [native Service field]")
        .contains("grpc-node (xds:///cart.shop.svc.cluster.local:9090): ring-hash")
        .contains("gRPC rejects maglev");
  }

  @Test
  void explainShowsRateLimitsAndTheAccessLog() throws Exception {
    write(
        "cart.yaml",
        SERVICE.replace(
            "fairlead.io/lb-policy: maglev",
            "fairlead.io/lb-policy: maglev\n    fairlead.io/rate-limit: 2000/s burst 4000"
                + "\n    fairlead.io/access-log: \"off\""));
    Run r = run("explain", "-f", dir.toString(), "shop/cart");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("2000/s burst 4000 on each proxy (429 above it)   [Service annotation]")
        .contains(
            "off (sidecars write none; the gateway's log skips this port's routes)   [Service annotation]")
        .contains("gRPC clients have no local rate limiter");
  }

  @Test
  void explainShowsPodWeightsAndWhatGrpcDoesWithThem() throws Exception {
    Path pods = Path.of("..", "translators", "src", "test", "resources", "golden", "pod-weights");
    Run r = run("explain", "-f", pods.resolve("input.yaml").toString(), "shop/web");
    assertThat(r.status()).as("an error on one of its Pods").isEqualTo(ExitCodes.ERROR_DIAGNOSTICS);
    assertThat(r.out())
        .contains(
            "endpoint weights: 10.0.0.11 (web-1) 3 = 43%, 10.0.0.12 (web-2) 1 = 14%, 10.0.0.13 (web-3) 1 = 14%, 10.0.0.14 (web-4) 2 = 29%, 10.0.0.15 (web-5) 7")
        .contains("gRPC honours endpoint weights with ring-hash only")
        .contains("'heavy' is not an integer; its endpoints count as weight 1");
    Run hashed = run("explain", "-f", pods.resolve("input.yaml").toString(), "shop/hashed");
    assertThat(hashed.out())
        .contains("endpoint weights: 10.0.0.11 (web-1) 3 = 75%, 10.0.0.12 (web-2) 1 = 25%")
        .doesNotContain("gRPC honours endpoint weights");
    Run plain = run("explain", "-f", pods.resolve("input.yaml").toString(), "shop/plain");
    assertThat(plain.out()).doesNotContain("endpoint weights");
  }

  @Test
  void explainShowsTheResolvedSplitAndItsMatchRules() throws Exception {
    Path canary =
        Path.of("..", "translators", "src", "test", "resources", "golden", "split-canary");
    Run r = run("explain", "-f", canary.resolve("input.yaml").toString(), "shop/cart");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("cart-v1 90.0% (port http), cart-v2 10.0% (port http)")
        .contains("on Envoy one hash key always picks the same backend, gRPC clients pick per RPC")
        .contains("requests with header x-canary = always go to cart-v2")
        .contains("gRPC picks a split's backend at random per RPC");
  }

  @Test
  void explainShowsTheResilienceSettingsAndWhatGrpcGets() throws Exception {
    String annotations =
        String.join(
            "\n    ",
            "fairlead.io/hash-on: header:x-user",
            "fairlead.io/lb-policy: maglev",
            "fairlead.io/retries: attempts=2,on=unavailable,status=503,backoff=20ms,retry-host=any",
            "fairlead.io/outlier-detection: gateway-failure=3,failure-percentage=80,min-hosts=2",
            "fairlead.io/health-check: http:/ready,method=HEAD,expected=200-299",
            "fairlead.io/connection-pool: max-requests-per-connection=500",
            "fairlead.io/failover: zone-b,zone-c");
    write(
        "cart.yaml",
        SERVICE.replace(
            "fairlead.io/hash-on: header:x-user\n    fairlead.io/lb-policy: maglev", annotations));
    Run r = run("explain", "-f", dir.toString(), "shop/cart");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("2 retries on unavailable and HTTP 503, back-off 20ms to 200ms, to any endpoint")
        .contains("3 consecutive gateway errors")
        .contains("over 80% failed requests (100% enforced)")
        .contains("statistics from 2 endpoints")
        .contains("http HEAD /ready expecting 200-299")
        .contains("a new connection every 500 requests")
        .contains("the proxy's zone, then zone-b, then zone-c")
        .contains("status= is not sent")
        .contains("gateway-failure not sent");
  }

  @Test
  void explainShowsWeightedRoundRobinAndWhatEachClientGets() throws Exception {
    write(
        "cart.yaml",
        SERVICE.replace(
            "fairlead.io/hash-on: header:x-user\n    fairlead.io/lb-policy: maglev",
            "fairlead.io/lb-policy: weighted-round-robin\n    fairlead.io/weighted-round-robin:"
                + " blackout-period=2s,utilization-metrics=named_metrics.queue"));
    Run r = run("explain", "-f", dir.toString(), "shop/cart");
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("weighted-round-robin   [Service annotation]")
        .contains(
            "weight = qps / (utilization + eps/qps x 1.0) from each endpoint's ORCA reports,"
                + " utilization from named_metrics.queue; used after 2s of reports, until 3m"
                + " without one; recomputed every 1s   [Service annotation]")
        .contains("grpc-node (xds:///cart.shop.svc.cluster.local:9090): round-robin")
        .contains("grpc-node has no client-side weighted round-robin");
  }

  @Test
  void explainUnknownServiceListsKnownOnes() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r = run("explain", "-f", f.toString(), "shop/nope");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("shop/cart");
  }

  @Test
  void bootstrapRendersBothRoles() {
    Run sidecar =
        run(
            "bootstrap",
            "--role",
            "sidecar",
            "--xds-address",
            "fairlead.fairlead-system:18000",
            "--node-id",
            "p1",
            "--cluster",
            "web");
    Run gateway =
        run(
            "bootstrap",
            "--role",
            "gateway",
            "--xds-address",
            "10.0.0.1:18000",
            "--node-id",
            "g1",
            "--cluster",
            "gw",
            "--gateway",
            "public",
            "-o",
            "json");
    assertThat(sidecar.status()).isZero();
    assertThat(sidecar.out()).contains("DELTA_GRPC").contains("fairlead.io/role: sidecar");
    assertThat(gateway.status()).isZero();
    assertThat(gateway.out()).contains("\"fairlead.io/gateway\" : \"public\"");
  }

  // Typed options ---------------------------------------------------------------------------------

  private void assertOneLineError(Run r, String args, String... parts) {
    assertThat(r.status()).as(args).isEqualTo(2);
    assertThat(r.out()).as(args).isEmpty();
    assertThat(r.err().strip().lines()).as(args).hasSize(1);
    assertThat(r.err())
        .as(args)
        .startsWith("fairlead: ")
        .contains(parts)
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void aWordOutsideAnOptionsListIsOneLineNamingEveryValidWord() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    String[][] cases = {
      {
        "translate -f F --role mesh",
        "'--role'",
        "expected one of [sidecar, gateway, proxyless] but was 'mesh'"
      },
      {
        "translate -f F --role sidecar --client grpc-go",
        "'--client'",
        "[envoy, grpc-java, grpc-node, grpc]",
        "'grpc-go'"
      },
      {"translate -f F --role sidecar -o xml", "'--output'", "[json, yaml]", "'xml'"},
      {
        "translate -f F --role sidecar -t cluster,secret",
        "'--type'",
        "[cluster, endpoint, listener, route]",
        "'secret'"
      },
      {"translate -f F --to ir", "'--to'", "[xds, model]", "'ir'"},
      {
        "bootstrap --role proxyless --xds-address a:1 --node-id n --cluster c",
        "'--role'",
        "[sidecar, gateway]",
        "'proxyless'"
      },
      {
        "bootstrap --role sidecar --xds-address a:1 --node-id n --cluster c -o toml",
        "'--output'",
        "[json, yaml]"
      },
      {
        "serve --source http://api",
        "'--source'",
        "expected kubernetes or dir:PATH but was 'http://api'"
      },
      {"serve --source dir:", "'--source'", "dir:PATH"},
    };
    for (String[] c : cases) {
      String[] args = c[0].replace("-f F", "-f " + f).split(" ");
      assertOneLineError(run(args), c[0], java.util.Arrays.copyOfRange(c, 1, c.length));
    }
  }

  @Test
  void aZeroUnreadBudgetOrTimeoutIsOneLineNamingTheOption() {
    assertOneLineError(
        run("serve", "--max-unread-bytes", "0"), "--max-unread-bytes", "--max-unread-bytes");
    assertOneLineError(
        run("serve", "--unread-timeout", "0s"), "--unread-timeout", "--unread-timeout");
  }

  @Test
  void aBadDurationIsOneLineInTheAnnotationsGrammar() {
    for (String option : new String[] {"--quiet-period", "--max-delay", "--source-loss-confirm"}) {
      assertOneLineError(
          run("serve", option, "PT1S"),
          option,
          "'" + option + "'",
          "'PT1S' is not a duration; expected e.g. 30s");
      assertOneLineError(run("serve", option, "5x"), option, "'5x' is not a duration");
    }
  }

  @Test
  void durationsAndSourcesAreReadIntoTypedValues() {
    picocli.CommandLine.ParseResult serve =
        Main.commandLine()
            .parseArgs("serve", "--quiet-period", "250ms", "--source", "dir:/tmp/manifests")
            .subcommand();
    var spec = serve.commandSpec();
    assertThat(spec.findOption("--quiet-period").<Object>getValue())
        .isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(spec.findOption("--max-delay").<Object>getValue())
        .isEqualTo(java.time.Duration.ofSeconds(1));
    assertThat(spec.findOption("--source-loss-confirm").<Object>getValue())
        .isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(spec.findOption("--source").<Object>getValue())
        .isEqualTo(new Source.Directory(Path.of("/tmp/manifests")));
    assertThat(spec.findOption("--cluster-domain").<Object>getValue())
        .isEqualTo(io.fairlead.translators.TranslationSettings.DEFAULT);
    assertThat(
            Main.commandLine()
                .parseArgs("serve")
                .subcommand()
                .commandSpec()
                .findOption("--source")
                .<Object>getValue())
        .isEqualTo(new Source.Kubernetes());
  }

  @Test
  void helpListsTheWordsEachOptionTakes() {
    assertThat(run("translate", "--help").out().replaceAll("\\s+", " "))
        .contains("sidecar, gateway, proxyless")
        .contains("envoy, grpc-java, grpc-node, grpc")
        .contains("cluster, endpoint, listener, route")
        .contains("xds, model")
        .contains("json, yaml")
        .contains("--cluster-domain=DOMAIN");
    assertThat(run("bootstrap", "--help").out().replaceAll("\\s+", " "))
        .contains("One of: sidecar, gateway (proxyless")
        .contains("json, yaml");
    assertThat(run("serve", "--help").out().replaceAll("\\s+", " "))
        .contains("--cluster-domain=DOMAIN")
        .contains("(default: 100ms)");
  }

  @Test
  void wordsStillMatchIgnoringCaseAndYmlIsYaml() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r =
        run(
            "translate",
            "-f",
            f.toString(),
            "--role",
            "Proxyless",
            "--client",
            "GRPC-NODE",
            "-o",
            "yml");
    assertThat(r.status()).isZero();
    assertThat(r.out()).startsWith("clusters:").contains("name: cart.shop.svc.cluster.local:9090");
  }

  // translate --to model, -t, --cluster-domain
  // ------------------------------------------------------

  @Test
  void translateToModelPrintsTheSortedModelAsYamlOrJson() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run yaml = run("translate", "-f", f.toString(), "--to", "model");
    assertThat(yaml.status()).isZero();
    assertThat(yaml.out())
        .startsWith("diagnostics: []\nservices:\n- clusterIps:\n  - 10.96.1.1\n")
        .contains("    policy:\n")
        .contains(
            "      balancing:\n        algorithm:\n          tableSize: 65537\n          type: maglev\n")
        .contains(
            "      affinity:\n        hashKeys:\n        - name: x-user\n          type: header\n")
        .contains("    - address: 10.1.0.1\n      health: healthy\n")
        .contains("  ref: shop/cart\n");
    assertThat(run("translate", "-f", f.toString(), "--to", "model").out()).isEqualTo(yaml.out());
    Run json = run("translate", "-f", f.toString(), "--to", "model", "-o", "json");
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc.at("/services/0/ports/0/policy/balancing/algorithm/type").asText())
        .isEqualTo("maglev");
    assertThat(doc.at("/services/0/ports/0/endpoints/0/address").asText()).isEqualTo("10.1.0.1");
  }

  @Test
  void translateToModelShowsEveryDiagnosticAndExitsOneOnAnError() throws Exception {
    write("cart.yaml", SERVICE.replace("lb-policy: maglev", "lb-policy: fastest"));
    write(
        "again.yaml",
        SERVICE
            .substring(0, SERVICE.indexOf("---"))
            .replace("lb-policy: maglev", "lb-policy: fastest"));
    Run r = run("translate", "-f", dir.toString(), "--to", "model", "-o", "json");
    assertThat(r.status()).isEqualTo(1);
    JsonNode diagnostics = new ObjectMapper().readTree(r.out()).get("diagnostics");
    List<String> keys = new java.util.ArrayList<>();
    diagnostics.forEach(d -> keys.add(d.get("severity").asText() + " " + d.get("key").asText()));
    // the model's own and the manifest files' (a Service defined twice)
    assertThat(keys).contains("error fairlead.io/lb-policy", "warning file");
  }

  @Test
  void translateToModelRefusesTheOptionsOfOneProxy() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    assertOneLineError(
        run(
            "translate",
            "-f",
            f.toString(),
            "--to",
            "model",
            "--role",
            "sidecar",
            "-t",
            "cluster",
            "--cluster-domain",
            "x.y"),
        "--to model --role",
        "--role, --type, --cluster-domain apply to --to xds");
  }

  @Test
  void typeKeepsOnlyTheNamedResourceTypesAndTheDiagnostics() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    for (String[] types :
        new String[][] {{"-t", "cluster,route"}, {"-t", "cluster", "--type", "route"}}) {
      List<String> args =
          new java.util.ArrayList<>(List.of("translate", "-f", f.toString(), "--role", "sidecar"));
      args.addAll(List.of(types));
      Run r = run(args.toArray(String[]::new));
      assertThat(r.status()).isZero();
      JsonNode doc = new ObjectMapper().readTree(r.out());
      assertThat(doc.fieldNames())
          .toIterable()
          .containsExactlyInAnyOrder("clusters", "routes", "diagnostics");
      assertThat(doc.get("clusters")).hasSize(2);
    }
    JsonNode all =
        new ObjectMapper()
            .readTree(run("translate", "-f", f.toString(), "--role", "sidecar").out());
    JsonNode endpoints =
        new ObjectMapper()
            .readTree(
                run("translate", "-f", f.toString(), "--role", "sidecar", "-t", "endpoint").out());
    assertThat(endpoints.get("endpoints")).isEqualTo(all.get("endpoints"));
  }

  @Test
  void clusterDomainNamesWhatProxylessClientsDialAndWhatHealthChecksAskFor() throws Exception {
    Path f =
        write(
            "cart.yaml",
            SERVICE.replace(
                "fairlead.io/lb-policy: maglev",
                "fairlead.io/lb-policy: maglev\n    fairlead.io/health-check: grpc"));
    Run proxyless =
        run(
            "translate",
            "-f",
            f.toString(),
            "--role",
            "proxyless",
            "-o",
            "yaml",
            "--cluster-domain",
            "k8s.corp.example");
    assertThat(proxyless.status()).isZero();
    assertThat(proxyless.out())
        .contains("name: cart.shop.svc.k8s.corp.example:9090")
        .doesNotContain("cluster.local");
    Run sidecar =
        run(
            "translate",
            "-f",
            f.toString(),
            "--role",
            "sidecar",
            "-t",
            "cluster",
            "--cluster-domain",
            "k8s.corp.example");
    JsonNode cluster = new ObjectMapper().readTree(sidecar.out()).at("/clusters/1");
    assertThat(cluster.at("/healthChecks/0/grpcHealthCheck/authority").asText())
        .isEqualTo("cart.shop.svc.k8s.corp.example");
    JsonNode byDefault =
        new ObjectMapper()
            .readTree(
                run("translate", "-f", f.toString(), "--role", "sidecar", "-t", "cluster").out());
    assertThat(byDefault.at("/clusters/1/healthChecks/0/grpcHealthCheck/authority").asText())
        .isEqualTo("cart.shop.svc.cluster.local");
    assertThat(
            run("explain", "-f", f.toString(), "shop/cart", "--cluster-domain", "k8s.corp.example")
                .out())
        .contains("grpc-node (xds:///cart.shop.svc.k8s.corp.example:9090)");
    assertOneLineError(
        run(
            "translate",
            "-f",
            f.toString(),
            "--role",
            "sidecar",
            "--cluster-domain",
            "Corp_Example"),
        "bad domain",
        "'--cluster-domain'",
        "not a DNS-1123 subdomain");
  }

  @Test
  void translateTakesServesAccessLogAndTracingFlags() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    String[] sidecar = {"translate", "-f", f.toString(), "--role", "sidecar", "-t", "listener"};
    // serve's default, json: every connection manager logs to stdout
    JsonNode json = new ObjectMapper().readTree(run(sidecar).out());
    assertThat(json.findValues("accessLog")).isNotEmpty();
    assertThat(json.findValues("jsonFormat")).isNotEmpty();
    JsonNode text = new ObjectMapper().readTree(run(concat(sidecar, "--access-log", "TEXT")).out());
    assertThat(text.findValues("textFormatSource")).isNotEmpty();
    JsonNode off = new ObjectMapper().readTree(run(concat(sidecar, "--access-log", "off")).out());
    assertThat(off.findValues("accessLog")).isEmpty();

    Run traced =
        run(
            "translate",
            "-f",
            f.toString(),
            "--role",
            "sidecar",
            "--tracing",
            "otlp:otel-collector.observability:4317",
            "--tracing-sampling",
            "10");
    assertThat(traced.status()).isZero();
    JsonNode withTracing = new ObjectMapper().readTree(traced.out());
    assertThat(withTracing.findValues("randomSampling").get(0).at("/value").asDouble())
        .isEqualTo(10.0);
    assertThat(withTracing.at("/clusters").findValuesAsText("name"))
        .contains("fairlead-otlp-collector");

    assertOneLineError(
        run(concat(sidecar, "--access-log", "verbose")),
        "bad format",
        "'--access-log'",
        "[json, text, off]");
    assertOneLineError(
        run(concat(sidecar, "--tracing", "jaeger:collector:4317")),
        "bad collector",
        "'--tracing'",
        "otlp:HOST:PORT");
    assertOneLineError(
        run(concat(sidecar, "--tracing", "otlp:collector:70000")),
        "bad port",
        "'--tracing'",
        "not 1 to 65535");
    assertOneLineError(
        run(concat(sidecar, "--tracing", "otlp:collector:4317", "--tracing-sampling", "150")),
        "bad share",
        "sampling");
    assertOneLineError(
        run(concat(sidecar, "--tracing-sampling", "5")), "sampling alone", "needs --tracing");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void translateTakesASidecarsDependenciesAndOnDemand() throws Exception {
    Path deps =
        Path.of("..", "translators", "src", "test", "resources", "golden", "sidecar-dependencies");
    Run r =
        run(
            "translate",
            "-f",
            deps.resolve("input.yaml").toString(),
            "--role",
            "sidecar",
            "--proxy-namespace",
            "shop",
            "--dependencies",
            "cart,Bad_Entry",
            "--on-demand");
    assertThat(r.status()).as("the bad entry is an error").isEqualTo(ExitCodes.ERROR_DIAGNOSTICS);
    assertThat(r.out())
        .contains("\"shop/cart:8080\"", "\"shop/cart-v1:8080\"")
        .doesNotContain("payments/pay", "shop/web:8080")
        .contains("envoy.filters.http.on_demand")
        .contains("'Bad_Entry' left out");
    Run gateway =
        run(
            "translate",
            "-f",
            deps.resolve("input.yaml").toString(),
            "--role",
            "gateway",
            "--on-demand");
    assertThat(gateway.status()).isEqualTo(ExitCodes.UNUSABLE_INPUT);
    assertThat(gateway.err()).contains("apply to the sidecar role");
  }
}
