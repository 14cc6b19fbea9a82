package io.fairlead.examples.envoy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fairlead.k8s.util.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP/1.1 backends standing in for pods: one per loopback address, all on the same port (as the
 * pods of a Service share a targetPort). Each answers with its own address in the body and in
 * {@code x-backend}. A backend can be held: its requests then wait until released, so they stay
 * active, as on a slow pod.
 */
final class HttpBackends implements AutoCloseable {

  static final String BACKEND_HEADER = "x-backend";

  private final Map<String, HttpServer> servers = new TreeMap<>();
  private final Map<String, AtomicInteger> arrivals = new TreeMap<>();
  private final Map<String, CountDownLatch> holds = new TreeMap<>();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(DaemonThreads.named("http-backend"));
  private final int port;

  private HttpBackends(int port) {
    this.port = port;
  }

  /** Starts one backend per address, on one port free on all of them. */
  static HttpBackends start(List<String> addresses) throws IOException {
    for (int attempt = 0; ; attempt++) {
      HttpBackends b = null;
      try {
        HttpServer first = HttpServer.create(new InetSocketAddress(addresses.get(0), 0), 64);
        b = new HttpBackends(first.getAddress().getPort());
        b.serve(addresses.get(0), first);
        for (String address : addresses.subList(1, addresses.size())) {
          b.serve(address, HttpServer.create(new InetSocketAddress(address, b.port), 64));
        }
        return b;
      } catch (BindException e) {
        if (b != null) {
          b.close();
        }
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Adds a backend on the same port (a scale-up). */
  void add(String address) throws IOException {
    serve(address, HttpServer.create(new InetSocketAddress(address, port), 64));
  }

  private synchronized void serve(String address, HttpServer server) {
    arrivals.put(address, new AtomicInteger());
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(address, exchange));
    server.start();
    servers.put(address, server);
  }

  private void handle(String address, HttpExchange exchange) throws IOException {
    try (exchange) {
      arrivals.get(address).incrementAndGet();
      CountDownLatch hold;
      synchronized (this) {
        hold = holds.get(address);
      }
      if (hold != null) {
        try {
          hold.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = address.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set(BACKEND_HEADER, address);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  int port() {
    return port;
  }

  List<String> addresses() {
    synchronized (this) {
      return new ArrayList<>(servers.keySet());
    }
  }

  /** Requests that reached this backend so far, held ones included. */
  int arrivals(String address) {
    return arrivals.get(address).get();
  }

  synchronized void hold(String address) {
    holds.put(address, new CountDownLatch(1));
  }

  synchronized void release(String address) {
    CountDownLatch latch = holds.remove(address);
    if (latch != null) {
      latch.countDown();
    }
  }

  @Override
  public synchronized void close() {
    holds.values().forEach(CountDownLatch::countDown);
    holds.clear();
    servers.values().forEach(s -> s.stop(0));
    servers.clear();
    executor.shutdownNow();
  }
}
