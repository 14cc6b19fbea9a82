package io.fairlead.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.translators.Change;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Horizontal scale: two Fairlead replicas in this JVM, the proxies in a fleet JVM as in a bench
 * run. A proxy that moves from replica A to replica B (closing its connection and opening a stream
 * to B with what it holds: {@code initial_resource_versions} for Envoy-like ones, the version_info
 * per type for proxyless ones) must find B serving every resource at the version A gave it.
 *
 * <p>Why this can fail: A and B reach the same state by different histories. A is loaded with the
 * world and then applies changes 1, 2 and 3 one at a time, each published and ACKed by the proxies
 * before the next (four snapshots); B starts after the changes and is loaded with the final state
 * at once (one snapshot), as a replica started late lists the API server. Versions that counted
 * snapshots or publishes (java-control-plane's usual {@code Snapshot.create(..., "" + ++n)}, as the
 * bench's naive mode versions its snapshot) or any other per-process state would differ between A
 * and B, and every resource the moved proxies hold would be a mismatch. Only versions derived from
 * the content (Fairlead's {@code HashedSnapshot}) make them equal.
 */
class ReplicaMoveTest {

  private static final Config CONFIG = Config.TINY;
  private static FleetClient fleet;

  @BeforeAll
  static void startFleet() throws Exception {
    fleet = FleetClient.start("256m");
  }

  @AfterAll
  static void stopFleet() {
    fleet.close();
  }

  @Test
  void aProxyMovingToAnotherReplicaFindsEveryResourceAtTheVersionItHolds() throws Exception {
    Map<String, Long> moved = moveFromAToB();
    assertThat(moved.get("moved")).as("%s", moved).isEqualTo(6);
    assertThat(moved.get("sotw")).as("%s", moved).isEqualTo(2);
    assertThat(moved.get("held")).as("%s", moved).isPositive();
    assertThat(moved.get("incomplete")).as("probes without full config: %s", moved).isZero();
    assertThat(moved.get("mismatches")).as("versions A gave vs B serves: %s", moved).isZero();
    assertThat(moved.get("differing")).as("B sent another version: %s", moved).isZero();
    assertThat(moved.get("sotw_differing")).as("proxyless: %s", moved).isZero();
  }

  /**
   * What {@code initial_resource_versions} is for: a delta server that reads it sends a
   * reconnecting Envoy nothing it already holds at the current version. (java-control-plane's delta
   * server ignored them and re-sent everything; Fairlead's {@code DeltaStream} reads them.)
   */
  @Test
  void aProxyMovingToAnotherReplicaIsSentNothingItHolds() throws Exception {
    Map<String, Long> moved = moveFromAToB();
    assertThat(moved.get("held")).as("%s", moved).isPositive();
    assertThat(moved.get("resent")).as("re-sent at the held version: %s", moved).isZero();
  }

  /** The scenario as the bench runs it, at tiny size, with its replicas in this JVM. */
  @Test
  void theReplicasScenarioRunsAndItsMoveCheckHolds() throws Exception {
    Map<String, Object> r =
        new Scenarios(
                CONFIG, fleet, Scenarios.targets("fairlead", CONFIG), () -> Replica.local(CONFIG))
            .run("replicas");
    assertThat(r).as("%s", r).doesNotContainKey("error");
    assertThat(r.get("acked_changes")).as("%s", r).isEqualTo(r.get("changes"));
    assertThat(r.get("single_acked_changes")).as("%s", r).isEqualTo(r.get("changes"));
    assertThat(((Number) r.get("cpu_s_per_change_per_replica")).doubleValue()).isPositive();
    assertThat(((Number) r.get("single_cpu_s_per_change")).doubleValue()).isPositive();
    // 3 proxies on replica A (6 in all): all of them move, the proxyless one among them
    assertThat(r.get("moved_proxies")).as("%s", r).isEqualTo(3L);
    assertThat(r.get("moved_sotw")).as("%s", r).isEqualTo(1L);
    assertThat(((Number) r.get("resources_held_on_move")).longValue()).isPositive();
    assertThat(r.get("version_mismatches")).as("%s", r).isEqualTo(0L);
    assertThat(r.get("move_probes_incomplete")).as("%s", r).isEqualTo(0L);
  }

  /**
   * Replica A goes through changes 1..3 with the proxies connected; replica B gets the final state
   * at once; every proxy on A moves to B. Returns the fleet's {@code @moved} counts.
   */
  private static Map<String, Long> moveFromAToB() throws Exception {
    World worldA = new World(new World.Spec(CONFIG.churnServices(), 0, CONFIG.seed()));
    World worldB = new World(new World.Spec(CONFIG.churnServices(), 0, CONFIG.seed()));
    try (FairleadTarget a = target()) {
      a.load(worldA.state());
      awaitReady(a);
      fleet.clearReplies();
      fleet.call("targets " + String.join(",", worldA.proxylessTargets(20)), "@targets");
      fleet.call("connect " + a.port() + " 4 2 0 track", "@connecting");
      assertThat(fleet.await("@synced", Duration.ofSeconds(30))).isPresent();
      for (int k = 1; k <= 3; k++) {
        fleet.call("expect " + k + " " + worldA.changedCluster(k), "@expecting");
        Change change = worldA.change(k); // first: it moves the world's state on
        a.apply(worldA.state(), change);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fleet.ackedAt(k).isEmpty() && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        assertThat(fleet.ackedAt(k)).as("change %d served by A and ACKed", k).isPresent();
      }
      for (int k = 1; k <= 3; k++) {
        worldB.change(k);
      }
      assertThat(worldB.state()).isEqualTo(worldA.state());
      try (FairleadTarget b = target()) {
        b.load(worldB.state());
        awaitReady(b);
        String line =
            fleet.call("move 6 " + a.port() + " " + b.port(), "@moved", Duration.ofSeconds(90));
        fleet.call("reset", "@reset");
        Thread.sleep(300); // the servers hear of the closed streams before they close
        return Scenarios.keyValues(line.substring("@moved ".length()));
      }
    }
  }

  private static FairleadTarget target() {
    return new FairleadTarget(
        Duration.ofMillis(CONFIG.quietMillis()), Duration.ofMillis(CONFIG.maxDelayMillis()));
  }

  private static void awaitReady(FairleadTarget t) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!t.ready() && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertThat(t.ready()).as("first snapshot").isTrue();
  }
}
