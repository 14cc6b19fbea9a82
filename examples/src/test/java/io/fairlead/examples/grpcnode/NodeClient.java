package io.fairlead.examples.grpcnode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run of {@code grpc-node/client.mjs} with {@code --hold}: it prints its JSON result, then
 * keeps its xDS stream open until {@link #finish} closes its stdin.
 */
final class NodeClient implements AutoCloseable {

  /** The npm project, relative to the examples module (Surefire's working directory). */
  static final Path DIR = Path.of("grpc-node").toAbsolutePath();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path stderr;
  private final BufferedReader stdout;

  private NodeClient(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Why the client cannot run here, if it cannot: no node on PATH, or dependencies not installed.
   */
  static Optional<String> unavailable() {
    try {
      Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      if (!version.waitFor(10, TimeUnit.SECONDS) || version.exitValue() != 0) {
        return Optional.of("`node --version` failed");
      }
    } catch (IOException e) {
      return Optional.of("node is not on PATH");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
    if (!Files.isDirectory(DIR.resolve("node_modules/@grpc/grpc-js-xds"))) {
      return Optional.of(
          "its npm dependencies are not installed; run `npm ci --prefix examples/grpc-node`"
              + " (scripts/test.sh does)");
    }
    return Optional.empty();
  }

  static NodeClient start(List<String> args, Path stderr) throws IOException {
    List<String> command = new ArrayList<>(List.of("node", "client.mjs", "--hold"));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(DIR.toFile())
            .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
    builder.environment().remove("GRPC_XDS_BOOTSTRAP");
    return new NodeClient(builder.start(), stderr);
  }

  /** The JSON line the client prints when its scenarios are done (or its time is up). */
  JsonNode awaitResult(Duration timeout) throws Exception {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String l; (l = stdout.readLine()) != null; ) {
                  if (l.startsWith("{")) {
                    return l;
                  }
                }
                return null;
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    String text;
    try {
      text = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new AssertionError(
          "no result from the node client: " + e + "\nstderr:\n" + stderr(), e);
    }
    if (text == null) {
      throw new AssertionError("the node client printed no result\nstderr:\n" + stderr());
    }
    return JSON.readTree(text);
  }

  /** Closes the client's stdin so it shuts down, and returns its exit status. */
  int finish(Duration timeout) throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the node client did not exit\nstderr:\n" + stderr());
    }
    return process.exitValue();
  }

  String stderr() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
