package io.fairlead.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The demo's command line: {@code scripts/demo.sh} runs it from {@code
 * examples/target/fairlead-demo.jar}. It lives here, not in the {@code fairlead} CLI, so that the
 * server jar carries neither the demo nor grpc-java's xDS client.
 */
@Command(
    name = "fairlead-demo",
    mixinStandardHelpOptions = true,
    description = {
      "Shows request-level balancing over long-lived connections, on this machine, in a few seconds.",
      "No cluster needed: a control plane watching a temp directory, three gRPC",
      "\"pods\" on 127.0.0.11-13 and grpc-java's own xDS client, all in this process. Prints a table per",
      "scenario (per-request spread, header affinity, least-request around a slow pod, a live scale-up),",
      "and, when ENVOY_BIN or an envoy on PATH exists, one channel through a Fairlead-configured Envoy;",
      "then one summary line. Exit status 0 when every scenario showed what it should, 1 otherwise,",
      "2 for a bad option."
    })
public final class DemoCommand implements Callable<Integer> {

  private static final int OK = 0;
  private static final int FAILED = 1;
  private static final int USAGE = 2;
  private static final String SIMPLE_LOGGER_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--backend-port",
      defaultValue = "50051",
      description =
          "Port the pods listen on; any free port they can share when it is taken (default: ${DEFAULT-VALUE}).")
  int backendPort;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the demo and returns its exit status; used by tests too. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new DemoCommand());
    cli.setParameterExceptionHandler(
        (e, parsed) -> {
          e.getCommandLine().getErr().println("fairlead demo: " + e.getMessage() + " (see --help)");
          return USAGE;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    if (backendPort < 0 || backendPort > 65535) {
      spec.commandLine().getErr().println("fairlead demo: --backend-port must be 0 to 65535");
      return USAGE;
    }
    // the tables are the output; the control plane's own INFO logs would only interleave
    if (System.getProperty(SIMPLE_LOGGER_LEVEL) == null) {
      System.setProperty(SIMPLE_LOGGER_LEVEL, "warn");
    }
    PrintWriter out = spec.commandLine().getOut();
    try {
      String summary = Demo.run(out, backendPort);
      out.println("fairlead demo: " + summary);
      out.flush();
      return OK;
    } catch (DemoFailure | IOException | RuntimeException e) {
      out.flush();
      spec.commandLine().getErr().println("fairlead demo: FAILED: " + oneLine(e));
      return FAILED;
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
