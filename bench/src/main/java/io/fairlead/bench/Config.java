package io.fairlead.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The sizes of one benchmark run. {@link #FULL} is the scale issue's: 10,000 Services cold, 1,000
 * proxies under churn (and in the replicas scenario, on one replica and then on two), a storm of
 * 1,000, memory at 1,000 and 5,000 proxies. {@link #QUICK} shrinks them to end in about three
 * minutes on 2 cores (under two without the replicas scenario); {@link #TINY} is the smoke test's.
 *
 * @param coldServices Services in the cold world (each with {@code coldEndpoints} endpoints)
 * @param churnServices Services in the churn, storm and memory worlds (1 to 100 endpoints each)
 * @param sotwPercent share of the proxies that are proxyless SotW clients, the rest delta Envoys
 * @param quietMillis Fairlead's debounce quiet period ({@code serve --quiet-period})
 * @param maxDelayMillis Fairlead's debounce max delay ({@code serve --max-delay})
 * @param syncTimeoutMillis how long proxies may take to get their full config before a run gives up
 */
public record Config(
    String name,
    long seed,
    int coldServices,
    int coldEndpoints,
    int churnServices,
    int churnProxies,
    int churnIntervalMillis,
    int churnSeconds,
    int stormServices,
    int stormProxies,
    int memoryServices,
    List<Integer> memoryProxies,
    int sotwPercent,
    int quietMillis,
    int maxDelayMillis,
    int syncTimeoutMillis,
    String serverHeap,
    String fleetHeap) {

  public static final Config FULL =
      new Config(
          "full",
          42,
          10_000,
          10,
          1_000,
          1_000,
          50,
          30,
          1_000,
          1_000,
          1_000,
          List.of(1_000, 5_000),
          10,
          100,
          1_000,
          300_000,
          "4g",
          "6g");

  public static final Config QUICK =
      new Config(
          "quick",
          42,
          1_000,
          10,
          200,
          150,
          50,
          5,
          200,
          200,
          200,
          List.of(100, 250),
          10,
          100,
          1_000,
          30_000,
          "2g",
          "2g");

  public static final Config TINY =
      new Config(
          "tiny",
          42,
          40,
          10,
          20,
          6,
          100,
          1,
          20,
          6,
          20,
          List.of(10, 14),
          34,
          20,
          200,
          30_000,
          "512m",
          "512m");

  /** What this run shrank, compared with the full one, one line each. */
  public List<String> shrunk() {
    List<String> lines = new ArrayList<>();
    if (coldServices != FULL.coldServices || coldEndpoints != FULL.coldEndpoints) {
      lines.add(
          String.format(
              "cold: %,d Services x %d endpoints (full: %,d x %d)",
              coldServices, coldEndpoints, FULL.coldServices, FULL.coldEndpoints));
    }
    if (churnProxies != FULL.churnProxies
        || churnServices != FULL.churnServices
        || churnSeconds != FULL.churnSeconds) {
      lines.add(
          String.format(
              "churn, replicas (on 1, then 2 replicas) and moonshot (10x the proxies): %,d proxies, %,d Services, %d s of changes (full: %,d, %,d, %d s)",
              churnProxies,
              churnServices,
              churnSeconds,
              FULL.churnProxies,
              FULL.churnServices,
              FULL.churnSeconds));
    }
    if (stormProxies != FULL.stormProxies || stormServices != FULL.stormServices) {
      lines.add(
          String.format(
              "storm and ondemand: %,d proxies, %,d Services (full: %,d, %,d)",
              stormProxies, stormServices, FULL.stormProxies, FULL.stormServices));
    }
    if (!memoryProxies.equals(FULL.memoryProxies) || memoryServices != FULL.memoryServices) {
      lines.add(
          String.format(
              "memory: %s proxies, %,d Services (full: %s, %,d)",
              memoryProxies, memoryServices, FULL.memoryProxies, FULL.memoryServices));
    }
    return lines;
  }

  int sotwOf(int proxies) {
    return proxies * sotwPercent / 100;
  }
}
