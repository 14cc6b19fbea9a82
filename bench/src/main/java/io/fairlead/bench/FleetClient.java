package io.fairlead.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's side of the {@link Fleet}: spawns it as a second JVM from this JVM's classpath,
 * sends it commands and reads its replies. {@code @acked K} replies are stamped with this JVM's
 * clock as they arrive, so a change's latency is measured on one clock.
 */
final class FleetClient implements AutoCloseable {

  private final Process process; // null when connected to a shared fleet
  private final java.io.InputStream fromFleet;
  private final Writer in;
  private final Map<String, BlockingQueue<String>> replies = new ConcurrentHashMap<>();
  private final Map<Integer, Long> acked = new ConcurrentHashMap<>();
  private final Thread reader;

  private FleetClient(
      Process process, java.io.InputStream fromFleet, java.io.OutputStream toFleet) {
    this.process = process;
    this.fromFleet = fromFleet;
    this.in = new java.io.OutputStreamWriter(toFleet, StandardCharsets.UTF_8);
    this.reader = new Thread(this::read, "fleet-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the fleet JVM with the given heap, on the classpath this JVM runs from. */
  static FleetClient start(String maxHeap) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx" + maxHeap,
                "-XX:+UseParallelGC",
                "-cp",
                System.getProperty("java.class.path"),
                Fleet.class.getName()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    return new FleetClient(p, p.getInputStream(), p.getOutputStream());
  }

  /**
   * Starts a fleet JVM that serves one worker after another on a loopback port; returns it and the
   * port.
   */
  static Process startShared(String maxHeap, int[] port) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx" + maxHeap,
                "-XX:+UseParallelGC",
                "-cp",
                System.getProperty("java.class.path"),
                Fleet.class.getName(),
                "--listen")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null || !line.startsWith("@port ")) {
      p.destroyForcibly();
      throw new IOException("the proxy fleet did not start: " + line);
    }
    port[0] = Integer.parseInt(line.substring(6).trim());
    return p;
  }

  /** Connects to a shared fleet (see {@link #startShared}). */
  static FleetClient connect(int port) throws IOException {
    java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port);
    return new FleetClient(null, s.getInputStream(), s.getOutputStream());
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(fromFleet, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        long now = System.nanoTime();
        if (!line.startsWith("@")) {
          System.err.println("[fleet] " + line);
          continue;
        }
        String[] parts = line.split(" ");
        if (parts[0].equals("@acked")) {
          acked.put(Integer.parseInt(parts[1]), now);
        } else {
          replies.computeIfAbsent(parts[0], k -> new LinkedBlockingQueue<>()).add(line);
        }
      }
    } catch (IOException e) {
      // the fleet exited
    }
  }

  synchronized void send(String command) {
    try {
      in.write(command + "\n");
      in.flush();
    } catch (IOException e) {
      throw new IllegalStateException("the proxy fleet is gone: " + e.getMessage(), e);
    }
  }

  /** The next reply of a kind ({@code @synced}, ...), or empty after the timeout. */
  Optional<String> await(String kind, Duration timeout) {
    try {
      String line =
          replies
              .computeIfAbsent(kind, k -> new LinkedBlockingQueue<>())
              .poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null && process != null && !process.isAlive()) {
        throw new IllegalStateException("the proxy fleet exited with " + process.exitValue());
      }
      return Optional.ofNullable(line);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  String call(String command, String kind) {
    return call(command, kind, Duration.ofSeconds(60));
  }

  String call(String command, String kind, Duration timeout) {
    send(command);
    return await(kind, timeout)
        .orElseThrow(() -> new IllegalStateException("no " + kind + " reply to " + command));
  }

  /** The fleet's counters, by name. */
  Map<String, Long> stats() {
    Map<String, Long> stats = new HashMap<>();
    String line = call("stats", "@stats");
    for (String kv : line.substring("@stats ".length()).split(" ")) {
      int eq = kv.indexOf('=');
      stats.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
    }
    return stats;
  }

  /** When this JVM heard that change k was ACKed by every proxy holding it (System.nanoTime). */
  Optional<Long> ackedAt(int k) {
    return Optional.ofNullable(acked.get(k));
  }

  void clearReplies() {
    replies.clear();
    acked.clear();
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // exiting anyway
    }
    if (process == null) {
      try {
        fromFleet.close();
      } catch (IOException e) {
        // closing anyway
      }
      return;
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
