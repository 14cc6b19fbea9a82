package io.fairlead.demo;

import static io.fairlead.demo.DemoEnvironment.PODS;

import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Scenario 2: ring-hash on a header; every user always reaches the same pod, users spread over
 * pods.
 */
final class HeaderAffinity {

  static final String SERVICE = "echo-sticky";
  static final String HEADER = "x-user";
  static final List<String> USERS =
      List.of(
          "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
          "mallory", "niaj");
  static final int CALLS_PER_USER = 10;

  /**
   * @param podOf the pod each user reached, by user
   */
  record Result(SortedMap<String, String> podOf) {
    String summary() {
      return podOf.size() + " users 100% sticky, spread " + usersPerPod().spread(PODS);
    }

    Tally usersPerPod() {
      return Tally.of(podOf.values());
    }
  }

  private HeaderAffinity() {}

  static Result run(DemoEnvironment env, PrintWriter out) throws DemoFailure {
    out.println("2. Affinity: the same user always reaches the same pod");
    out.println(
        "   Service demo/echo-sticky (ring-hash on header "
            + HEADER
            + "). "
            + USERS.size()
            + " users x "
            + CALLS_PER_USER
            + " RPCs on one channel to");
    out.println("   xds:///" + DemoManifests.listener(SERVICE) + ".");
    out.println();
    ManagedChannel channel = env.channel(SERVICE);
    TextTable table =
        new TextTable(
            TextTable.Column.text(HEADER),
            TextTable.Column.text("pod"),
            TextTable.Column.number("RPCs"),
            TextTable.Column.number("on that pod"));
    SortedMap<String, String> podOf = new TreeMap<>();
    for (String user : USERS) {
      Tally tally = Calls.sequential(channel, CALLS_PER_USER, Map.of(HEADER, user));
      String pod = tally.counts().keySet().iterator().next();
      for (String p : tally.counts().keySet()) {
        if (tally.count(p) > tally.count(pod)) {
          pod = p;
        }
      }
      podOf.put(user, pod);
      table.row(user, pod, tally.total(), Format.percent(tally.share(pod)));
      if (tally.count(pod) != tally.total()) {
        throw new DemoFailure("user " + user + " was not sticky: " + tally.counts());
      }
    }
    table.lines("   ").forEach(out::println);
    Result result = new Result(podOf);
    Tally usersPerPod = result.usersPerPod();
    out.println(
        "   users per pod: "
            + String.join(
                ", ", PODS.stream().map(pod -> pod + ": " + usersPerPod.count(pod)).toList()));
    out.println();
    if (usersPerPod.counts().size() < 2) {
      throw new DemoFailure("every user hashed to one pod: " + usersPerPod.counts());
    }
    return result;
  }
}
