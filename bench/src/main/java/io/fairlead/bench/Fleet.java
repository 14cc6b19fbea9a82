package io.fairlead.bench;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.fairlead.bootstrap.NodeMetadataKeys;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The simulated proxies: a process of its own (spawned by {@link FleetClient} from the same
 * classpath), so their CPU and heap are not the control plane's. Two kinds of proxy, each on its
 * own connection:
 *
 * <ul>
 *   <li>Envoy-like: one delta ADS stream, wildcard CDS and LDS, subscribing to EDS for every
 *       cluster and to RDS for every route its listeners name (and unsubscribing EDS of removed
 *       clusters), ACKing each response after its follow-up subscriptions, as Envoy does;
 *   <li>proxyless gRPC-like: one state-of-the-world ADS stream, LDS for a few targets, then CDS for
 *       the clusters their routes name and EDS for those clusters, ACKing with the version.
 * </ul>
 *
 * A stream that ends with an error is dropped and opened again after a jittered backoff (500 ms,
 * doubling, at most 8 s). Commands come on stdin, one a line; replies go to stdout, starting with
 * {@code @}:
 *
 * <pre>
 * targets NAME,NAME,...             listener names proxyless clients dial         -> @targets N
 * callable NAME,NAME,...           cluster names on-demand proxies call           -> @callable N
 * connect PORT DELTA SOTW SPREAD_MS more proxies, spread over SPREAD_MS            -> @connecting TOTAL, then
 *         [track] [ondemand=K]      (track: each remembers the version of every    @synced TOTAL MS once all have full config
 *                                   resource it holds, for a later move; ondemand:
 *                                   the delta ones are on-demand sidecars that ask
 *                                   for K callable clusters by name, no CDS wildcard)
 * expect K CLUSTER                  change K: report when every proxy that holds
 *                                   CLUSTER has ACKed its marker endpoint          -> @expecting K N, then @acked K
 * stats                                                                            -> @stats key=value ...
 * move N FROM TO                    N tracked proxies on port FROM move to port TO  -> @moved key=value ...
 *                                   (see {@link #move})
 * reset                             close every proxy                             -> @reset
 * </pre>
 */
public final class Fleet {

  static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String LDS = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  private static final int TARGETS_PER_CLIENT = 3;

  /** The node metadata key that makes a sidecar on-demand ({@code NodeMetadataKeys}). */
  private static final String ON_DEMAND_KEY = "fairlead.io/on-demand";

  /**
   * {@code BENCH_DEBUG=1}: each proxy says when it has its full config, each response is logged.
   */
  private static final boolean DEBUG = System.getenv("BENCH_DEBUG") != null;

  private volatile PrintStream out;
  private final EventLoopGroup loop = new NioEventLoopGroup(2);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fleet-timer");
            t.setDaemon(true);
            return t;
          });
  private final List<Proxy> proxies = new CopyOnWriteArrayList<>();

  /** The cluster names on-demand proxies pick the ones they call from. */
  private volatile List<String> callable = List.of();

  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong responses = new AtomicLong();
  private final AtomicInteger dropped = new AtomicInteger();

  /** Why streams ended with an error: each kind is printed the first time it is seen. */
  private final Set<String> dropReasons = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private void dropReason(Throwable t) {
    io.grpc.Status status = io.grpc.Status.fromThrowable(t);
    String reason = status.getCode() + ": " + String.valueOf(status.getDescription());
    if (dropReasons.add(reason) && dropReasons.size() <= 20) {
      System.err.println("fleet: a stream ended with " + reason + " (first of its kind)");
    }
  }

  private final AtomicInteger complete = new AtomicInteger();
  private final Map<String, List<Expectation>> expectations = new ConcurrentHashMap<>();

  /** Parsed resources by type, name and version: each distinct resource is parsed once. */
  private final Map<String, Object> parsed = new ConcurrentHashMap<>();

  private volatile List<String> targets = List.of();
  private volatile int wanted;
  private volatile long connectStart;
  private volatile boolean closing;
  private volatile String syncedReported = "";

  Fleet(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    Logger grpc = Logger.getLogger("io.grpc");
    grpc.setLevel(Level.SEVERE);
    PrintStream stdout =
        new PrintStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    Fleet fleet = new Fleet(stdout);
    if (args.length > 0 && args[0].equals("--listen")) {
      // Serves one benchmark worker after another on a loopback port, so they share one warm fleet;
      // exits when its own stdin (the parent) closes.
      try (java.net.ServerSocket server =
          new java.net.ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
        Thread parent =
            new Thread(
                () -> {
                  try {
                    while (System.in.read() != -1) {
                      // nothing to read: waiting for the end
                    }
                  } catch (java.io.IOException e) {
                    // the parent is gone
                  }
                  System.exit(0);
                },
                "fleet-parent");
        parent.setDaemon(true);
        parent.start();
        stdout.println("@port " + server.getLocalPort());
        while (true) {
          try (java.net.Socket session = server.accept()) {
            fleet.out = new PrintStream(session.getOutputStream(), true, StandardCharsets.UTF_8);
            fleet.serve(
                new BufferedReader(
                    new InputStreamReader(session.getInputStream(), StandardCharsets.UTF_8)));
          } catch (java.io.IOException e) {
            System.err.println("fleet session ended: " + e.getMessage());
          }
          fleet.reset();
        }
      }
    }
    fleet.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    fleet.reset();
    grpc.fine("done"); // keeps the logger (and its level) reachable until here
    System.exit(0);
  }

  private void serve(BufferedReader in) throws java.io.IOException {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      try {
        command(line.trim().split(" "));
      } catch (RuntimeException e) {
        reply("@error " + e);
      }
    }
  }

  synchronized void reply(String line) {
    out.println(line);
    out.flush();
  }

  void command(String[] c) {
    switch (c[0]) {
      case "targets" -> {
        targets = c.length > 1 ? List.of(c[1].split(",")) : List.of();
        reply("@targets " + targets.size());
      }
      case "callable" -> {
        callable = c.length > 1 ? List.of(c[1].split(",")) : List.of();
        reply("@callable " + callable.size());
      }
      case "connect" -> {
        boolean track = false;
        int onDemand = 0;
        for (int i = 5; i < c.length; i++) {
          if (c[i].equals("track")) {
            track = true;
          } else if (c[i].startsWith("ondemand=")) {
            onDemand = Integer.parseInt(c[i].substring("ondemand=".length()));
          }
        }
        connect(
            Integer.parseInt(c[1]),
            Integer.parseInt(c[2]),
            Integer.parseInt(c[3]),
            Long.parseLong(c[4]),
            track,
            onDemand);
      }
      case "move" -> {
        int n = Integer.parseInt(c[1]);
        int from = Integer.parseInt(c[2]);
        int to = Integer.parseInt(c[3]);
        // it waits for the moved proxies to settle: off the command thread
        Thread t = new Thread(() -> reply(move(n, from, to)), "fleet-move");
        t.setDaemon(true);
        t.start();
      }
      case "expect" -> expect(Integer.parseInt(c[1]), c[2]);
      case "stats" -> {
        int open = (int) proxies.stream().filter(p -> p.open).count();
        reply(
            "@stats bytes="
                + bytes.get()
                + " responses="
                + responses.get()
                + " dropped="
                + dropped.get()
                + " open="
                + open
                + " complete="
                + complete.get()
                + " total="
                + proxies.size()
                + " clusters="
                + proxies.stream().mapToLong(Proxy::clustersHeld).sum()
                + " heap_mib="
                + ((Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20));
      }
      case "reset" -> {
        reset();
        reply("@reset");
      }
      default -> reply("@error unknown command " + c[0]);
    }
  }

  private ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .eventLoopGroup(loop)
        .channelType(NioSocketChannel.class)
        .directExecutor()
        .maxInboundMessageSize(512 * 1024 * 1024)
        .build();
  }

  private void connect(
      int port, int delta, int sotw, long spreadMillis, boolean track, int onDemand) {
    int first = proxies.size();
    int n = delta + sotw;
    wanted = first + n;
    connectStart = System.nanoTime();
    closing = false;
    List<Proxy> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int id = first + i;
      // SotW clients spread evenly through the delta ones
      boolean proxyless = sotw > 0 && (long) i * sotw / n != (long) (i + 1) * sotw / n;
      String zone = World.ZONES.get(id % World.ZONES.size());
      Proxy p = proxy(proxyless, id, zone, port);
      p.track = track;
      p.onDemand = proxyless ? 0 : onDemand;
      batch.add(p);
    }
    proxies.addAll(batch);
    reply("@connecting " + wanted);
    for (int i = 0; i < batch.size(); i++) {
      Proxy p = batch.get(i);
      long at = n <= 1 ? 0 : spreadMillis * 1_000_000L * i / (n - 1);
      timer.schedule(p::open, at, TimeUnit.NANOSECONDS);
    }
    checkSynced();
  }

  private void checkSynced() {
    int w = wanted;
    String key = w + "@" + connectStart;
    if (complete.get() >= w && !key.equals(syncedReported)) {
      synchronized (this) {
        if (!key.equals(syncedReported)) {
          syncedReported = key;
          reply("@synced " + w + " " + (System.nanoTime() - connectStart) / 1_000_000);
        }
      }
    }
  }

  private void reset() {
    closing = true;
    for (Proxy p : proxies) {
      p.channel.shutdownNow();
    }
    for (Proxy p : proxies) {
      try {
        p.channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    proxies.clear();
    expectations.clear();
    parsed.clear();
    complete.set(0);
    dropped.set(0);
    bytes.set(0);
    responses.set(0);
    wanted = 0;
  }

  /**
   * Moves n tracked proxies that have their full config from the replica on port from to the one on
   * port to, as proxies fail over: each closes its connection and opens a stream to the other
   * replica, Envoy-like ones with {@code initial_resource_versions} (every resource they hold, at
   * its version) and their EDS and RDS subscriptions, proxyless ones with a request per type
   * carrying the version_info they hold. Proxyless ones move in their share of the replica's
   * proxies, at least one when there are any. Once the moved streams have been quiet for a second
   * (at least 2 s after the move, at most 30 s), one probe stream per moved proxy (the same node,
   * holding nothing) fetches everything the new replica serves it, to compare with what the proxy
   * held. The reply counts:
   *
   * <ul>
   *   <li>{@code held}: resources the moved Envoy-like proxies held; {@code resent}: how many of
   *       them the new replica sent again at the version the proxy held (nothing to send, had it
   *       read {@code initial_resource_versions}); {@code differing}: sent at another version;
   *   <li>{@code sotw_resent}: resources in responses to moved proxyless streams whose version_info
   *       is the one held; {@code sotw_differing}: responses with another version_info;
   *   <li>{@code mismatches}: per Envoy-like proxy, names whose version differs between what it
   *       held and what the probe got (a name on one side only counts too), plus, per proxyless
   *       proxy, types whose version_info differs; {@code incomplete}: probes without their full
   *       config after 30 s.
   * </ul>
   */
  private String move(int n, int from, int to) {
    try {
      List<Proxy> delta = new ArrayList<>();
      List<Proxy> sotw = new ArrayList<>();
      for (Proxy p : proxies) {
        if (p.port == from && p.track && p.open && p.everComplete) {
          (p instanceof SotwProxy ? sotw : delta).add(p);
        }
      }
      int all = delta.size() + sotw.size();
      int s = all == 0 ? 0 : (int) Math.round((double) n * sotw.size() / all);
      s = Math.min(sotw.size(), Math.max(s, sotw.isEmpty() || n < 2 ? 0 : 1));
      int d = Math.min(delta.size(), n - s);
      List<Proxy> movers = new ArrayList<>(delta.subList(0, d));
      movers.addAll(sotw.subList(0, s));
      moveResent.set(0);
      moveDiffering.set(0);
      moveSotwResent.set(0);
      moveSotwDiffering.set(0);
      long t0 = System.nanoTime();
      lastMoveResponse = t0;
      for (Proxy p : movers) {
        p.moveTo(to);
      }
      while (true) {
        Thread.sleep(50);
        long now = System.nanoTime();
        if (now - t0 > 30_000_000_000L
            || (now - t0 >= 2_000_000_000L && now - lastMoveResponse >= 1_000_000_000L)) {
          break;
        }
      }
      CountDownLatch probed = new CountDownLatch(movers.size());
      List<Proxy> probes = new ArrayList<>();
      for (Proxy p : movers) {
        Proxy probe = proxy(p instanceof SotwProxy, p.id, p.zone, to);
        probe.probe = probed;
        probes.add(probe);
        probe.open();
      }
      boolean complete = probed.await(30, TimeUnit.SECONDS);
      int held = 0;
      int mismatches = 0;
      for (int i = 0; i < movers.size(); i++) {
        Held before = movers.get(i).moved;
        Held served = probes.get(i).held();
        held += before.resources();
        mismatches +=
            before.delta() != null
                ? differences(before.delta(), served.delta())
                : differences(Map.of("", before.sotw()), Map.of("", served.sotw()));
      }
      for (Proxy probe : probes) {
        probe.channel.shutdownNow();
      }
      return String.format(
          "@moved moved=%d delta=%d sotw=%d held=%d resent=%d differing=%d sotw_resent=%d"
              + " sotw_differing=%d mismatches=%d incomplete=%d",
          movers.size(),
          d,
          s,
          held,
          moveResent.get(),
          moveDiffering.get(),
          moveSotwResent.get(),
          moveSotwDiffering.get(),
          mismatches,
          complete ? 0 : probed.getCount());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "@moved error=interrupted";
    }
  }

  /** Names (by type) whose value differs between a and b, a name on one side only included. */
  static int differences(Map<String, Map<String, String>> a, Map<String, Map<String, String>> b) {
    Set<String> types = new HashSet<>(a.keySet());
    types.addAll(b.keySet());
    int n = 0;
    for (String type : types) {
      Map<String, String> x = a.getOrDefault(type, Map.of());
      Map<String, String> y = b.getOrDefault(type, Map.of());
      Set<String> names = new HashSet<>(x.keySet());
      names.addAll(y.keySet());
      for (String name : names) {
        if (!java.util.Objects.equals(x.get(name), y.get(name))) {
          n++;
        }
      }
    }
    return n;
  }

  /** Change k rewrote CLUSTER's endpoints; every proxy that holds CLUSTER must ACK the marker. */
  private void expect(int k, String cluster) {
    Expectation e = new Expectation(k);
    List<Expectation> list =
        expectations.computeIfAbsent(cluster, c -> new CopyOnWriteArrayList<>());
    list.add(e);
    for (Proxy p : proxies) {
      synchronized (p) {
        if (p.open && p.holds(cluster) && p.ackedMarker(cluster) < k) {
          e.waiting.add(p.id);
        }
      }
    }
    // proxies that ACKed it before we heard of it count as done
    for (Proxy p : proxies) {
      synchronized (p) {
        if (p.ackedMarker(cluster) >= k) {
          e.waiting.remove(p.id);
        }
      }
    }
    reply("@expecting " + k + " " + e.waiting.size());
    e.armed = true;
    e.maybeDone(list);
  }

  private final class Expectation {
    final int k;
    final Set<Integer> waiting = ConcurrentHashMap.newKeySet();
    volatile boolean armed;
    private boolean reported;

    Expectation(int k) {
      this.k = k;
    }

    void acked(int proxy, List<Expectation> list) {
      if (waiting.remove(proxy)) {
        maybeDone(list);
      }
    }

    void maybeDone(List<Expectation> list) {
      if (armed && waiting.isEmpty()) {
        synchronized (this) {
          if (reported) {
            return;
          }
          reported = true;
        }
        list.remove(this);
        reply("@acked " + k);
      }
    }
  }

  /** A proxy ACKed an EDS resource: which changes does that complete? */
  private void ackedEndpoints(Proxy p, String cluster, int marker) {
    if (marker < 0) {
      return;
    }
    List<Expectation> list = expectations.get(cluster);
    if (list == null) {
      return;
    }
    for (Expectation e : list) {
      if (marker >= e.k) {
        e.acked(p.id, list);
      }
    }
  }

  private Proxy proxy(boolean proxyless, int id, String zone, int port) {
    ManagedChannel channel = channel(port);
    Proxy p = proxyless ? new SotwProxy(id, zone, channel) : new DeltaProxy(id, zone, channel);
    p.port = port;
    return p;
  }

  /**
   * What a proxy held when it moved: Envoy-like, each resource's version by type and name;
   * proxyless, each type's version_info. Null for the other kind.
   */
  private record Held(Map<String, Map<String, String>> delta, Map<String, String> sotw) {

    int resources() {
      return delta == null ? 0 : delta.values().stream().mapToInt(Map::size).sum();
    }
  }

  // what the moved streams received, counted against what their proxy held (see move)
  private final AtomicInteger moveResent = new AtomicInteger();
  private final AtomicInteger moveDiffering = new AtomicInteger();
  private final AtomicInteger moveSotwResent = new AtomicInteger();
  private final AtomicInteger moveSotwDiffering = new AtomicInteger();
  private volatile long lastMoveResponse;

  private abstract class Proxy {
    final int id;
    final String zone;
    volatile ManagedChannel channel;
    volatile int port;
    volatile boolean open;
    long openedAt;
    boolean everComplete;
    int attempts;

    /** Whether it remembers every resource's version (Envoy-like), for a move. */
    boolean track;

    /**
     * An on-demand sidecar (Envoy-like only): how many of the callable clusters it asks for by
     * name, as the {@code on_demand} filter does on the first call to each; 0 for a CDS wildcard.
     */
    int onDemand;

    /** Clusters it holds now. */
    long clustersHeld() {
      return 0;
    }

    /**
     * Set on a probe: a stream the move check opens to read what a replica serves; it counts in no
     * figure and is told when it has its full config.
     */
    CountDownLatch probe;

    /** Set while its old connection closes, so that closing is not a failure to recover from. */
    volatile boolean moving;

    /** What it held when it moved; null until it moves. */
    Held moved;

    /** The highest change marker ACKed per cluster. */
    final Map<String, Integer> markers = new HashMap<>();

    Proxy(int id, String zone, ManagedChannel channel) {
      this.id = id;
      this.zone = zone;
      this.channel = channel;
    }

    abstract void open();

    /** Opens a stream on the current channel telling the server what it holds (see move). */
    abstract void reopen();

    /** What it holds now. */
    abstract Held held();

    /** Closes its connection and opens one to the replica on port to, keeping what it holds. */
    void moveTo(int to) throws InterruptedException {
      ManagedChannel old;
      synchronized (this) {
        moving = true;
        moved = held();
        old = channel;
      }
      old.shutdownNow();
      old.awaitTermination(5, TimeUnit.SECONDS);
      synchronized (this) {
        channel = channel(to);
        port = to;
        moving = false;
        reopen();
      }
    }

    abstract boolean holds(String edsName);

    int ackedMarker(String cluster) {
      return markers.getOrDefault(cluster, -1);
    }

    void completed() {
      if (probe != null) {
        if (!everComplete) {
          everComplete = true;
          probe.countDown();
        }
        return;
      }
      attempts = 0;
      if (DEBUG && !everComplete) {
        System.err.printf(
            "proxy %d (%s) complete %d ms after its stream opened%n",
            id, getClass().getSimpleName(), (System.nanoTime() - openedAt) / 1_000_000);
      }
      if (!everComplete) {
        everComplete = true;
        complete.incrementAndGet();
        checkSynced();
      }
    }

    void failed() {
      failed(null);
    }

    /** The stream ended ({@code error}: with an error, else completed by the server). */
    void failed(Throwable error) {
      open = false;
      if (closing || moving || probe != null) {
        return;
      }
      if (error != null) {
        dropReason(error);
      }
      dropped.incrementAndGet();
      long backoff = Math.min(8_000, 500L << Math.min(attempts++, 5));
      long jittered = (long) (backoff * (0.5 + ThreadLocalRandom.current().nextDouble()));
      timer.schedule(this::open, jittered, TimeUnit.MILLISECONDS);
    }

    void countResponse(int size) {
      if (probe != null) {
        return;
      }
      bytes.addAndGet(size);
      responses.incrementAndGet();
    }

    /** Records the markers of the EDS resources just ACKed, then tells the expectations. */
    void acked(List<String> endpoints, List<Integer> marks) {
      if (probe != null) {
        return;
      }
      for (int i = 0; i < endpoints.size(); i++) {
        String name = endpoints.get(i);
        int m = marks.get(i);
        if (m >= 0) {
          synchronized (this) {
            markers.merge(name, m, Math::max);
          }
          ackedEndpoints(this, name, m);
        }
      }
    }

    Node node(String userAgent, boolean sidecar) {
      Node.Builder node =
          Node.newBuilder()
              .setId("bench-" + id)
              .setCluster("bench")
              .setUserAgentName(userAgent)
              .setLocality(Locality.newBuilder().setZone(zone));
      if (sidecar) {
        // no namespace: node groups are zone x kind, 6 in all (a namespace would split them
        // further)
        Struct.Builder metadata =
            Struct.newBuilder()
                .putFields(
                    NodeMetadataKeys.ROLE, Value.newBuilder().setStringValue("sidecar").build());
        if (onDemand > 0) {
          metadata.putFields(ON_DEMAND_KEY, Value.newBuilder().setStringValue("true").build());
        }
        node.setMetadata(metadata);
      }
      return node.build();
    }

    /** The callable clusters this proxy calls: {@link #onDemand} of them, chosen by its id. */
    List<String> calls() {
      List<String> all = callable;
      if (all.isEmpty()) {
        return List.of();
      }
      Set<String> picked = new java.util.TreeSet<>();
      for (int j = 0; picked.size() < Math.min(onDemand, all.size()); j++) {
        picked.add(all.get((int) (((long) id * 7919 + (long) j * 104729) % all.size())));
      }
      return List.copyOf(picked);
    }
  }

  /** An Envoy: delta ADS, wildcard CDS and LDS, EDS and RDS for what it receives. */
  private final class DeltaProxy extends Proxy implements StreamObserver<DeltaDiscoveryResponse> {
    private StreamObserver<DeltaDiscoveryRequest> stream;
    private final Set<String> eds = new HashSet<>();
    private final Set<String> rds = new HashSet<>();
    private final Set<String> pendingEds = new HashSet<>();
    private final Set<String> pendingRds = new HashSet<>();
    private final Set<String> clusters = new HashSet<>();
    private boolean cds;
    private boolean lds;

    /** Each resource's version by type and name, when tracked. */
    private final Map<String, Map<String, String>> versions = new HashMap<>();

    DeltaProxy(int id, String zone, ManagedChannel channel) {
      super(id, zone, channel);
    }

    @Override
    synchronized Held held() {
      Map<String, Map<String, String>> copy = new HashMap<>();
      versions.forEach((type, byName) -> copy.put(type, Map.copyOf(byName)));
      return new Held(copy, null);
    }

    /**
     * As Envoy's delta subscription state starts a new stream: every type's first request carries
     * the resources it holds in {@code initial_resource_versions}, and EDS and RDS subscribe again
     * to the names they had.
     */
    @Override
    synchronized void reopen() {
      pendingEds.clear();
      pendingRds.clear();
      open = true;
      openedAt = System.nanoTime();
      stream = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(this);
      stream.onNext(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(node("envoy", true))
              .setTypeUrl(CDS)
              .putAllInitialResourceVersions(versions.getOrDefault(CDS, Map.of()))
              .build());
      stream.onNext(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(LDS)
              .putAllInitialResourceVersions(versions.getOrDefault(LDS, Map.of()))
              .build());
      resubscribe(EDS, eds);
      resubscribe(RDS, rds);
    }

    /** A named type's first request on a new stream: its names again, with what it holds. */
    private void resubscribe(String type, Set<String> names) {
      if (!names.isEmpty()) {
        stream.onNext(
            DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(type)
                .addAllResourceNamesSubscribe(new TreeSet<>(names))
                .putAllInitialResourceVersions(versions.getOrDefault(type, Map.of()))
                .build());
      }
    }

    @Override
    synchronized void open() {
      if (closing) {
        return;
      }
      eds.clear();
      rds.clear();
      pendingEds.clear();
      pendingRds.clear();
      cds = false;
      lds = false;
      versions.clear();
      clusters.clear();
      open = true;
      openedAt = System.nanoTime();
      stream = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(this);
      if (onDemand > 0) {
        // an on-demand sidecar's bootstrap has no cds_config: listeners by wildcard, then each
        // cluster by name the first time the app calls it (here: at once, all it will call)
        stream.onNext(
            DeltaDiscoveryRequest.newBuilder()
                .setNode(node("envoy", true))
                .setTypeUrl(LDS)
                .build());
        stream.onNext(
            DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(CDS)
                .addAllResourceNamesSubscribe(calls())
                .build());
        return;
      }
      stream.onNext(
          DeltaDiscoveryRequest.newBuilder().setNode(node("envoy", true)).setTypeUrl(CDS).build());
      stream.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(LDS).build());
    }

    @Override
    synchronized long clustersHeld() {
      return clusters.size();
    }

    @Override
    synchronized boolean holds(String edsName) {
      return eds.contains(edsName);
    }

    /** Records the versions a response carries; after a move, counts what was sent again. */
    private void remember(DeltaDiscoveryResponse r) {
      Map<String, String> mine = versions.computeIfAbsent(r.getTypeUrl(), t -> new HashMap<>());
      Map<String, String> held = moved == null ? null : moved.delta().get(r.getTypeUrl());
      for (Resource res : r.getResourcesList()) {
        mine.put(res.getName(), res.getVersion());
        String before = held == null ? null : held.get(res.getName());
        if (before != null) {
          (before.equals(res.getVersion()) ? moveResent : moveDiffering).incrementAndGet();
        }
      }
      r.getRemovedResourcesList().forEach(mine::remove);
      if (moved != null) {
        lastMoveResponse = System.nanoTime();
      }
    }

    @Override
    public void onNext(DeltaDiscoveryResponse r) {
      countResponse(r.getSerializedSize());
      if (DEBUG) {
        System.err.printf(
            "proxy %d delta %s +%d -%d at %d ms%n",
            id,
            r.getTypeUrl().substring(r.getTypeUrl().lastIndexOf('.') + 1),
            r.getResourcesCount(),
            r.getRemovedResourcesCount(),
            (System.nanoTime() - openedAt) / 1_000_000);
      }
      List<String> acked = new ArrayList<>();
      List<Integer> marks = new ArrayList<>();
      synchronized (this) {
        if (track || probe != null) {
          remember(r);
        }
        switch (r.getTypeUrl()) {
          case CDS -> {
            List<String> subscribe = new ArrayList<>();
            List<String> unsubscribe = new ArrayList<>();
            for (Resource res : r.getResourcesList()) {
              clusters.add(res.getName());
              String name = edsName(res.getName(), res.getVersion(), res.getResource());
              if (name != null && eds.add(name)) {
                subscribe.add(name);
                pendingEds.add(name);
              }
            }
            for (String removed : r.getRemovedResourcesList()) {
              clusters.remove(removed);
              if (eds.remove(removed)) {
                unsubscribe.add(removed);
                pendingEds.remove(removed);
              }
            }
            if (!subscribe.isEmpty() || !unsubscribe.isEmpty()) {
              stream.onNext(
                  DeltaDiscoveryRequest.newBuilder()
                      .setTypeUrl(EDS)
                      .addAllResourceNamesSubscribe(subscribe)
                      .addAllResourceNamesUnsubscribe(unsubscribe)
                      .build());
            }
            cds = true;
          }
          case LDS -> {
            List<String> subscribe = new ArrayList<>();
            for (Resource res : r.getResourcesList()) {
              for (String route : routeNames(res.getName(), res.getVersion(), res.getResource())) {
                if (rds.add(route)) {
                  subscribe.add(route);
                  pendingRds.add(route);
                }
              }
            }
            if (!subscribe.isEmpty()) {
              stream.onNext(
                  DeltaDiscoveryRequest.newBuilder()
                      .setTypeUrl(RDS)
                      .addAllResourceNamesSubscribe(subscribe)
                      .build());
            }
            lds = true;
          }
          case EDS -> {
            for (Resource res : r.getResourcesList()) {
              pendingEds.remove(res.getName());
              int m = marker(res.getName(), res.getVersion(), res.getResource());
              if (m >= 0) {
                acked.add(res.getName());
                marks.add(m);
              }
            }
          }
          case RDS -> r.getResourcesList().forEach(res -> pendingRds.remove(res.getName()));
          default -> {}
        }
        stream.onNext(
            DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(r.getTypeUrl())
                .setResponseNonce(r.getNonce())
                .build());
        if (cds && lds && pendingEds.isEmpty() && pendingRds.isEmpty()) {
          completed();
        }
      }
      acked(acked, marks);
    }

    @Override
    public void onError(Throwable t) {
      failed(t);
    }

    @Override
    public void onCompleted() {
      failed();
    }
  }

  /** A proxyless gRPC client: SotW ADS, LDS for its targets, then CDS and EDS by name. */
  private final class SotwProxy extends Proxy implements StreamObserver<DiscoveryResponse> {
    private StreamObserver<DiscoveryRequest> stream;
    private final Map<String, String> versions = new HashMap<>();
    private final Map<String, String> nonces = new HashMap<>();
    private Set<String> clusters = new TreeSet<>();
    private Set<String> eds = new TreeSet<>();
    private Set<String> pendingClusters = new HashSet<>();
    private Set<String> pendingEds = new HashSet<>();
    private boolean lds;
    private List<String> myTargets = List.of();

    SotwProxy(int id, String zone, ManagedChannel channel) {
      super(id, zone, channel);
    }

    @Override
    synchronized Held held() {
      return new Held(null, Map.copyOf(versions));
    }

    /**
     * As a gRPC xDS client starts a new stream: a request per type it watches, each with the
     * version_info it holds and no nonce.
     */
    @Override
    synchronized void reopen() {
      nonces.clear();
      pendingClusters = new HashSet<>();
      pendingEds = new HashSet<>();
      open = true;
      openedAt = System.nanoTime();
      stream = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(this);
      stream.onNext(
          DiscoveryRequest.newBuilder()
              .setNode(node("gRPC Java", false))
              .setTypeUrl(LDS)
              .setVersionInfo(versions.getOrDefault(LDS, ""))
              .addAllResourceNames(myTargets)
              .build());
      if (!clusters.isEmpty()) {
        request(CDS, clusters);
      }
      if (!eds.isEmpty()) {
        request(EDS, eds);
      }
    }

    @Override
    synchronized void open() {
      if (closing) {
        return;
      }
      List<String> pool = targets;
      List<String> mine = new ArrayList<>();
      for (int i = 0; i < Math.min(TARGETS_PER_CLIENT, pool.size()); i++) {
        mine.add(pool.get((id * 7 + i) % pool.size()));
      }
      myTargets = List.copyOf(new TreeSet<>(mine));
      versions.clear();
      nonces.clear();
      clusters = new TreeSet<>();
      eds = new TreeSet<>();
      pendingClusters = new HashSet<>();
      pendingEds = new HashSet<>();
      lds = false;
      open = true;
      openedAt = System.nanoTime();
      stream = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(this);
      stream.onNext(
          DiscoveryRequest.newBuilder()
              .setNode(node("gRPC Java", false))
              .setTypeUrl(LDS)
              .addAllResourceNames(myTargets)
              .build());
    }

    @Override
    synchronized boolean holds(String edsName) {
      return eds.contains(edsName);
    }

    private void request(String type, Set<String> names) {
      stream.onNext(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(type)
              .setVersionInfo(versions.getOrDefault(type, ""))
              .setResponseNonce(nonces.getOrDefault(type, ""))
              .addAllResourceNames(names)
              .build());
    }

    @Override
    public void onNext(DiscoveryResponse r) {
      countResponse(r.getSerializedSize());
      if (DEBUG) {
        System.err.printf(
            "proxy %d sotw %s %d at %d ms%n",
            id,
            r.getTypeUrl().substring(r.getTypeUrl().lastIndexOf('.') + 1),
            r.getResourcesCount(),
            (System.nanoTime() - openedAt) / 1_000_000);
      }
      List<String> acked = new ArrayList<>();
      List<Integer> marks = new ArrayList<>();
      synchronized (this) {
        String type = r.getTypeUrl();
        if (moved != null) {
          String held = moved.sotw().get(type);
          if (held != null && held.equals(r.getVersionInfo())) {
            moveSotwResent.addAndGet(r.getResourcesCount());
          } else if (held != null) {
            moveSotwDiffering.incrementAndGet();
          }
          lastMoveResponse = System.nanoTime();
        }
        versions.put(type, r.getVersionInfo());
        nonces.put(type, r.getNonce());
        switch (type) {
          case LDS -> {
            Set<String> want = new TreeSet<>();
            for (Any any : r.getResourcesList()) {
              want.addAll(apiListenerClusters(any));
            }
            request(LDS, new TreeSet<>(myTargets)); // ACK
            lds = true;
            if (!want.equals(clusters)) {
              clusters = want;
              pendingClusters = new HashSet<>(want);
              request(CDS, clusters);
            }
          }
          case CDS -> {
            Set<String> want = new TreeSet<>();
            for (Any any : r.getResourcesList()) {
              Cluster c = parse(any, Cluster.parser());
              pendingClusters.remove(c.getName());
              String name = edsName(c);
              if (name != null) {
                want.add(name);
              }
            }
            request(CDS, clusters); // ACK
            if (!want.equals(eds)) {
              eds = want;
              pendingEds = new HashSet<>(want);
              request(EDS, eds);
            }
          }
          case EDS -> {
            for (Any any : r.getResourcesList()) {
              ClusterLoadAssignment cla = parse(any, ClusterLoadAssignment.parser());
              pendingEds.remove(cla.getClusterName());
              acked.add(cla.getClusterName());
              marks.add(marker(cla));
            }
            request(EDS, eds); // ACK
          }
          default -> request(type, Set.of());
        }
        if (lds && pendingClusters.isEmpty() && pendingEds.isEmpty()) {
          completed();
        }
      }
      acked(acked, marks);
    }

    @Override
    public void onError(Throwable t) {
      failed(t);
    }

    @Override
    public void onCompleted() {
      failed();
    }
  }

  // ---- reading resources ----

  private String edsName(String name, String version, Any any) {
    Object cached =
        parsed.computeIfAbsent(
            "C|" + name + "|" + version,
            k -> {
              String eds = edsName(parse(any, Cluster.parser()));
              return eds == null ? "" : eds;
            });
    String eds = (String) cached;
    return eds.isEmpty() ? null : eds;
  }

  private static String edsName(Cluster c) {
    if (c.getType() != Cluster.DiscoveryType.EDS && !c.hasEdsClusterConfig()) {
      return null;
    }
    String service = c.getEdsClusterConfig().getServiceName();
    return service.isEmpty() ? c.getName() : service;
  }

  @SuppressWarnings("unchecked")
  private List<String> routeNames(String name, String version, Any any) {
    return (List<String>)
        parsed.computeIfAbsent(
            "L|" + name + "|" + version,
            k -> {
              Listener l = parse(any, Listener.parser());
              List<String> routes = new ArrayList<>();
              List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
              if (l.hasDefaultFilterChain()) {
                chains.add(l.getDefaultFilterChain());
              }
              for (FilterChain chain : chains) {
                for (Filter f : chain.getFiltersList()) {
                  if (f.hasTypedConfig() && f.getTypedConfig().is(HttpConnectionManager.class)) {
                    HttpConnectionManager hcm =
                        unpack(f.getTypedConfig(), HttpConnectionManager.class);
                    if (hcm.hasRds()) {
                      routes.add(hcm.getRds().getRouteConfigName());
                    }
                  }
                }
              }
              return List.copyOf(routes);
            });
  }

  private static Set<String> apiListenerClusters(Any any) {
    Listener l = parse(any, Listener.parser());
    Set<String> clusters = new TreeSet<>();
    if (!l.hasApiListener()) {
      return clusters;
    }
    HttpConnectionManager hcm =
        unpack(l.getApiListener().getApiListener(), HttpConnectionManager.class);
    RouteConfiguration rc = hcm.getRouteConfig();
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (Route route : vh.getRoutesList()) {
        if (route.hasRoute()) {
          if (!route.getRoute().getCluster().isEmpty()) {
            clusters.add(route.getRoute().getCluster());
          }
          for (WeightedCluster.ClusterWeight w :
              route.getRoute().getWeightedClusters().getClustersList()) {
            clusters.add(w.getName());
          }
        }
      }
    }
    return clusters;
  }

  private int marker(String name, String version, Any any) {
    return (Integer)
        parsed.computeIfAbsent(
            "E|" + name + "|" + version, k -> marker(parse(any, ClusterLoadAssignment.parser())));
  }

  /** The highest change marker among a CLA's addresses, or -1. */
  static int marker(ClusterLoadAssignment cla) {
    int best = -1;
    for (LocalityLbEndpoints loc : cla.getEndpointsList()) {
      for (LbEndpoint e : loc.getLbEndpointsList()) {
        best =
            Math.max(
                best, World.markerOf(e.getEndpoint().getAddress().getSocketAddress().getAddress()));
      }
    }
    return best;
  }

  private static <T extends com.google.protobuf.Message> T parse(
      Any any, com.google.protobuf.Parser<T> parser) {
    try {
      return parser.parseFrom(any.getValue());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unparseable resource " + any.getTypeUrl(), e);
    }
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unparseable " + type.getSimpleName(), e);
    }
  }
}
