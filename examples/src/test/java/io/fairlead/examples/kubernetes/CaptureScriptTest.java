package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The iptables capture script of the sidecar example. The rules it would write are checked
 * everywhere (dry run); where this machine allows it (Linux, root, unshare, iptables, python3),
 * they are applied in a fresh network namespace and real connections show what is captured.
 */
class CaptureScriptTest {

  private static final Path SCRIPT =
      ExampleManifests.ROOT.resolve("sidecar-example/capture/fairlead-capture.sh");
  private static final Path PROBE =
      Path.of("src/test/resources/io/fairlead/examples/kubernetes/capture-probe.py");

  private static Executables.Result dryRun(Map<String, String> env) throws Exception {
    assumeTrue(Executables.onPath("sh").isPresent(), "no sh on PATH");
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("FAIRLEAD_CAPTURE_DRY_RUN", "1");
    return Executables.run(List.of("sh", SCRIPT.toString()), all, 30);
  }

  @Test
  void redirectsEverythingButEnvoyLoopbackAndExclusions() throws Exception {
    Executables.Result r =
        dryRun(
            Map.of(
                "FAIRLEAD_EXCLUDE_PORTS", "22,18000",
                "FAIRLEAD_EXCLUDE_CIDRS", "169.254.169.254/32"));
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out().lines().toList())
        .containsExactly(
            "iptables -t nat -N FAIRLEAD_REDIRECT",
            "iptables -t nat -A FAIRLEAD_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
            "iptables -t nat -N FAIRLEAD_OUTPUT",
            "iptables -t nat -A FAIRLEAD_OUTPUT -m owner --uid-owner 1337 -j RETURN",
            "iptables -t nat -A FAIRLEAD_OUTPUT -d 127.0.0.0/8 -j RETURN",
            "iptables -t nat -A FAIRLEAD_OUTPUT -p tcp --dport 22 -j RETURN",
            "iptables -t nat -A FAIRLEAD_OUTPUT -p tcp --dport 18000 -j RETURN",
            "iptables -t nat -A FAIRLEAD_OUTPUT -d 169.254.169.254/32 -j RETURN",
            "iptables -t nat -A FAIRLEAD_OUTPUT -j FAIRLEAD_REDIRECT",
            "iptables -t nat -A OUTPUT -p tcp -j FAIRLEAD_OUTPUT");
  }

  @Test
  void settingsChangeTheUidAndPort() throws Exception {
    Executables.Result r =
        dryRun(Map.of("FAIRLEAD_PROXY_UID", "101", "FAIRLEAD_CAPTURE_PORT", "15006"));
    assertThat(r.status()).isZero();
    assertThat(r.out())
        .contains("--uid-owner 101 -j RETURN")
        .contains("REDIRECT --to-ports 15006")
        .doesNotContain("--dport");
  }

  @Test
  void badSettingsChangeNothingAndSayWhy() throws Exception {
    Map<Map<String, String>, String> cases =
        Map.of(
            Map.of("FAIRLEAD_PROXY_UID", "envoy"),
                "FAIRLEAD_PROXY_UID must be a number, not 'envoy'",
            Map.of("FAIRLEAD_CAPTURE_PORT", "0"),
                "FAIRLEAD_CAPTURE_PORT must be a port (1-65535), not '0'",
            Map.of("FAIRLEAD_EXCLUDE_PORTS", "22,70000"),
                "FAIRLEAD_EXCLUDE_PORTS: '70000' is not a port (1-65535)",
            Map.of("FAIRLEAD_EXCLUDE_CIDRS", "10.0.0.0/8,10.1.2/24"),
                "FAIRLEAD_EXCLUDE_CIDRS: '10.1.2/24' is not an IPv4 CIDR (a.b.c.d/n)",
            Map.of("FAIRLEAD_EXCLUDE_CIDRS", "10.0.0.300/8"),
                "FAIRLEAD_EXCLUDE_CIDRS: '10.0.0.300/8' is not an IPv4 CIDR (a.b.c.d/n)");
    for (var c : cases.entrySet()) {
      Executables.Result r = dryRun(c.getKey());
      assertThat(r.status()).as("%s", c.getKey()).isEqualTo(2);
      assertThat(r.out()).as("no rule for %s", c.getKey()).isEmpty();
      assertThat(r.err().strip()).isEqualTo("fairlead-capture: " + c.getValue());
    }
  }

  @Test
  void inANetworkNamespaceOnlyTheAppsConnectionsReachTheCapturePort() throws Exception {
    assumeTrue(System.getProperty("os.name").equals("Linux"), "Linux only");
    for (String tool : List.of("unshare", "iptables", "ip", "python3", "sh")) {
      assumeTrue(Executables.onPath(tool).isPresent(), "no " + tool + " on PATH");
    }
    assumeTrue(
        Executables.run(List.of("id", "-u"), Map.of(), 10).out().strip().equals("0"), "needs root");
    assumeTrue(
        Executables.run(List.of("unshare", "--net", "true"), Map.of(), 10).status() == 0,
        "cannot create a network namespace here");

    // 198.51.100.1 (TEST-NET-2) lives on the namespace's own loopback: nothing leaves it.
    String script =
        String.join(
            " && ",
            "ip link set lo up",
            "ip addr add 198.51.100.1/32 dev lo",
            "sh " + SCRIPT,
            "sh " + SCRIPT, // a second run replaces the first one's rules
            "iptables -t nat -S OUTPUT",
            "python3 "
                + PROBE
                + " 15001 8080,8081"
                + " 10001:198.51.100.1:8080 1337:198.51.100.1:8080 10001:127.0.0.1:8080 10001:198.51.100.1:8081");
    Executables.Result r =
        Executables.run(
            List.of("unshare", "--net", "sh", "-c", script),
            Map.of("FAIRLEAD_EXCLUDE_PORTS", "8081"),
            60);
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out().lines().toList())
        .containsExactly(
            "-P OUTPUT ACCEPT",
            "-A OUTPUT -p tcp -j FAIRLEAD_OUTPUT",
            "10001 198.51.100.1:8080 -> captured original-dst=198.51.100.1:8080",
            "1337 198.51.100.1:8080 -> direct",
            "10001 127.0.0.1:8080 -> direct",
            "10001 198.51.100.1:8081 -> direct");
  }
}
