package io.fairlead.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Backends on several loopback addresses sharing one port, the way pods of a Service share a target
 * port: 127.0.0.0/8 is all loopback, so 127.0.0.11, .12 and .13 look like three pods.
 */
public final class Backends implements AutoCloseable {

  private static final int ATTEMPTS = 20;

  private final int port;
  private final Map<String, EchoBackend> byHost;

  private Backends(int port, Map<String, EchoBackend> byHost) {
    this.port = port;
    this.byHost = byHost;
  }

  /**
   * Starts one backend per host on one port.
   *
   * @param port the port, or 0 for a free port that every host can bind
   * @throws IOException when the port (or, with 0, any shared port) cannot be bound on every host
   */
  public static Backends start(List<String> hosts, int port) throws IOException {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("no hosts");
    }
    if (port != 0) {
      return startOn(hosts, port);
    }
    IOException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      // the first host picks a free port; the others may have it taken, then try again
      EchoBackend first = EchoBackend.start(hosts.get(0), 0);
      try {
        return startOn(hosts, first.port(), first);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IOException("no port free on every one of " + hosts + ": " + last.getMessage(), last);
  }

  private static Backends startOn(List<String> hosts, int port) throws IOException {
    return startOn(hosts, port, EchoBackend.start(hosts.get(0), port));
  }

  /**
   * Starts the remaining hosts next to an already started first one; on failure closes them all.
   */
  private static Backends startOn(List<String> hosts, int port, EchoBackend first)
      throws IOException {
    Map<String, EchoBackend> started = new TreeMap<>();
    started.put(first.name(), first);
    try {
      for (String host : hosts.subList(1, hosts.size())) {
        if (started.containsKey(host)) {
          throw new IllegalArgumentException("host listed twice: " + host);
        }
        started.put(host, EchoBackend.start(host, port));
      }
    } catch (IOException | RuntimeException e) {
      started.values().forEach(EchoBackend::close);
      throw e;
    }
    return new Backends(port, started);
  }

  public int port() {
    return port;
  }

  /** The backends, sorted by address. */
  public List<EchoBackend> all() {
    return new ArrayList<>(byHost.values());
  }

  /** The backend on that host. */
  public EchoBackend get(String host) {
    EchoBackend backend = byHost.get(host);
    if (backend == null) {
      throw new IllegalArgumentException("no backend on " + host);
    }
    return backend;
  }

  @Override
  public void close() {
    byHost.values().forEach(EchoBackend::close);
  }
}
