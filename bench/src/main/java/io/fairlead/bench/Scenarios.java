package io.fairlead.bench;

import io.fairlead.translators.Change;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The scenarios, each run against one control plane (one mode) in this JVM, with the proxies in a
 * fleet JVM. Every figure is measured here; nothing is estimated.
 */
final class Scenarios {

  static final List<String> NAMES =
      List.of("cold", "churn", "storm", "memory", "replicas", "ondemand", "moonshot");

  /**
   * What runs when no scenario is named: the four, side by side with the naive baseline;
   * {@code replicas}, {@code ondemand} and {@code moonshot} run when named (or {@code --scenario
   * all}), which keeps {@code --quick} under two minutes.
   */
  static final List<String> DEFAULT = List.of("cold", "churn", "storm", "memory");

  /** How many Services each on-demand sidecar of the {@code ondemand} scenario calls. */
  static final int ONDEMAND_CALLS = 5;

  /**
   * Scenarios only Fairlead runs: the naive baseline is one process with counter versions ({@code
   * replicas}), and does not sync a thousand proxies at full size ({@code moonshot}).
   */
  static final List<String> FAIRLEAD_ONLY = List.of("replicas", "moonshot");

  /**
   * Proxies connected before the memory baseline: one delta and one SotW per zone, so every group
   * exists.
   */
  static final int MEMORY_BASE = 6;

  private final Config config;
  private final FleetClient fleet;
  private final Supplier<Target> targets;
  private final Supplier<Replica> replicas;

  Scenarios(Config config, FleetClient fleet, Supplier<Target> targets) {
    this(config, fleet, targets, () -> Replica.forked(config));
  }

  /** With the replicas of the {@code replicas} scenario made by the given supplier. */
  Scenarios(
      Config config, FleetClient fleet, Supplier<Target> targets, Supplier<Replica> replicas) {
    this.config = config;
    this.fleet = fleet;
    this.targets = targets;
    this.replicas = replicas;
  }

  static Supplier<Target> targets(String mode, Config config) {
    return switch (mode) {
      case "fairlead" ->
          () ->
              new FairleadTarget(
                  Duration.ofMillis(config.quietMillis()),
                  Duration.ofMillis(config.maxDelayMillis()));
      case "naive" -> NaiveTarget::new;
      default -> throw new IllegalArgumentException("mode is fairlead or naive: " + mode);
    };
  }

  Map<String, Object> run(String scenario) throws Exception {
    return switch (scenario) {
      case "cold" -> cold();
      case "churn" -> churn();
      case "storm" -> storm();
      case "memory" -> memory();
      case "replicas" -> replicas();
      case "ondemand" -> ondemand();
      case "moonshot" -> moonshot();
      default ->
          throw new IllegalArgumentException("scenario is one of " + NAMES + ": " + scenario);
    };
  }

  /**
   * The cold world to a complete snapshot: from handing over the state to two proxies having all of
   * it.
   */
  private Map<String, Object> cold() throws Exception {
    World world =
        new World(new World.Spec(config.coldServices(), config.coldEndpoints(), config.seed()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("services", config.coldServices());
    out.put("endpoints", world.endpoints());
    try (Target target = targets.get()) {
      fleet.call("targets " + String.join(",", world.proxylessTargets(20)), "@targets");
      // one Envoy and one proxyless client wait on the empty server, as proxies do at a restart
      fleet.call("connect " + target.port() + " 1 1 0", "@connecting");
      Thread.sleep(300);
      long t0 = System.nanoTime();
      long cpu0 = cpuNanos();
      target.load(world.state());
      Optional<String> synced =
          fleet.await("@synced", Duration.ofMillis(config.syncTimeoutMillis()));
      long t1 = System.nanoTime();
      long cpu1 = cpuNanos();
      out.put("seconds", synced.isPresent() ? round((t1 - t0) / 1e9, 3) : null);
      // the server JVM's CPU over the same window (JIT and GC included): what other builds on
      // the machine do not stretch, as they stretch the seconds
      out.put("cpu_s", round((cpu1 - cpu0) / 1e9, 3));
      if (synced.isEmpty()) {
        out.put("error", "no complete config within " + config.syncTimeoutMillis() + " ms");
      }
      out.put("heap_mib", round(heapAfterGc() / 1048576.0, 1));
      out.put("rss_mib", round(rssBytes() / 1048576.0, 1));
      fleet.call("reset", "@reset");
      Thread.sleep(500); // the server hears of the closed streams before it closes
    }
    return out;
  }

  /**
   * One EndpointSlice change every interval; each change timed until every proxy holding it has
   * ACKed it.
   */
  private Map<String, Object> churn() throws Exception {
    return churnWith(config.churnProxies(), false);
  }

  /**
   * The scale issue's moonshot: ten times the churn's proxies (10,000 at full size) on one
   * Fairlead, the churn's world. Time until every proxy has its full config (connecting paced under
   * the server's new-stream limit), the server's heap after GC with all of them connected, then the
   * churn's changes on the churn's schedule, measured as in {@code churn}.
   */
  private Map<String, Object> moonshot() throws Exception {
    return churnWith(MOONSHOT_FACTOR * config.churnProxies(), true);
  }

  /**
   * The churn's world and changes with {@code proxies} connected first; with {@code syncFigures},
   * how long they took to sync and the heap with all of them, and a failed sync is a figure ({@code
   * error}) rather than an exception.
   */
  private Map<String, Object> churnWith(int proxies, boolean syncFigures) throws Exception {
    World world = new World(new World.Spec(config.churnServices(), 0, config.seed()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("services", config.churnServices());
    out.put("endpoints", world.endpoints());
    out.put("proxies", proxies);
    out.put("interval_ms", config.churnIntervalMillis());
    try (Target target = targets.get()) {
      target.load(world.state());
      awaitReady(target);
      long t0 = System.nanoTime();
      long spread = spreadFor(proxies);
      try {
        // a sync paced over longer than the usual timeout gets four times its pacing
        connectAll(
            target, world, proxies, spread, Math.max(config.syncTimeoutMillis(), 4 * spread));
      } catch (IllegalStateException e) {
        if (!syncFigures) {
          throw e;
        }
        out.put("error", e.getMessage());
        out.put("dropped_streams", fleet.stats().get("dropped"));
      }
      if (!out.containsKey("error")) {
        if (syncFigures) {
          out.put("sync_seconds", round((System.nanoTime() - t0) / 1e9, 1));
          out.put("connect_spread_seconds", round(spread / 1000.0, 1));
          out.put("heap_mib", round(heapAfterGc() / 1048576.0, 1));
          out.put("rss_mib", round(rssBytes() / 1048576.0, 1));
        }
        changes(target, world, out);
      }
      fleet.call("reset", "@reset");
      Thread.sleep(500); // the server hears of the closed streams before it closes
    }
    return out;
  }

  /** How many times the churn's proxies the moonshot connects. */
  static final int MOONSHOT_FACTOR = 10;

  /**
   * One EndpointSlice change every interval for the churn's duration, each timed until every proxy
   * holding its cluster has ACKed it; the figures go into {@code out}.
   */
  private void changes(Target target, World world, Map<String, Object> out) throws Exception {
    Map<String, Long> before = fleet.stats();
    long cpu0 = cpuNanos();
    int changes = config.churnSeconds() * 1000 / config.churnIntervalMillis();
    long[] scheduled = new long[changes + 1];
    long start = System.nanoTime() + 100_000_000L;
    int late = 0;
    for (int k = 1; k <= changes; k++) {
      scheduled[k] = start + (long) k * config.churnIntervalMillis() * 1_000_000L;
      fleet.call("expect " + k + " " + world.changedCluster(k), "@expecting");
      long wait = scheduled[k] - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } else if (-wait > config.churnIntervalMillis() * 1_000_000L) {
        late++;
      }
      Change change = world.change(k);
      target.apply(world.state(), change);
    }
    long drainUntil =
        System.nanoTime() + Math.max(10_000, 4L * config.maxDelayMillis()) * 1_000_000L;
    while (System.nanoTime() < drainUntil && fleet.ackedAt(changes).isEmpty()) {
      Thread.sleep(10);
    }
    Thread.sleep(200); // the last ones may trail the last change
    long cpu1 = cpuNanos();
    Map<String, Long> after = fleet.stats();
    List<Double> latencies = latencies(changes, scheduled);
    out.put("changes", changes);
    out.put("acked_changes", latencies.size());
    out.put("late_changes", late);
    out.put("p50_ms", percentile(latencies, 50));
    out.put("p99_ms", percentile(latencies, 99));
    out.put("max_ms", latencies.isEmpty() ? null : round(latencies.get(latencies.size() - 1), 1));
    out.put(
        "bytes_per_change",
        changes == 0 ? null : (after.get("bytes") - before.get("bytes")) / changes);
    out.put("cpu_s_per_change", changes == 0 ? null : round((cpu1 - cpu0) / 1e9 / changes, 4));
    out.put("dropped_streams", after.get("dropped"));
  }

  /**
   * P proxies connect within one second: time until all have their full config, streams dropped on
   * the way.
   */
  private Map<String, Object> storm() throws Exception {
    World world = new World(new World.Spec(config.stormServices(), 0, config.seed()));
    Map<String, Object> out = new LinkedHashMap<>();
    int proxies = config.stormProxies();
    out.put("services", config.stormServices());
    out.put("proxies", proxies);
    try (Target target = targets.get()) {
      target.load(world.state());
      awaitReady(target);
      fleet.call("targets " + String.join(",", world.proxylessTargets(20)), "@targets");
      // A storm hits a running server: one proxy of each group connects and goes first, so
      // Fairlead's per-group translations (and the JIT) are warm, as after any earlier proxy.
      fleet.call("connect " + target.port() + " 3 3 0", "@connecting");
      awaitSynced(MEMORY_BASE);
      fleet.call("reset", "@reset");
      long t0 = System.nanoTime();
      fleet.call(
          "connect "
              + target.port()
              + " "
              + (proxies - config.sotwOf(proxies))
              + " "
              + config.sotwOf(proxies)
              + " 1000",
          "@connecting");
      Optional<String> synced =
          fleet.await("@synced", Duration.ofMillis(config.syncTimeoutMillis()));
      long t1 = System.nanoTime();
      Map<String, Long> stats = fleet.stats();
      out.put("seconds", synced.isPresent() ? round((t1 - t0) / 1e9, 3) : null);
      out.put("dropped_streams", stats.get("dropped"));
      out.put("complete", stats.get("complete"));
      if (synced.isEmpty()) {
        out.put(
            "error",
            stats.get("complete")
                + " of "
                + proxies
                + " had their full config after "
                + config.syncTimeoutMillis()
                + " ms");
      }
      fleet.call("reset", "@reset");
      Thread.sleep(500); // the server hears of the closed streams before it closes
    }
    return out;
  }

  /**
   * Heap (after GC) and RSS per connected proxy, over a baseline with every group already served.
   */
  private Map<String, Object> memory() throws Exception {
    World world = new World(new World.Spec(config.memoryServices(), 0, config.seed()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("services", config.memoryServices());
    try (Target target = targets.get()) {
      target.load(world.state());
      awaitReady(target);
      fleet.call("targets " + String.join(",", world.proxylessTargets(20)), "@targets");
      fleet.call("connect " + target.port() + " 3 3 0", "@connecting");
      awaitSynced(MEMORY_BASE);
      long heap0 = heapAfterGc();
      long rss0 = rssBytes();
      out.put("base_proxies", MEMORY_BASE);
      out.put("base_heap_mib", round(heap0 / 1048576.0, 1));
      out.put("base_rss_mib", round(rss0 / 1048576.0, 1));
      List<Map<String, Object>> points = new ArrayList<>();
      int connected = MEMORY_BASE;
      for (int p : config.memoryProxies()) {
        int more = p - connected;
        if (more <= 0) {
          continue;
        }
        int sotw = config.sotwOf(more);
        fleet.call(
            "connect " + target.port() + " " + (more - sotw) + " " + sotw + " " + spreadFor(more),
            "@connecting");
        try {
          awaitSynced(p);
        } catch (IllegalStateException e) {
          out.put("error", "at " + p + " proxies: " + e.getMessage()); // the points before it stand
          break;
        }
        connected = p;
        long heap = heapAfterGc();
        long rss = rssBytes();
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("proxies", p);
        point.put("heap_mib", round(heap / 1048576.0, 1));
        point.put("rss_mib", round(rss / 1048576.0, 1));
        point.put("kib_per_proxy", round((heap - heap0) / 1024.0 / (p - MEMORY_BASE), 1));
        point.put("rss_kib_per_proxy", round((rss - rss0) / 1024.0 / (p - MEMORY_BASE), 1));
        points.add(point);
      }
      if (!points.isEmpty()) {
        Map<String, Object> last = points.get(points.size() - 1);
        out.put("at_proxies", last.get("proxies"));
        out.put("kib_per_proxy", last.get("kib_per_proxy"));
        out.put("rss_kib_per_proxy", last.get("rss_kib_per_proxy"));
      }
      out.put("points", points);
      out.put("dropped_streams", fleet.stats().get("dropped"));
      fleet.call("reset", "@reset");
      Thread.sleep(500); // the server hears of the closed streams before it closes
    }
    return out;
  }

  /**
   * Config proportional to what a proxy uses: the storm's world and proxy count, connected once as
   * Envoy-like sidecars with a CDS wildcard and once as on-demand sidecars that ask for the {@link
   * #ONDEMAND_CALLS} clusters they call by name (no CDS wildcard, as an on-demand bootstrap has
   * it). For each: time to full config, clusters held and bytes received per proxy, server heap per
   * proxy. The naive mode's delta server treats every CDS request as a wildcard, so its on-demand
   * proxies still get every cluster.
   */
  private Map<String, Object> ondemand() throws Exception {
    World world = new World(new World.Spec(config.stormServices(), 0, config.seed()));
    Map<String, Object> out = new LinkedHashMap<>();
    int proxies = config.stormProxies();
    out.put("services", config.stormServices());
    out.put("proxies", proxies);
    out.put("calls_per_proxy", ONDEMAND_CALLS);
    try (Target target = targets.get()) {
      target.load(world.state());
      awaitReady(target);
      fleet.call("targets " + String.join(",", world.proxylessTargets(20)), "@targets");
      fleet.call("callable " + String.join(",", world.clusterNames()), "@callable");
      for (String kind : List.of("wildcard", "ondemand")) {
        String flag = kind.equals("ondemand") ? " ondemand=" + ONDEMAND_CALLS : "";
        // one proxy of each group first, so translations and the JIT are warm
        fleet.call("connect " + target.port() + " 3 0 0" + flag, "@connecting");
        awaitSynced(3);
        long heap0 = heapAfterGc();
        Map<String, Long> before = fleet.stats();
        long t0 = System.nanoTime();
        fleet.call("connect " + target.port() + " " + proxies + " 0 1000" + flag, "@connecting");
        Optional<String> synced =
            fleet.await("@synced", Duration.ofMillis(config.syncTimeoutMillis()));
        long t1 = System.nanoTime();
        Map<String, Long> after = fleet.stats();
        if (synced.isEmpty()) {
          out.put(
              kind + "_error",
              after.get("complete") + " of " + (proxies + 3) + " had their full config");
        } else {
          out.put(kind + "_seconds", round((t1 - t0) / 1e9, 3));
          long heap = heapAfterGc();
          out.put(kind + "_heap_kib_per_proxy", round((heap - heap0) / 1024.0 / proxies, 1));
        }
        out.put(
            kind + "_clusters_per_proxy",
            round((after.get("clusters") - before.get("clusters")) / (double) proxies, 1));
        out.put(
            kind + "_kib_received_per_proxy",
            round((after.get("bytes") - before.get("bytes")) / 1024.0 / proxies, 1));
        fleet.call("reset", "@reset");
        Thread.sleep(500);
      }
      out.put("dropped_streams", fleet.stats().get("dropped"));
    }
    return out;
  }

  /**
   * Each ACKed change's latency in ms, from its scheduled time to the fleet's report that every
   * proxy holding its cluster ACKed it, sorted; changes never ACKed are left out.
   */
  private List<Double> latencies(int changes, long[] scheduled) {
    List<Double> latencies = new ArrayList<>();
    for (int k = 1; k <= changes; k++) {
      int kk = k;
      fleet.ackedAt(k).ifPresent(at -> latencies.add((at - scheduled[kk]) / 1e6));
    }
    Collections.sort(latencies);
    return latencies;
  }

  /** Proxies the move check moves: 10% of one replica's, at least 10 (all of them if fewer). */
  static int movers(int onReplica) {
    return Math.min(onReplica, Math.max(10, onReplica / 10));
  }

  /**
   * Horizontal scale: the churn workload (same world, same change schedule) served first by ONE
   * replica with every proxy (the reference), then by TWO, each a JVM of its own fed the same world
   * and applying the same changes on the same schedule, the proxies half and half. Then the move
   * check: some of replica A's proxies reconnect to replica B as proxies fail over (see {@link
   * Fleet}'s {@code move}), and what they held is compared with what B sends and serves.
   */
  private Map<String, Object> replicas() throws Exception {
    World world = new World(new World.Spec(config.churnServices(), 0, config.seed()));
    Map<String, Object> out = new LinkedHashMap<>();
    int proxies = config.churnProxies();
    int changes = config.churnSeconds() * 1000 / config.churnIntervalMillis();
    out.put("services", config.churnServices());
    out.put("endpoints", world.endpoints());
    out.put("proxies", proxies);
    out.put("interval_ms", config.churnIntervalMillis());
    out.put("changes", changes);
    fleet.call("targets " + String.join(",", world.proxylessTargets(20)), "@targets");

    try (Replica one = replicas.get()) {
      long t0 = System.nanoTime();
      connect(one.port(), proxies, false);
      awaitSyncedAll(proxies);
      out.put("single_setup_s", round((System.nanoTime() - t0) / 1e9, 1));
      ChurnRun run = churnOn(world, List.of(one), changes);
      out.put("single_cpu_s_per_change", run.cpuPerChange().get(0));
      out.put("single_java_cpu_s_per_change", run.javaCpuPerChange().get(0));
      out.put("single_p50_ms", percentile(run.latencies(), 50));
      out.put("single_p99_ms", percentile(run.latencies(), 99));
      out.put("single_acked_changes", run.latencies().size());
      out.put("single_late_changes", run.late());
      out.put("single_bytes_per_change", run.bytesPerChange());
      fleet.call("reset", "@reset");
      Thread.sleep(500); // the server hears of the closed streams before it closes
    }
    fleet.clearReplies(); // the second run numbers its changes from 1 again

    try (Replica a = replicas.get();
        Replica b = replicas.get()) {
      int onA = proxies / 2;
      long t0 = System.nanoTime();
      connect(a.port(), onA, true);
      connect(b.port(), proxies - onA, true);
      awaitSyncedAll(proxies);
      out.put("setup_s", round((System.nanoTime() - t0) / 1e9, 1));
      ChurnRun run = churnOn(world, List.of(a, b), changes);
      double mean =
          run.cpuPerChange().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      out.put("cpu_s_per_change_per_replica", round(mean, 4));
      out.put("cpu_s_per_change_replicas", run.cpuPerChange());
      Object single = out.get("single_cpu_s_per_change");
      out.put(
          "per_replica_over_single",
          single == null || ((Double) single) == 0 ? null : round(mean / (Double) single, 2));
      double javaMean =
          run.javaCpuPerChange().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      out.put("java_cpu_s_per_change_per_replica", round(javaMean, 4));
      out.put("java_cpu_s_per_change_replicas", run.javaCpuPerChange());
      Object singleJava = out.get("single_java_cpu_s_per_change");
      out.put(
          "java_per_replica_over_single",
          singleJava == null || ((Double) singleJava) == 0
              ? null
              : round(javaMean / (Double) singleJava, 2));
      out.put("p50_ms", percentile(run.latencies(), 50));
      out.put("p99_ms", percentile(run.latencies(), 99));
      out.put(
          "max_ms",
          run.latencies().isEmpty()
              ? null
              : round(run.latencies().get(run.latencies().size() - 1), 1));
      out.put("acked_changes", run.latencies().size());
      out.put("late_changes", run.late());
      out.put("bytes_per_change", run.bytesPerChange());

      int movers = movers(onA);
      String moved =
          fleet.call("move " + movers + " " + a.port() + " " + b.port(), "@moved", MOVE_TIMEOUT);
      Map<String, Long> m = keyValues(moved.substring("@moved ".length()));
      out.put("moved_proxies", m.get("moved"));
      out.put("moved_sotw", m.get("sotw"));
      out.put("resources_held_on_move", m.get("held"));
      out.put("resources_resent_on_move", m.get("resent"));
      out.put("resources_sent_at_other_version_on_move", m.get("differing"));
      out.put("sotw_resources_resent_on_move", m.get("sotw_resent"));
      out.put("version_mismatches", m.get("mismatches"));
      out.put("move_probes_incomplete", m.get("incomplete"));
      if (m.get("sotw_differing") != null && m.get("sotw_differing") > 0) {
        out.put("sotw_responses_at_other_version_on_move", m.get("sotw_differing"));
      }
      out.put("dropped_streams", fleet.stats().get("dropped"));
      fleet.call("reset", "@reset");
      Thread.sleep(500); // the servers hear of the closed streams before they close
    }
    return out;
  }

  private static final Duration MOVE_TIMEOUT = Duration.ofSeconds(120);

  private static final long REPLICAS_SETUP_MILLIS = 120_000;

  /** Parses {@code key=number key=number ...}. */
  static Map<String, Long> keyValues(String line) {
    Map<String, Long> values = new LinkedHashMap<>();
    for (String kv : line.trim().split(" ")) {
      int eq = kv.indexOf('=');
      if (eq < 0) {
        continue;
      }
      try {
        values.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalStateException("the fleet answered " + line, e);
      }
    }
    return values;
  }

  /**
   * One churn run over some replicas: CPU per change of each (the process's, and its Java
   * threads'), latencies (sorted), late changes.
   */
  private record ChurnRun(
      List<Double> cpuPerChange,
      List<Double> javaCpuPerChange,
      List<Double> latencies,
      int late,
      Long bytesPerChange) {}

  /**
   * The churn schedule, applied by every replica's own driver at the same wall-clock times, each
   * change timed (on this JVM's clock) until every proxy holding it, on any replica, has ACKed it.
   */
  private ChurnRun churnOn(World world, List<Replica> replicas, int changes) throws Exception {
    Map<String, Long> before = fleet.stats();
    long[] cpu0 = new long[replicas.size()];
    long[] java0 = new long[replicas.size()];
    for (int i = 0; i < cpu0.length; i++) {
      cpu0[i] = replicas.get(i).cpuNanos();
      java0[i] = replicas.get(i).javaThreadsCpuNanos();
    }
    long startEpoch = System.currentTimeMillis() + 300;
    long start = System.nanoTime() + (startEpoch - System.currentTimeMillis()) * 1_000_000L;
    for (Replica r : replicas) {
      r.churn(startEpoch, changes, config.churnIntervalMillis());
    }
    long[] scheduled = new long[changes + 1];
    for (int k = 1; k <= changes; k++) {
      scheduled[k] = start + (long) k * config.churnIntervalMillis() * 1_000_000L;
      fleet.call("expect " + k + " " + world.changedCluster(k), "@expecting");
      long wait = scheduled[k] - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
    int late = 0;
    for (Replica r : replicas) {
      late = Math.max(late, r.awaitChurned(Duration.ofMinutes(5)));
    }
    long drainUntil =
        System.nanoTime() + Math.max(10_000, 4L * config.maxDelayMillis()) * 1_000_000L;
    while (System.nanoTime() < drainUntil && fleet.ackedAt(changes).isEmpty()) {
      Thread.sleep(10);
    }
    Thread.sleep(200); // the last ones may trail the last change
    List<Double> cpu = new ArrayList<>();
    List<Double> javaCpu = new ArrayList<>();
    for (int i = 0; i < cpu0.length; i++) {
      cpu.add(
          changes == 0 ? null : round((replicas.get(i).cpuNanos() - cpu0[i]) / 1e9 / changes, 4));
      long java = replicas.get(i).javaThreadsCpuNanos() - java0[i];
      javaCpu.add(changes == 0 ? null : round(java / 1e9 / changes, 4));
    }
    Map<String, Long> after = fleet.stats();
    List<Double> latencies = latencies(changes, scheduled);
    return new ChurnRun(
        cpu,
        javaCpu,
        latencies,
        late,
        changes == 0 ? null : (after.get("bytes") - before.get("bytes")) / changes);
  }

  /** Connects proxies to one port, paced as {@link #connectAll}; track: for a later move. */
  private void connect(int port, int proxies, boolean track) {
    int sotw = config.sotwOf(proxies);
    fleet.call(
        "connect "
            + port
            + " "
            + (proxies - sotw)
            + " "
            + sotw
            + " "
            + spreadFor(proxies)
            + (track ? " track" : ""),
        "@connecting");
  }

  /**
   * Waits for the {@code @synced} that counts every proxy connected so far. Setup is not a figure
   * of this scenario, so it waits at least {@link #REPLICAS_SETUP_MILLIS}: three cold JVMs (two
   * replicas and the fleet) on a shared machine can take longer than a quick run's sync timeout.
   */
  /** As {@link #awaitSynced(int, long)}, with the replicas scenario's longer setup wait. */
  private void awaitSyncedAll(int proxies) {
    awaitSynced(proxies, Math.max(config.syncTimeoutMillis(), REPLICAS_SETUP_MILLIS));
  }

  private void connectAll(
      Target target, World world, int proxies, long spreadMillis, long timeoutMillis) {
    fleet.call("targets " + String.join(",", world.proxylessTargets(20)), "@targets");
    int sotw = config.sotwOf(proxies);
    fleet.call(
        "connect " + target.port() + " " + (proxies - sotw) + " " + sotw + " " + spreadMillis,
        "@connecting");
    awaitSynced(proxies, timeoutMillis);
  }

  private void awaitSynced(int proxies) {
    awaitSynced(proxies, config.syncTimeoutMillis());
  }

  /** Waits until the fleet reports at least {@code proxies} with their full config. */
  private void awaitSynced(int proxies, long timeoutMillis) {
    long until = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (true) {
      long left = (until - System.nanoTime()) / 1_000_000;
      Optional<String> synced =
          left <= 0 ? Optional.empty() : fleet.await("@synced", Duration.ofMillis(left));
      if (synced.isEmpty()) {
        throw new IllegalStateException(
            "only "
                + fleet.stats().get("complete")
                + " of "
                + proxies
                + " proxies had their full config after "
                + timeoutMillis
                + " ms");
      }
      if (Integer.parseInt(synced.get().split(" ")[1]) >= proxies) {
        return;
      }
    }
  }

  /** Connects paced under the serve default of 500 new streams a second, so setup drops nothing. */
  private static long spreadFor(int proxies) {
    return proxies * 1000L / 400;
  }

  private static void awaitReady(Target target) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!target.ready()) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("no first snapshot after 5 minutes");
      }
      Thread.sleep(5);
    }
  }

  static Double percentile(List<Double> sorted, int p) {
    if (sorted.isEmpty()) {
      return null;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return round(sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))), 1);
  }

  static double round(double v, int places) {
    double f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }

  static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * The CPU time of this JVM's live Java threads, in ns: unlike {@link #cpuNanos()} it leaves out
   * the JIT compiler's and the garbage collector's threads (not Java threads), so a short run's
   * compiling does not count as work per change. Threads that ended before the call are not in it.
   */
  static long javaThreadsCpuNanos() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** This process's resident set (Linux), or -1 where /proc is missing. */
  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
