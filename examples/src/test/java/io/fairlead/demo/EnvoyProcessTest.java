package io.fairlead.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child-process side of the demo's Envoy step, with shell scripts standing in for Envoy: every
 * wait is bounded, failures carry Envoy's last log lines, and close ends the process and whatever a
 * wrapper script started.
 */
class EnvoyProcessTest {

  @TempDir Path dir;

  @BeforeAll
  static void posixShell() {
    assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "the stand-in Envoys are /bin/sh scripts");
  }

  private Path script(String name, String body) throws IOException {
    Path script = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  private EnvoyProcess start(Path script) throws DemoFailure {
    return EnvoyProcess.start(
        List.of(script.toString(), "--config-path", "x.yaml"), dir.resolve("envoy.log"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void anEnvoyThatExitsFailsAtOnceWithItsStatusAndLastLogLines() throws Exception {
    Path envoy =
        script("crash", "echo \"got $*\"\necho 'error initializing configuration' >&2\nexit 3");
    long start = System.nanoTime();
    try (EnvoyProcess process = start(envoy)) {
      assertThatThrownBy(() -> process.awaitListener(freePort(), Duration.ofSeconds(20)))
          .isInstanceOf(DemoFailure.class)
          .hasMessageStartingWith("Envoy exited with status 3 before its listener on port ")
          .hasMessageContaining(
              "ends: got --config-path x.yaml | error initializing configuration");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void noListenerWithinTheLimitFailsAndCloseEndsTheWrapperAndItsChild() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    // a wrapper that runs "Envoy" as a child instead of exec'ing it
    Path envoy = script("wrapper", "echo starting\nsleep 300 &\necho $! > " + pidFile + "\nwait");
    EnvoyProcess process = start(envoy);
    ProcessHandle child;
    try {
      assertThatThrownBy(() -> process.awaitListener(freePort(), Duration.ofSeconds(1)))
          .isInstanceOf(DemoFailure.class)
          .hasMessageContaining("accepted no connection within 1000 ms")
          .hasMessageContaining("ends: starting");
      child = ProcessHandle.of(Long.parseLong(awaitText(pidFile))).orElseThrow();
      assertThat(child.isAlive()).isTrue();
    } finally {
      process.close();
    }
    assertThat(process.isAlive()).isFalse();
    assertThat(child.onExit()).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void aListeningPortEndsTheWait() throws Exception {
    try (ServerSocket listener = new ServerSocket(0);
        EnvoyProcess process = start(script("sleeper", "exec sleep 300"))) {
      Duration took = process.awaitListener(listener.getLocalPort(), Duration.ofSeconds(20));
      assertThat(took).isLessThan(Duration.ofSeconds(10));
      assertThat(process.isAlive()).isTrue();
    }
  }

  @Test
  void statsComeFromTheAdminEndpointByExactName() throws Exception {
    AtomicReference<String> query = new AtomicReference<>();
    HttpServer admin =
        HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    admin.createContext(
        "/stats",
        exchange -> {
          query.set(exchange.getRequestURI().getQuery());
          byte[] body =
              "listener.0.0.0.0_18080.downstream_cx_active_x: 7\nlistener.0.0.0.0_18080.downstream_cx_active: 1\n"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    admin.start();
    try (EnvoyProcess process = start(script("sleeper", "exec sleep 300"))) {
      int port = admin.getAddress().getPort();
      assertThat(process.stat(port, EnvoyGateway.activeConnectionsStat(18080))).isEqualTo(1);
      assertThat(query.get())
          .isEqualTo("filter=^listener\\.0\\.0\\.0\\.0_18080\\.downstream_cx_active$");
      assertThatThrownBy(() -> process.stat(port, "listener.0.0.0.0_18080.downstream_cx_total"))
          .isInstanceOf(DemoFailure.class)
          .hasMessageStartingWith("Envoy has no stat listener.0.0.0.0_18080.downstream_cx_total");
    } finally {
      admin.stop(0);
    }
  }

  private static String awaitText(Path file) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < end) {
      if (Files.exists(file)) {
        String text = Files.readString(file).strip();
        if (!text.isEmpty()) {
          return text;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(file + " was not written within 5 s");
  }
}
