package io.fairlead.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.translators.Change;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark from rotting: a tiny churn run, end to end, against both modes, with the
 * proxies in a fleet JVM as in a real run. Asserts that it works, never how fast.
 */
class BenchSmokeTest {

  @Test
  void theWorldIsDeterministicAndChangesCarryTheirMarker() {
    World a = new World(new World.Spec(50, 0, 7));
    World b = new World(new World.Spec(50, 0, 7));
    assertThat(a.state()).isEqualTo(b.state());
    assertThat(a.policyCounts().keySet()).contains("round-robin", "prefer-close");
    assertThat(a.state().endpointSlices().values())
        .allSatisfy(s -> assertThat(s.getEndpoints()).hasSizeBetween(1, 100));
    Change change = a.change(3);
    assertThat(change.endpointsOf()).containsExactly(a.changedService(3));
    assertThat(
            a.state().endpointSlices().values().stream()
                .flatMap(s -> s.getEndpoints().stream())
                .flatMap(e -> e.getAddresses().stream())
                .filter(x -> World.markerOf(x) == 3))
        .hasSize(1);
    assertThat(World.markerOf(World.marker(70_000))).isEqualTo(70_000);
    assertThat(World.markerOf("10.0.0.1")).isEqualTo(-1);
  }

  @Test
  void aTinyChurnRunsEndToEndAgainstBothModes() throws Exception {
    Map<String, Map<String, Map<String, Object>>> results = new LinkedHashMap<>();
    try (FleetClient fleet = FleetClient.start("256m")) {
      for (String mode : Bench.MODES) {
        Map<String, Object> r =
            new Scenarios(Config.TINY, fleet, Scenarios.targets(mode, Config.TINY)).run("churn");
        assertThat(r).doesNotContainKey("error");
        assertThat(r.get("acked_changes")).as(mode + " " + r).isEqualTo(r.get("changes"));
        assertThat(((Number) r.get("p50_ms")).doubleValue()).isPositive();
        assertThat(((Number) r.get("bytes_per_change")).longValue()).isPositive();
        assertThat(((Number) r.get("cpu_s_per_change")).doubleValue()).isPositive();
        results.computeIfAbsent("churn", s -> new LinkedHashMap<>()).put(mode, r);
      }
    }
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    Bench.table(results, Bench.MODES, new PrintStream(table, true, StandardCharsets.UTF_8));
    assertThat(table.toString(StandardCharsets.UTF_8))
        .contains("p99_ms", "fairlead", "naive")
        .doesNotContain("error");
  }

  @Test
  void onDemandSidecarsHoldOnlyTheClustersTheyCall() throws Exception {
    try (FleetClient fleet = FleetClient.start("256m")) {
      Map<String, Object> r =
          new Scenarios(Config.TINY, fleet, Scenarios.targets("fairlead", Config.TINY))
              .run("ondemand");
      assertThat(r).as("%s", r).doesNotContainKeys("wildcard_error", "ondemand_error");
      assertThat(r.get("ondemand_clusters_per_proxy"))
          .as("%s", r)
          .isEqualTo((double) Scenarios.ONDEMAND_CALLS);
      assertThat(((Number) r.get("wildcard_clusters_per_proxy")).doubleValue())
          .as("%s", r)
          .isGreaterThan(Scenarios.ONDEMAND_CALLS);
    }
  }

  @Test
  void theMoonshotSyncsTenTimesTheChurnsProxiesThenChurns() throws Exception {
    try (FleetClient fleet = FleetClient.start("256m")) {
      Map<String, Object> r =
          new Scenarios(Config.TINY, fleet, Scenarios.targets("fairlead", Config.TINY))
              .run("moonshot");
      assertThat(r).as("%s", r).doesNotContainKey("error");
      assertThat(r.get("proxies"))
          .isEqualTo(Scenarios.MOONSHOT_FACTOR * Config.TINY.churnProxies());
      assertThat(((Number) r.get("sync_seconds")).doubleValue()).isPositive();
      assertThat(((Number) r.get("heap_mib")).doubleValue()).isPositive();
      assertThat(r.get("acked_changes")).as("%s", r).isEqualTo(r.get("changes"));
    }
  }

  @Test
  void quickSaysWhatItShrank() {
    assertThat(Config.FULL.shrunk()).isEmpty();
    String shrunk = String.join("\n", Config.QUICK.shrunk());
    for (String scenario : Scenarios.NAMES) {
      assertThat(shrunk).as("what --quick does to " + scenario).contains(scenario);
    }
  }
}
