package io.fairlead.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar bench/target/fairlead-bench.jar [--quick] [--json FILE] [--scenario NAME]...}:
 * runs each scenario against Fairlead and against the naive baseline, each in a fresh server JVM
 * with the simulated proxies in a third, prints a table and optionally writes the JSON.
 */
public final class Bench {

  static final List<String> MODES = List.of("fairlead", "naive");

  /** The figures of each scenario the table shows, in order; the JSON has these and more. */
  static final Map<String, List<String>> HEADLINE =
      Map.of(
          "cold", List.of("seconds", "cpu_s", "heap_mib"),
          "churn",
              List.of(
                  "p50_ms",
                  "p99_ms",
                  "max_ms",
                  "bytes_per_change",
                  "cpu_s_per_change",
                  "acked_changes"),
          "storm", List.of("seconds", "dropped_streams"),
          "memory", List.of("kib_per_proxy", "rss_kib_per_proxy"),
          "replicas",
              List.of(
                  "cpu_s_per_change_per_replica",
                  "single_cpu_s_per_change",
                  "java_cpu_s_per_change_per_replica",
                  "single_java_cpu_s_per_change",
                  "p50_ms",
                  "p99_ms",
                  "moved_proxies",
                  "resources_held_on_move",
                  "resources_resent_on_move",
                  "version_mismatches"),
          "ondemand",
              List.of(
                  "wildcard_clusters_per_proxy",
                  "ondemand_clusters_per_proxy",
                  "wildcard_kib_received_per_proxy",
                  "ondemand_kib_received_per_proxy",
                  "wildcard_seconds",
                  "ondemand_seconds",
                  "wildcard_heap_kib_per_proxy",
                  "ondemand_heap_kib_per_proxy"),
          "moonshot",
              List.of(
                  "proxies",
                  "sync_seconds",
                  "heap_mib",
                  "p50_ms",
                  "p99_ms",
                  "max_ms",
                  "cpu_s_per_change",
                  "acked_changes"));

  /**
   * Extra JVM options for the server processes (both modes), from {@code --server-jvm-opts} or the
   * environment variable {@code FAIRLEAD_BENCH_SERVER_OPTS}, split at whitespace: to compare
   * runtimes or collectors, e.g. {@code -XX:+UseZGC -XX:+UseCompactObjectHeaders} (JDK 25, with
   * {@code --server-java}).
   */
  static List<String> serverJvmOpts = split(System.getenv("FAIRLEAD_BENCH_SERVER_OPTS"));

  /**
   * The JDK the server processes run on, from {@code --server-java JAVA_HOME} (default: this one),
   * to measure the server on another runtime while the fleet and the driver stay where they are.
   */
  static Path serverJavaHome = Path.of(System.getProperty("java.home"));

  private Bench() {}

  static List<String> split(String opts) {
    if (opts == null || opts.isBlank()) {
      return List.of();
    }
    return List.of(opts.trim().split("\\s+"));
  }

  public static void main(String[] args) throws Exception {
    Config config = Config.FULL;
    Path json = null;
    List<String> scenarios = new ArrayList<>();
    List<String> modes = new ArrayList<>(MODES);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> config = Config.QUICK;
        case "--tiny" -> config = Config.TINY;
        case "--json" -> json = Path.of(value(args, ++i, "--json FILE"));
        case "--scenario" -> {
          for (String s : value(args, ++i, "--scenario NAME").split(",")) {
            if (s.equals("all")) {
              scenarios.addAll(Scenarios.NAMES);
              continue;
            }
            if (!Scenarios.NAMES.contains(s)) {
              usage("unknown scenario " + s + "; one of " + Scenarios.NAMES);
            }
            scenarios.add(s);
          }
        }
        case "--server-jvm-opts" ->
            serverJvmOpts = split(value(args, ++i, "--server-jvm-opts \"OPTIONS\""));
        case "--server-java" -> {
          serverJavaHome = Path.of(value(args, ++i, "--server-java JAVA_HOME"));
          if (!Files.isExecutable(serverJavaHome.resolve("bin").resolve("java"))) {
            usage("--server-java " + serverJavaHome + ": no bin/java there");
          }
        }
        case "--mode" -> modes = List.of(value(args, ++i, "--mode fairlead|naive").split(","));
        case "-h", "--help" -> {
          usage(null);
          return;
        }
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (scenarios.isEmpty()) {
      scenarios.addAll(Scenarios.DEFAULT);
    }
    Map<String, Object> report = run(config, scenarios, modes, System.out);
    if (json != null) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Files.writeString(json, mapper.writeValueAsString(report) + "\n");
      System.out.println("JSON written to " + json);
    }
  }

  /** Runs the scenarios, prints the table to out, and returns the report the JSON is made of. */
  static Map<String, Object> run(
      Config config, List<String> scenarios, List<String> modes, PrintStream out) throws Exception {
    long start = System.nanoTime();
    out.printf(
        "fairlead-bench %s: %d cores, modes %s, scenarios %s%n",
        config.name(), Runtime.getRuntime().availableProcessors(), modes, scenarios);
    List<String> shrunk = config.shrunk();
    if (!shrunk.isEmpty()) {
      out.println("shrunk from the full run:");
      shrunk.forEach(s -> out.println("  " + s));
    }
    out.printf(
        "fairlead: serve defaults (debounce %d ms quiet / %d ms max, stream limits); naive: one SimpleCache snapshot for all nodes, rebuilt on every change%n",
        config.quietMillis(), config.maxDelayMillis());
    if (!serverJvmOpts.isEmpty()) {
      out.printf("server JVM options: %s%n", String.join(" ", serverJvmOpts));
    }
    out.printf("server JDK: %s%n", serverJavaHome);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "fairlead-bench");
    report.put("schema", 1);
    report.put(
        "date", OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString());
    report.put("run", config.name());
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("config", config);
    report.put("shrunk", shrunk);
    report.put("server_jvm_opts", serverJvmOpts);
    report.put("server_java_home", serverJavaHome.toString());
    Map<String, Map<String, Map<String, Object>>> results = new LinkedHashMap<>();
    int[] fleetPort = new int[1];
    Process fleet = FleetClient.startShared(config.fleetHeap(), fleetPort);
    try {
      for (String scenario : scenarios) {
        for (String mode : modes) {
          if (!mode.equals("fairlead") && Scenarios.FAIRLEAD_ONLY.contains(scenario)) {
            out.printf("-- %s / %s: not run (Fairlead only)%n", scenario, mode);
            continue;
          }
          out.printf("-- %s / %s ...%n", scenario, mode);
          long t = System.nanoTime();
          Map<String, Object> r = worker(config, scenario, mode, fleetPort[0]);
          out.printf("   %s (%.1f s)%n", r, (System.nanoTime() - t) / 1e9);
          results.computeIfAbsent(scenario, s -> new LinkedHashMap<>()).put(mode, r);
        }
      }
    } finally {
      fleet.getOutputStream().close(); // the fleet exits when its stdin closes
      if (!fleet.waitFor(10, TimeUnit.SECONDS)) {
        fleet.destroyForcibly();
      }
    }
    report.put("results", results);
    report.put("seconds", Scenarios.round((System.nanoTime() - start) / 1e9, 1));
    out.println();
    table(results, modes, out);
    out.printf("total %.1f s%n", (System.nanoTime() - start) / 1e9);
    return report;
  }

  private static Map<String, Object> worker(
      Config config, String scenario, String mode, int fleetPort) throws Exception {
    String java = serverJavaHome.resolve("bin").resolve("java").toString();
    String configJson = new ObjectMapper().writeValueAsString(config);
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + config.serverHeap()));
    cmd.addAll(serverJvmOpts);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Worker.class.getName(),
            scenario,
            mode,
            configJson,
            Integer.toString(fleetPort)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    Map<String, Object> result = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("@result ")) {
          result =
              new ObjectMapper()
                  .readValue(
                      line.substring(8), new TypeReference<LinkedHashMap<String, Object>>() {});
        } else {
          System.err.println(line);
        }
      }
    } catch (IOException e) {
      // the worker died; reported below
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    if (result == null) {
      result = new LinkedHashMap<>();
      result.put(
          "error",
          "the worker JVM exited with "
              + (p.isAlive() ? "no code" : p.exitValue())
              + " and no result");
    }
    return result;
  }

  static void table(
      Map<String, Map<String, Map<String, Object>>> results, List<String> modes, PrintStream out) {
    StringBuilder header = new StringBuilder(String.format("%-8s %-28s", "scenario", "figure"));
    modes.forEach(m -> header.append(String.format(" %14s", m)));
    out.println(header);
    results.forEach(
        (scenario, byMode) -> {
          for (String figure : HEADLINE.get(scenario)) {
            StringBuilder row = new StringBuilder(String.format("%-8s %-28s", scenario, figure));
            for (String mode : modes) {
              Map<String, Object> r = byMode.getOrDefault(mode, Map.of());
              Object v = r.get(figure);
              row.append(
                  String.format(" %14s", v == null ? (r.containsKey("error") ? "error" : "-") : v));
            }
            out.println(row);
          }
          byMode.forEach(
              (mode, r) -> {
                if (r.containsKey("error")) {
                  out.printf("  %s/%s: %s%n", scenario, mode, r.get("error"));
                }
              });
        });
  }

  private static String value(String[] args, int i, String usage) {
    if (i >= args.length) {
      usage("missing value: " + usage);
    }
    return args[i];
  }

  private static void usage(String problem) {
    PrintStream s = problem == null ? System.out : System.err;
    if (problem != null) {
      s.println(problem);
    }
    s.println(
        "usage: java -jar fairlead-bench.jar [--quick] [--json FILE] [--scenario cold|churn|storm|memory|replicas|ondemand|moonshot|all]... [--mode fairlead|naive] [--server-jvm-opts \"OPTIONS\"] [--server-java JAVA_HOME]");
    s.println("  --quick     shrunk sizes, under 2 minutes on 2 cores (prints what it shrank)");
    s.println(
        "  --scenario  default: cold,churn,storm,memory (both modes); replicas, ondemand and moonshot when named");
    s.println("  --json FILE write the figures as JSON (results.SCENARIO.MODE.FIGURE)");
    s.println(
        "  --server-jvm-opts \"OPTIONS\"  extra JVM options for the server processes (also FAIRLEAD_BENCH_SERVER_OPTS)");
    s.println("  --server-java JAVA_HOME  the JDK the server processes run on (default: this one)");
    if (problem != null) {
      System.exit(2);
    }
  }
}
