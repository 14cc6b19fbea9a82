package io.fairlead.demo;

import static io.fairlead.demo.DemoEnvironment.PODS;

import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Set;

/**
 * Scenario 3: one pod turns slow. Round-robin keeps giving it a third of the RPCs; least-request
 * (two random pods, the one with fewer RPCs in flight) gives it few.
 */
final class SlowPod {

  static final String SERVICE = "echo-least";
  static final String SLOW_POD = "127.0.0.13";
  static final Duration DELAY = Duration.ofMillis(200);
  static final int CALLS = 240;
  static final int CALLERS = 12;

  record Result(Calls.Concurrent roundRobin, Calls.Concurrent leastRequest) {
    String summary() {
      return "the slow pod got "
          + Format.percent(leastRequest.tally().share(SLOW_POD))
          + " under least-request (round-robin: "
          + Format.percent(roundRobin.tally().share(SLOW_POD))
          + ")";
    }
  }

  private SlowPod() {}

  static Result run(DemoEnvironment env, PrintWriter out) throws DemoFailure, InterruptedException {
    out.println("3. Least-request steers around a slow pod");
    out.println(
        "   "
            + SLOW_POD
            + " now answers after "
            + Format.duration(DELAY)
            + ". "
            + CALLS
            + " RPCs from "
            + CALLERS
            + " concurrent callers on the demo/echo");
    out.println(
        "   channel (round-robin), then on one to Service demo/echo-least (least-request: of two random");
    out.println("   pods, the one with fewer RPCs in flight).");
    out.println();
    ManagedChannel leastChannel = env.channel(SERVICE);
    Calls.untilAnswered(leastChannel, Set.copyOf(PODS), Duration.ofSeconds(10));
    EchoBackend slow = env.pod(SLOW_POD);
    slow.delay(DELAY);
    Result result;
    try {
      result =
          new Result(
              Calls.concurrent(env.channel(RequestSpread.SERVICE), CALLS, CALLERS),
              Calls.concurrent(leastChannel, CALLS, CALLERS));
    } finally {
      slow.delay(Duration.ZERO);
    }
    TextTable table =
        new TextTable(
            TextTable.Column.text("pod"),
            TextTable.Column.number("answers after"),
            TextTable.Column.number("round-robin"),
            TextTable.Column.number("least-request"));
    for (String pod : PODS) {
      table.row(
          pod,
          Format.duration(pod.equals(SLOW_POD) ? DELAY : Duration.ZERO),
          result.roundRobin().tally().count(pod),
          result.leastRequest().tally().count(pod));
    }
    table.row(
        "wall time",
        "",
        Format.duration(result.roundRobin().wallTime()),
        Format.duration(result.leastRequest().wallTime()));
    table.lines("   ").forEach(out::println);
    out.println();

    Tally least = result.leastRequest().tally();
    for (String pod : PODS) {
      if (!pod.equals(SLOW_POD) && least.count(SLOW_POD) >= least.count(pod)) {
        throw new DemoFailure("least-request did not avoid the slow pod: " + least.spread(PODS));
      }
    }
    return result;
  }
}
