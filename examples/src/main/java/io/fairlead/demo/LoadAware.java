package io.fairlead.demo;

import static io.fairlead.demo.DemoEnvironment.PODS;

import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scenario 5: client-side weighted round-robin. Every pod attaches an ORCA load report to its
 * answers; one reports high utilisation, and the channel to demo/echo-weighted ({@code lb-policy:
 * weighted-round-robin}) gives it less traffic, as its weight {@code qps / utilization} says.
 */
final class LoadAware {

  static final String SERVICE = "echo-weighted";
  static final String BUSY_POD = "127.0.0.13";
  static final Map<String, Double> UTILIZATION =
      Map.of("127.0.0.11", 0.3, "127.0.0.12", 0.3, BUSY_POD, 0.9);
  static final int CALLS = 700;

  /** Longer than the Service's 1s blackout period, so every pod's reported weight is in use. */
  static final Duration WARM_UP = Duration.ofMillis(1500);

  record Result(Tally tally) {
    String summary() {
      return "the pod reporting 90% utilisation got "
          + Format.percent(tally.share(BUSY_POD))
          + " under weighted round-robin";
    }
  }

  private LoadAware() {}

  static Result run(DemoEnvironment env, PrintWriter out) throws DemoFailure, InterruptedException {
    out.println("5. Load-aware weights: a pod reporting high utilisation gets less traffic");
    out.println(
        "   Every pod now attaches an ORCA load report to each answer (qps "
            + (int) EchoBackend.REPORTED_QPS
            + " and its utilisation);");
    out.println(
        "   "
            + BUSY_POD
            + " reports 90%, the others 30%. The channel to Service demo/"
            + SERVICE
            + " (lb-policy");
    out.println(
        "   weighted-round-robin) weighs each pod qps / utilisation and, after "
            + Format.duration(WARM_UP)
            + " of reports, sends "
            + CALLS
            + " RPCs.");
    out.println();
    ManagedChannel channel = env.channel(SERVICE);
    UTILIZATION.forEach((pod, u) -> env.pod(pod).reportUtilization(u));
    Tally tally;
    try {
      Calls.untilAnswered(channel, Set.copyOf(PODS), Duration.ofSeconds(10));
      long warm = System.nanoTime() + WARM_UP.toNanos();
      while (System.nanoTime() < warm) {
        Calls.sequential(channel, 20);
      }
      tally = Calls.sequential(channel, CALLS);
    } finally {
      PODS.forEach(pod -> env.pod(pod).reportUtilization(Double.NaN));
    }
    TextTable table =
        new TextTable(
            TextTable.Column.text("pod"),
            TextTable.Column.number("utilisation"),
            TextTable.Column.number("weight"),
            TextTable.Column.number("RPCs"));
    for (String pod : PODS) {
      double u = UTILIZATION.get(pod);
      table.row(
          pod,
          Format.percent(u),
          String.format(Locale.ROOT, "%.0f", EchoBackend.REPORTED_QPS / u),
          tally.count(pod));
    }
    table.lines("   ").forEach(out::println);
    out.println();

    // Round-robin would give each pod a third; the weights give the busy pod a seventh.
    int busy = tally.count(BUSY_POD);
    boolean fewer =
        PODS.stream().filter(p -> !p.equals(BUSY_POD)).allMatch(p -> tally.count(p) > 2 * busy);
    if (tally.total() != CALLS || busy > CALLS / 5 || !fewer) {
      throw new DemoFailure(
          "weighted round-robin did not give the busy pod less traffic: " + tally.spread(PODS));
    }
    return new Result(tally);
  }
}
