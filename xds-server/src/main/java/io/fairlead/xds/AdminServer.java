package io.fairlead.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fairlead.k8s.KubeSource;
import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.translators.ProxyContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoints: {@code /healthz}, {@code /readyz}, {@code /metrics}, {@code
 * /debug/config?node=ID}, {@code /debug/connections} and {@code /debug/diagnostics}. It shows the
 * whole configuration, so bind it to loopback or a private network.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final SnapshotPublisher publisher;
  private final XdsCallbacks callbacks;
  private final XdsMetrics metrics;

  private AdminServer(
      HttpServer server, SnapshotPublisher publisher, XdsCallbacks callbacks, XdsMetrics metrics) {
    this.server = server;
    this.publisher = publisher;
    this.callbacks = callbacks;
    this.metrics = metrics;
    this.executor = Executors.newFixedThreadPool(2, DaemonThreads.named("fairlead-admin"));
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Binds and starts serving; port 0 picks a free port. */
  public static AdminServer start(
      InetSocketAddress address,
      SnapshotPublisher publisher,
      XdsCallbacks callbacks,
      XdsMetrics metrics)
      throws IOException {
    AdminServer admin =
        new AdminServer(HttpServer.create(address, 0), publisher, callbacks, metrics);
    admin.server.start();
    LOG.info("admin server listening on {}", admin.address());
    return admin;
  }

  private volatile Supplier<KubeSource.Health> sourceHealth = () -> KubeSource.Health.OK;
  private volatile boolean debugToAnyone;
  private volatile Supplier<Optional<String>> liveness = Optional::empty;

  /** Where /healthz learns whether the process can still serve proxies. */
  public void liveness(Supplier<Optional<String>> problem) {
    this.liveness = problem;
  }

  /** Serve /debug/* to any client, not only to localhost. */
  public void debugToAnyone(boolean allowed) {
    this.debugToAnyone = allowed;
  }

  /** Where /readyz learns whether the source is degraded or stalled. */
  public void sourceHealth(Supplier<KubeSource.Health> health) {
    this.sourceHealth = health;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        send(exchange, 405, TEXT, "only GET and HEAD are allowed\n");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.startsWith("/debug/")
          && !debugToAnyone
          && !exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
        // Config and connections of every namespace: for the operator on the pod, not the network.
        send(
            exchange,
            403,
            TEXT,
            "/debug/* is served to localhost only; start serve with --debug-endpoints to serve it to all\n");
        return;
      }
      switch (path) {
        case "/healthz" -> {
          Optional<String> dead = liveness.get();
          if (dead.isPresent()) {
            send(exchange, 503, TEXT, "not alive: " + oneLine(dead.get()) + "\n");
          } else {
            send(exchange, 200, TEXT, "ok\n");
          }
        }
        case "/readyz" -> {
          KubeSource.Health health = sourceHealth.get();
          if (!publisher.ready()) {
            send(exchange, 503, TEXT, "waiting for the first snapshot\n");
          } else if (health.stalled()) {
            // Serving ever older config: let the other replicas take the proxies.
            send(exchange, 503, TEXT, "source stalled: " + health.reason().orElse("") + "\n");
          } else if (health.degraded()) {
            send(
                exchange,
                200,
                TEXT,
                "ready, degraded: " + oneLine(health.reason().orElse("")) + "\n");
          } else {
            send(exchange, 200, TEXT, "ready\n");
          }
        }
        case "/metrics" -> send(exchange, 200, PROMETHEUS, metrics.scrape());
        case "/debug/config" -> config(exchange);
        case "/debug/connections" ->
            send(exchange, 200, JSON, DebugJson.connections(callbacks.connections()));
        case "/debug/diagnostics" ->
            send(exchange, 200, JSON, DebugJson.diagnostics(publisher.diagnostics()));
        default -> send(exchange, 404, TEXT, "no such endpoint: " + path + "\n");
      }
    } catch (RuntimeException e) {
      LOG.error("admin request {} failed", exchange.getRequestURI(), e);
      throw e;
    }
  }

  private void config(HttpExchange exchange) throws IOException {
    Optional<String> node;
    try {
      node = queryParameter(exchange.getRequestURI().getRawQuery(), "node");
    } catch (IllegalArgumentException e) {
      send(exchange, 400, TEXT, "malformed query: " + oneLine(e.getMessage()) + "\n");
      return;
    }
    if (node.isEmpty()) {
      send(exchange, 400, TEXT, "missing query parameter: node\n");
      return;
    }
    Optional<ProxyContext> group = callbacks.groupOf(node.get());
    if (group.isEmpty()) {
      send(exchange, 404, TEXT, "unknown node: " + oneLine(node.get()) + "\n");
      return;
    }
    Optional<PublishedGroup> published = publisher.published(group.get());
    if (published.isEmpty()) {
      send(
          exchange, 503, TEXT, "no snapshot yet for group " + NodeGroups.label(group.get()) + "\n");
      return;
    }
    try {
      send(exchange, 200, JSON, DebugJson.config(node.get(), published.get()));
    } catch (InvalidProtocolBufferException e) {
      send(exchange, 500, TEXT, "cannot print the config: " + oneLine(e.getMessage()) + "\n");
    }
  }

  /** The decoded value of a query parameter; malformed escapes throw IllegalArgumentException. */
  private static Optional<String> queryParameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return Optional.empty();
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
      }
    }
    return Optional.empty();
  }

  private static String oneLine(String text) {
    return text.replaceAll("[\\r\\n]+", " ");
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
