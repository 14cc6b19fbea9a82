package io.fairlead.examples.grpcjava;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.demo.DemoCommand;
import io.fairlead.demo.EnvoyBinary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The README's main job, the demo ({@code scripts/demo.sh}), runs every scenario and ends by itself
 * with status 0, with or without an Envoy binary on the machine.
 */
class DemoCommandTest {

  @Test
  void theDemoShowsEveryScenarioAndEndsWithASummary() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int status;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      // port 0: any port the pods can share, so a busy 50051 on a CI machine does not matter
      status = DemoCommand.run("--backend-port", "0");
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }

    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(text)
        .contains("1. Request-level balancing over long-lived connections")
        .contains("2. Affinity: the same user always reaches the same pod")
        .contains("3. Least-request steers around a slow pod")
        .contains("4. Scale-up: a fourth pod becomes ready")
        .contains("5. Load-aware weights: a pod reporting high utilisation gets less traffic")
        .containsPattern("127\\.0\\.0\\.14 +0 +\\d+ +1\\n");
    // step 6 runs where an Envoy is found (ENVOY_BIN or PATH); elsewhere one line says it was
    // skipped
    EnvoyBinary envoy = EnvoyBinary.find(System.getenv());
    if (envoy instanceof EnvoyBinary.Missing missing) {
      assertThat(text).contains("\n6. Envoy: skipped (" + missing.reason() + ")\n");
      assertThat(missing.reason()).isEqualTo("no envoy on PATH and ENVOY_BIN unset");
    } else {
      assertThat(text)
          .contains("6. Envoy (gateway role, standing in for a sidecar without iptables)");
    }
    String[] lines = text.strip().split("\n");
    assertThat(lines[lines.length - 1])
        .startsWith("fairlead demo: OK in ")
        .contains("spread 100/100/100 over one connection per pod")
        .contains("users 100% sticky")
        .containsPattern(
            "the pod reporting 90% utilisation got (1[0-9]|[0-9])% under weighted round-robin");
    if (envoy instanceof EnvoyBinary.Found) {
      assertThat(lines[lines.length - 1])
          .contains("through Envoy 400 RPCs on one connection spread");
    }
  }
}
