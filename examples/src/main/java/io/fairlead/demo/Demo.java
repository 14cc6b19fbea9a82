package io.fairlead.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * The demo ({@code scripts/demo.sh}, {@link DemoCommand}): a control plane, four "pods" and
 * grpc-java's own xDS client, all in this process, showing per-request balancing, header affinity,
 * least-request, a live scale-up and load-aware weights from ORCA reports; then, where an Envoy
 * binary is found, the same balancing done by an Envoy that Fairlead configures.
 */
public final class Demo {

  private Demo() {}

  /**
   * Runs every scenario, printing readable tables to {@code out}.
   *
   * @param backendPort the port the pods try first; any port they can share when it is taken
   * @return a one-line summary
   * @throws DemoFailure when something the demo shows did not hold, or it could not start
   */
  public static String run(PrintWriter out, int backendPort)
      throws DemoFailure, IOException, InterruptedException {
    long start = System.nanoTime();
    try (DemoEnvironment env = DemoEnvironment.start(backendPort)) {
      introduce(env, out);
      RequestSpread.Result spread = RequestSpread.run(env, out);
      HeaderAffinity.Result affinity = HeaderAffinity.run(env, out);
      SlowPod.Result slow = SlowPod.run(env, out);
      ScaleUp.Result scale = ScaleUp.run(env, out, spread.fairlead());
      LoadAware.Result load = LoadAware.run(env, out);
      ThroughEnvoy.Result envoy = ThroughEnvoy.run(env, out, EnvoyBinary.find(System.getenv()));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      return "OK in "
          + Format.seconds(took)
          + ": "
          + spread.summary()
          + "; "
          + affinity.summary()
          + "; "
          + slow.summary()
          + "; "
          + scale.summary()
          + "; "
          + load.summary()
          + envoy.summary().map(s -> "; " + s).orElse("")
          + ".";
    }
  }

  private static void introduce(DemoEnvironment env, PrintWriter out) {
    int xds = env.server.controlPlane().xdsPort();
    int admin = env.server.controlPlane().adminPort();
    out.println("Fairlead demo: request-level balancing for proxyless gRPC, all in this process");
    out.println(
        "  control plane  xDS on 127.0.0.1:"
            + xds
            + ", admin on http://127.0.0.1:"
            + admin
            + "/debug/connections");
    out.println(
        "  watching       " + env.dir + " (" + String.join(", ", DemoManifests.INITIAL) + ")");
    out.println(
        "  pods           gRPC servers on "
            + String.join(", ", DemoEnvironment.PODS)
            + ", port "
            + env.backends.port()
            + ",");
    out.println(
        "                 answering fairlead.demo.Echo/Who with their address; "
            + DemoEnvironment.FOURTH_POD
            + " is running too,");
    out.println("                 in no EndpointSlice yet");
    out.println(
        "  client         grpc-java's xDS client (node id "
            + DemoEnvironment.NODE_ID
            + "), one channel per Service");
    out.println();
  }
}
