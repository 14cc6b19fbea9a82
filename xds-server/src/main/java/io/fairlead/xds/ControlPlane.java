package io.fairlead.xds;

import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer;
import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.xds.XdsResources;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The xDS side wired together: node groups, snapshot cache, publisher, debouncer, callbacks,
 * metrics, the gRPC server and the admin server. The caller owns the source of state: it calls
 * {@link #changed()} when the state changed (and once when the source has synced), and its
 * translate function reads the latest state.
 */
public final class ControlPlane implements AutoCloseable {

  /**
   * @param quietPeriod the longest gap between the end of one publish and the start of the next
   *     (the gap follows the cost of publishing, {@link DebounceSchedule})
   * @param maxDelay the longest a change waits for its publish during a steady stream of changes
   */
  public record Settings(
      InetSocketAddress xdsAddress,
      InetSocketAddress adminAddress,
      Duration quietPeriod,
      Duration maxDelay,
      XdsLimits.Settings limits,
      Optional<XdsTls> tls) {

    public Settings(
        InetSocketAddress xdsAddress,
        InetSocketAddress adminAddress,
        Duration quietPeriod,
        Duration maxDelay) {
      this(
          xdsAddress,
          adminAddress,
          quietPeriod,
          maxDelay,
          XdsLimits.Settings.DEFAULT,
          Optional.empty());
    }

    /** xDS and admin on free ports of 127.0.0.1: for the demo, tests and benchmarks. */
    public static Settings onLoopback(Duration quietPeriod, Duration maxDelay) {
      return new Settings(
          new InetSocketAddress("127.0.0.1", 0),
          new InetSocketAddress("127.0.0.1", 0),
          quietPeriod,
          maxDelay);
    }
  }

  private final XdsMetrics metrics;
  private final SnapshotPublisher publisher;
  private final XdsCallbacks callbacks;
  private final Debouncer debouncer;
  private final XdsServer xds;
  private final AdminServer admin;
  private final ChangeTimes changeTimes;
  private final ExecutorService newGroups;
  private final LivenessProbe liveness;
  private static final Duration LIVENESS_PERIOD = Duration.ofSeconds(10);
  private static final Duration LIVENESS_TIMEOUT = Duration.ofSeconds(5);

  private ControlPlane(
      XdsMetrics metrics,
      SnapshotPublisher publisher,
      XdsCallbacks callbacks,
      Debouncer debouncer,
      XdsServer xds,
      AdminServer admin,
      ChangeTimes changeTimes,
      ExecutorService newGroups,
      LivenessProbe liveness) {
    this.liveness = liveness;
    this.metrics = metrics;
    this.publisher = publisher;
    this.callbacks = callbacks;
    this.debouncer = debouncer;
    this.xds = xds;
    this.admin = admin;
    this.changeTimes = changeTimes;
    this.newGroups = newGroups;
  }

  /**
   * Starts serving. Proxies may connect at once; they get nothing until the first publish.
   *
   * @throws IOException when a port cannot be bound
   * @throws IllegalArgumentException when the quiet period is negative or exceeds the max delay
   */
  public static ControlPlane start(
      Settings settings, Function<ProxyContext, XdsResources> translate) throws IOException {
    return start(settings, translate, List::of);
  }

  /**
   * @param stateDiagnostics the diagnostics of the state itself, reported (on /debug/diagnostics,
   *     in metrics, as Events) whether or not a proxy is connected
   */
  public static ControlPlane start(
      Settings settings,
      Function<ProxyContext, XdsResources> translate,
      Supplier<List<Diagnostic>> stateDiagnostics)
      throws IOException {
    return startWithViews(settings, () -> translate, stateDiagnostics);
  }

  /**
   * @param views a view of the current state each time it is called: each publish translates all
   *     its groups from one view, so no publish mixes two states
   */
  public static ControlPlane startWithViews(
      Settings settings,
      Supplier<Function<ProxyContext, XdsResources>> views,
      Supplier<List<Diagnostic>> stateDiagnostics)
      throws IOException {
    return startWith(
        settings,
        () -> {
          Function<ProxyContext, XdsResources> view = views.get();
          return ctx -> io.fairlead.translators.GroupResources.of(view.apply(ctx));
        },
        stateDiagnostics);
  }

  /**
   * @param views a view of the current state each time it is called, giving each group's resources
   *     with what changed since its previous ones ({@code IncrementalTranslator#groupView}): each
   *     publish applies only the changes
   */
  public static ControlPlane startWithGroupViews(
      Settings settings,
      Supplier<Function<ProxyContext, io.fairlead.translators.GroupResources>> views,
      Supplier<List<Diagnostic>> stateDiagnostics)
      throws IOException {
    return startWith(settings, views, stateDiagnostics);
  }

  private static ControlPlane startWith(
      Settings settings,
      Supplier<Function<ProxyContext, io.fairlead.translators.GroupResources>> views,
      Supplier<List<Diagnostic>> stateDiagnostics)
      throws IOException {
    XdsMetrics metrics = new XdsMetrics();
    NodeGroups nodeGroups = new NodeGroups();
    GroupCache cache = new GroupCache(nodeGroups);
    ChangeTimes changeTimes = new ChangeTimes();
    SnapshotPublisher publisher =
        SnapshotPublisher.ofGroupViews(
            cache, views, stateDiagnostics, metrics, changeTimes, Clock.systemUTC());
    // A group's first translation can take a while at scale: keep it off the gRPC threads. Its
    // proxies' watches simply wait for the snapshot.
    java.util.concurrent.ScheduledExecutorService newGroups =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("fairlead-new-groups"));
    XdsCallbacks callbacks =
        new XdsCallbacks(
            group -> newGroups.execute(() -> publisher.groupSeen(group)),
            metrics,
            changeTimes,
            Clock.systemUTC());
    // on the same single thread as groupSeen, so a stream's leave never overtakes its arrival
    // (the same thread then forgets the group once it has been without proxies long enough)
    callbacks.onGroupLeft(
        group ->
            newGroups.execute(
                () -> {
                  publisher.groupLeft(group);
                  newGroups.schedule(
                      publisher::collect,
                      publisher.collectAfter().plusSeconds(1).toMillis(),
                      java.util.concurrent.TimeUnit.MILLISECONDS);
                }));
    metrics.watchGroups(publisher::groups);
    Debouncer debouncer =
        new Debouncer(settings.quietPeriod(), settings.maxDelay(), publisher::publish);
    V3DiscoveryServer discovery =
        new V3DiscoveryServer(
            List.of(callbacks),
            callbacks.watcher(cache),
            new DefaultExecutorGroup(),
            new CachedProtoResourcesSerializer());
    XdsServer xds = null;
    try {
      XdsLimits limits =
          new XdsLimits(
              settings.limits(), metrics, settings.tls().flatMap(XdsTls::clientCa).isPresent());
      xds =
          XdsServer.start(
              settings.xdsAddress(),
              discovery,
              new AdsService(
                  discovery.getAggregatedDiscoveryServiceImpl(),
                  cache.feeds(),
                  callbacks,
                  nodeGroups::hash,
                  limits),
              limits,
              settings.tls());
      AdminServer admin = AdminServer.start(settings.adminAddress(), publisher, callbacks, metrics);
      LivenessProbe liveness =
          new LivenessProbe(
              InProcessChannelBuilder.forName(xds.inProcessName()).build(),
              publisher::ready,
              LIVENESS_PERIOD,
              LIVENESS_TIMEOUT);
      admin.liveness(liveness::problem);
      return new ControlPlane(
          metrics, publisher, callbacks, debouncer, xds, admin, changeTimes, newGroups, liveness);
    } catch (IOException | RuntimeException e) {
      debouncer.close();
      newGroups.shutdownNow();
      if (xds != null) {
        xds.close();
      }
      throw e;
    }
  }

  /** The state changed: publish after the debounce. */
  public void changed() {
    changeTimes.changed(Instant.now());
    debouncer.trigger();
  }

  public int xdsPort() {
    return xds.port();
  }

  public AdminServer admin() {
    return admin;
  }

  public int adminPort() {
    return admin.port();
  }

  public SnapshotPublisher publisher() {
    return publisher;
  }

  public XdsCallbacks callbacks() {
    return callbacks;
  }

  /** The xDS port's limits; {@link XdsLimits#onIdentityRefused} hears of refused identities. */
  public XdsLimits limits() {
    return xds.limits();
  }

  public XdsMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    liveness.close();
    debouncer.close();
    newGroups.shutdownNow();
    xds.close();
    admin.close();
  }
}
