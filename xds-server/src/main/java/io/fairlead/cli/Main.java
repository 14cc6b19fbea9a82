package io.fairlead.cli;

import io.fairlead.k8s.KubeSourceException;
import io.fairlead.translators.input.KubeYaml;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fairlead} command. Bad input gets one line on stderr and exit 2, never a trace; a
 * defect of Fairlead's own gets exit 3 and "internal error, please report", with the trace only
 * under {@code --debug}.
 */
@Command(
    name = "fairlead",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Kubernetes-native Envoy xDS control plane: request-level balancing and session affinity.",
    subcommands = {
      TranslateCommand.class,
      ExplainCommand.class,
      BootstrapCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Option(
      names = "--debug",
      scope = CommandLine.ScopeType.INHERIT,
      description = "On an internal error, print its stack trace.")
  boolean debug;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit status; used by tests too. */
  public static int run(String... args) {
    return commandLine(args).execute(args);
  }

  /** The configured command line for these arguments, with the exit-status rules. */
  static CommandLine commandLine(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (isUserInput(e)) {
            cmd.getErr().println("fairlead: " + oneLine(e));
            return ExitCodes.UNUSABLE_INPUT;
          }
          cmd.getErr()
              .println(
                  "fairlead: internal error, please report: "
                      + e.getClass().getName()
                      + ": "
                      + oneLine(e));
          if (java.util.Arrays.asList(args).contains("--debug")) {
            e.printStackTrace(cmd.getErr());
          } else {
            cmd.getErr().println("fairlead: run again with --debug for the stack trace");
          }
          return ExitCodes.INTERNAL_ERROR;
        });
    cli.setParameterExceptionHandler(
        (e, parsed) -> {
          e.getCommandLine().getErr().println("fairlead: " + e.getMessage() + " (see --help)");
          return ExitCodes.UNUSABLE_INPUT;
        });
    return cli;
  }

  /** What the user can fix: a bad option or value, an unusable file or source. */
  static boolean isUserInput(Throwable e) {
    return e instanceof IllegalArgumentException
        || e instanceof KubeSourceException
        || e instanceof KubeYaml.InvalidInputException
        || e instanceof java.io.IOException
        || e instanceof java.io.UncheckedIOException;
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"fairlead " + (v == null ? "development build" : v)};
    }
  }
}
