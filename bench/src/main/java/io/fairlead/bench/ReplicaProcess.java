package io.fairlead.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Replica} in a JVM of its own, started with this JVM's options (the worker's: {@code
 * -Xmx} and {@code --server-jvm-opts}) and classpath, so its CPU time is its own. The child prints
 * {@code @port N} once its first snapshot is published, then answers commands on stdin, one a line:
 *
 * <pre>
 * churn START_EPOCH_MS CHANGES INTERVAL_MS   -> @churned LATE, once every change is applied
 * cpu                                        -> @cpu NANOS (its process CPU time)
 * javacpu                                    -> @javacpu NANOS (its Java threads' CPU time)
 * </pre>
 *
 * It exits when its stdin closes.
 */
final class ReplicaProcess implements Replica {

  private final Process process;
  private final Writer in;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final int port;

  private ReplicaProcess(Process process) throws IOException {
    this.process = process;
    this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.startsWith("@")) {
                    replies.add(line);
                  } else {
                    System.err.println("[replica] " + line);
                  }
                }
              } catch (IOException e) {
                // the replica exited
              }
            },
            "replica-reader");
    reader.setDaemon(true);
    reader.start();
    String first = reply("@port", Duration.ofMinutes(5));
    this.port = Integer.parseInt(first.substring("@port ".length()).trim());
  }

  static ReplicaProcess start(Config config) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    try {
      cmd.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              ReplicaProcess.class.getName(),
              new ObjectMapper().writeValueAsString(config)));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try {
        return new ReplicaProcess(p);
      } catch (RuntimeException | IOException e) {
        p.destroyForcibly();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String reply(String kind, Duration timeout) {
    try {
      String line = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new IllegalStateException(
            "no "
                + kind
                + " from the replica"
                + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
      }
      if (!line.startsWith(kind + " ")) {
        throw new IllegalStateException("the replica answered " + line + ", not " + kind);
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + kind, e);
    }
  }

  private synchronized void send(String command) {
    try {
      in.write(command + "\n");
      in.flush();
    } catch (IOException e) {
      throw new IllegalStateException("the replica is gone: " + e.getMessage(), e);
    }
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public void churn(long startEpochMillis, int changes, int intervalMillis) {
    send("churn " + startEpochMillis + " " + changes + " " + intervalMillis);
  }

  @Override
  public int awaitChurned(Duration timeout) {
    return Integer.parseInt(reply("@churned", timeout).substring("@churned ".length()).trim());
  }

  @Override
  public long cpuNanos() {
    send("cpu");
    return Long.parseLong(reply("@cpu", Duration.ofSeconds(30)).substring("@cpu ".length()).trim());
  }

  @Override
  public long javaThreadsCpuNanos() {
    send("javacpu");
    return Long.parseLong(
        reply("@javacpu", Duration.ofSeconds(30)).substring("@javacpu ".length()).trim());
  }

  @Override
  public void close() {
    try {
      in.close(); // the replica exits when its stdin closes
    } catch (IOException e) {
      // exiting anyway
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The replica's JVM: {@code ReplicaProcess CONFIG_JSON}. */
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    PrintStream out =
        new PrintStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err); // only replies go to stdout
    Config config = new ObjectMapper().readValue(args[0], Config.class);
    try (ReplicaDriver driver = new ReplicaDriver(config)) {
      out.println("@port " + driver.port());
      BufferedReader commands =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = commands.readLine()) != null) {
        String[] c = line.trim().split(" ");
        switch (c[0]) {
          case "churn" ->
              out.println(
                  "@churned "
                      + driver.churn(
                          Long.parseLong(c[1]), Integer.parseInt(c[2]), Integer.parseInt(c[3])));
          case "cpu" -> out.println("@cpu " + Scenarios.cpuNanos());
          case "javacpu" -> out.println("@javacpu " + Scenarios.javaThreadsCpuNanos());
          default -> out.println("@error unknown command " + c[0]);
        }
      }
    }
    System.exit(0);
  }
}
