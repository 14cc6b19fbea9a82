package io.fairlead.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child Envoy process with its output in a log file. Every wait is bounded, and {@link #close}
 * always ends it (and anything a wrapper script started), also when the JVM is stopped early.
 */
final class EnvoyProcess implements AutoCloseable {

  /** How long Envoy gets to stop on SIGTERM, and then on SIGKILL. */
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);
  private static final int LOG_TAIL_LINES = 8;

  private final Process process;
  private final Path log;
  private final long startNanos;
  private final Thread stopOnExit;

  private EnvoyProcess(Process process, Path log, long startNanos) {
    this.process = process;
    this.log = log;
    this.startNanos = startNanos;
    this.stopOnExit = new Thread(this::stop, "envoy-stop-on-exit");
  }

  /** Runs {@code command}, its stdout and stderr going to {@code log}. */
  static EnvoyProcess start(List<String> command, Path log) throws DemoFailure {
    Process process;
    long start = System.nanoTime();
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new DemoFailure("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    EnvoyProcess envoy = new EnvoyProcess(process, log, start);
    Runtime.getRuntime().addShutdownHook(envoy.stopOnExit);
    return envoy;
  }

  /**
   * Waits until something accepts TCP connections on 127.0.0.1:{@code port}.
   *
   * @return how long after the start that was
   * @throws DemoFailure when Envoy exits first, or {@code limit} passes
   */
  Duration awaitListener(int port, Duration limit) throws DemoFailure {
    long end = System.nanoTime() + limit.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw failure(
            "Envoy exited with status "
                + process.exitValue()
                + " before its listener on port "
                + port
                + " accepted connections");
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return Duration.ofNanos(System.nanoTime() - startNanos);
      } catch (IOException notYet) {
        // Envoy has not got its listener from Fairlead yet
      }
      if (System.nanoTime() > end) {
        throw failure(
            "Envoy's listener on port "
                + port
                + " accepted no connection within "
                + Format.duration(limit));
      }
      sleep(Duration.ofMillis(100));
    }
  }

  /** A counter or gauge from Envoy's admin {@code /stats}. */
  long stat(int adminPort, String name) throws DemoFailure {
    // stat names are [a-z0-9_.]: escaping the dots makes a regex that RE2 and std::regex read alike
    String filter = URLEncoder.encode("^" + name.replace(".", "\\.") + "$", StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/stats?filter=" + filter))
            .timeout(ADMIN_TIMEOUT)
            .build();
    String body;
    try {
      HttpResponse<String> response =
          HttpClient.newBuilder()
              .connectTimeout(ADMIN_TIMEOUT)
              .build()
              .send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw failure("Envoy's admin /stats answered " + response.statusCode());
      }
      body = response.body();
    } catch (IOException e) {
      throw failure("cannot read Envoy's admin /stats: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted while reading Envoy's admin /stats", e);
    }
    for (String line : body.split("\n")) {
      if (line.startsWith(name + ": ")) {
        try {
          return Long.parseLong(line.substring(name.length() + 2).strip());
        } catch (NumberFormatException e) {
          throw failure("Envoy's stat " + name + " is not a number: " + line);
        }
      }
    }
    throw failure("Envoy has no stat " + name);
  }

  /** A failure of the Envoy step, with the last lines Envoy logged. */
  DemoFailure failure(String what) {
    String tail = logTail();
    return new DemoFailure(
        what + (tail.isEmpty() ? "" : "; Envoy's log (" + log + ") ends: " + tail));
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          " | ",
          lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()).stream()
              .map(String::strip)
              .filter(l -> !l.isEmpty())
              .toList());
    } catch (IOException e) {
      return "";
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it stops Envoy too
    }
  }

  private void stop() {
    // a wrapper script may have started Envoy as its child instead of exec'ing it
    List<ProcessHandle> descendants = process.descendants().toList();
    stop(process.toHandle());
    descendants.forEach(EnvoyProcess::stop);
  }

  private static void stop(ProcessHandle handle) {
    if (!handle.isAlive()) {
      return;
    }
    handle.destroy();
    if (!awaitExit(handle)) {
      handle.destroyForcibly();
      awaitExit(handle);
    }
  }

  private static boolean awaitExit(ProcessHandle handle) {
    try {
      handle.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private static void sleep(Duration d) throws DemoFailure {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted while waiting for Envoy", e);
    }
  }
}
