package io.fairlead.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
      return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
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
        .startsWith("fairlead: internal error, please report: java.lang.IllegalStateException: broken invariant")
        .doesNotContain("\tat ")
        .contains("--debug");
    Run debug = runWithDefect("boom", "--debug");
    assertThat(debug.status()).isEqualTo(3);
    assertThat(debug.err()).contains("\tat io.fairlead.cli.CliTest$Boom.call");
  }

  @Test
  void unusableInputStillExitsTwoWithOneLine() throws Exception {
    Path f = write("self.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b}\nspec: &s\n  ports: [*s]\n");
    Run r = run("translate", "-f", f.toString(), "--role", "sidecar");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains("refers to a collection that contains it");
  }

  @Test
  void translatePrintsOneJsonDocumentWithEveryKey() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r = run("translate", "-f", f.toString(), "--role", "sidecar");
    assertThat(r.status()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.fieldNames()).toIterable().containsExactlyInAnyOrder("clusters", "endpoints", "listeners", "routes", "diagnostics");
    assertThat(doc.at("/clusters/0/name").asText()).isEqualTo("passthrough");
    assertThat(doc.at("/clusters/1/name").asText()).isEqualTo("shop/cart:9090");
    assertThat(doc.at("/clusters/1/loadBalancingPolicy/policies/0/typedExtensionConfig/typedConfig/@type").asText())
        .endsWith("maglev.v3.Maglev");
  }

  @Test
  void proxylessGrpcGetsRingHashAndAWarning() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r = run("translate", "-f", f.toString(), "--role", "proxyless", "--client", "grpc-node", "-o", "yaml");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("lbPolicy: RING_HASH").contains("severity: warning").contains("rejects maglev");
    assertThat(r.out()).contains("name: cart.shop.svc.cluster.local:9090");
  }

  @Test
  void errorDiagnosticExitsOneButStillPrints() throws Exception {
    Path f = write("bad.yaml", SERVICE.replace("lb-policy: maglev", "lb-policy: fastest"));
    Run r = run("translate", "-f", f.toString(), "--role", "gateway");
    assertThat(r.status()).isEqualTo(1);
    assertThat(new ObjectMapper().readTree(r.out()).at("/diagnostics/0/severity").asText()).isEqualTo("error");
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
          {"bootstrap", "--role", "sidecar", "--xds-address", "nohostport", "--node-id", "a", "--cluster", "c"},
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
        .isEqualTo("fairlead: " + typo + ": document 1 (Service cart) at line 10: spec.clusterIPP: unknown field"
            + " (did you mean clusterIP or clusterIPs?)" + System.lineSeparator());
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
  void explainUnknownServiceListsKnownOnes() throws Exception {
    Path f = write("cart.yaml", SERVICE);
    Run r = run("explain", "-f", f.toString(), "shop/nope");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("shop/cart");
  }

  @Test
  void bootstrapRendersBothRoles() {
    Run sidecar = run("bootstrap", "--role", "sidecar", "--xds-address", "fairlead.fairlead-system:18000", "--node-id", "p1", "--cluster", "web");
    Run gateway =
        run("bootstrap", "--role", "gateway", "--xds-address", "10.0.0.1:18000", "--node-id", "g1", "--cluster", "gw", "--gateway", "public", "-o", "json");
    assertThat(sidecar.status()).isZero();
    assertThat(sidecar.out()).contains("DELTA_GRPC").contains("fairlead.io/role: sidecar");
    assertThat(gateway.status()).isZero();
    assertThat(gateway.out()).contains("\"fairlead.io/gateway\" : \"public\"");
  }
}
