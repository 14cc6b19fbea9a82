package io.fairlead.examples.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fairlead serve} on a watched directory, as a process of its own, for the reliability
 * tests.
 */
final class ServeProcess {

  private ServeProcess() {}

  /**
   * Starts serve on 127.0.0.1 with its log in {@code dir/serve.log}.
   *
   * @param jvmOptions options for the JVM (heap sizes), before the class path
   * @param serveOptions extra options of serve
   */
  static Process start(
      Path dir, int xdsPort, int adminPort, List<String> jvmOptions, List<String> serveOptions)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.fairlead.cli.Main",
            "serve",
            "--source",
            "dir:" + dir,
            "--xds-address",
            "127.0.0.1",
            "--xds-port",
            String.valueOf(xdsPort),
            "--admin-port",
            String.valueOf(adminPort)));
    command.addAll(serveOptions);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("serve.log").toFile())
        .start();
  }

  /** Waits until /readyz answers 200, or fails with the process's log. */
  static void awaitReady(Path dir, int adminPort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz"))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "serve never became ready; log:\n" + Files.readString(dir.resolve("serve.log")));
  }
}
