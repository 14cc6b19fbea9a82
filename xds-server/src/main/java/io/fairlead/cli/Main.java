package io.fairlead.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code fairlead} command. Bad input gets one line on stderr and exit 2, never a trace. */
@Command(
    name = "fairlead",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Kubernetes-native Envoy xDS control plane: request-level balancing and session affinity.",
    subcommands = {
      TranslateCommand.class,
      ExplainCommand.class,
      BootstrapCommand.class,
      ServeCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit status; used by tests too. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("fairlead: " + oneLine(e));
          return ExitCodes.UNUSABLE_INPUT;
        });
    cli.setParameterExceptionHandler(
        (e, parsed) -> {
          e.getCommandLine().getErr().println("fairlead: " + e.getMessage() + " (see --help)");
          return ExitCodes.UNUSABLE_INPUT;
        });
    return cli.execute(args);
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
