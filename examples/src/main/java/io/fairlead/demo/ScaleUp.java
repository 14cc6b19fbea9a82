package io.fairlead.demo;

import static io.fairlead.demo.DemoEnvironment.FOURTH_POD;
import static io.fairlead.demo.DemoEnvironment.PODS;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Scenario 4: a fourth pod's EndpointSlice appears in the watched directory; the channel that is
 * already open starts using it, without reconnecting to the others.
 */
final class ScaleUp {

  static final int CALLS = 400;
  static final Duration LIMIT = Duration.ofSeconds(15);

  record Result(Duration untilFirstUse, Tally after) {
    String summary() {
      return "a 4th pod served its first RPC "
          + Format.duration(untilFirstUse)
          + " after its EndpointSlice appeared";
    }
  }

  private ScaleUp() {}

  static Result run(DemoEnvironment env, PrintWriter out, Tally before)
      throws DemoFailure, IOException {
    List<String> pods = Stream.concat(PODS.stream(), Stream.of(FOURTH_POD)).toList();
    ManagedChannel channel = env.channel(RequestSpread.SERVICE);
    Connections connectionsBefore = Connections.of(env);
    Path written = DemoManifests.writeScaleUp(env.dir, env.backends.port());
    Duration untilFirstUse = Calls.untilAnswered(channel, Set.of(FOURTH_POD), LIMIT);
    Tally after = Calls.sequential(channel, CALLS);
    Map<String, Long> newConnections = Connections.of(env).since(connectionsBefore);

    out.println("4. Scale-up: a fourth pod becomes ready");
    out.println(
        "   Wrote "
            + written.getFileName()
            + " (EndpointSlice demo/echo-2 with "
            + FOURTH_POD
            + ") into the watched directory.");
    out.println(
        "   The open demo/echo channel sent its first RPC to "
            + FOURTH_POD
            + " "
            + Format.duration(untilFirstUse)
            + " later,");
    out.println("   and kept its connections to the other pods.");
    out.println();
    TextTable table =
        new TextTable(
            TextTable.Column.text("pod"),
            TextTable.Column.number("before (" + before.total() + " RPCs)"),
            TextTable.Column.number("after (" + CALLS + " RPCs)"),
            TextTable.Column.number("new connections"));
    for (String pod : pods) {
      table.row(pod, before.count(pod), after.count(pod), newConnections.get(pod));
    }
    table.lines("   ").forEach(out::println);
    out.println();

    for (String pod : pods) {
      int count = after.count(pod);
      if (count < CALLS * 3 / 16 || count > CALLS * 5 / 16) {
        throw new DemoFailure(
            "after the scale-up the spread " + after.spread(pods) + " is not even");
      }
    }
    for (String pod : PODS) {
      if (newConnections.get(pod) != 0) {
        throw new DemoFailure("the channel reconnected to " + pod + " during the scale-up");
      }
    }
    return new Result(untilFirstUse, after);
  }
}
