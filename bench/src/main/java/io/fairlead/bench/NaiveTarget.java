package io.fairlead.bench;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.fairlead.translators.Change;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.xds.XdsResources;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline a first control plane would be: java-control-plane's SimpleCache with ONE snapshot
 * for every node, rebuilt in full on every change from the same translator's output, served by a
 * plain V3DiscoveryServer with its defaults. The one snapshot holds the sidecar resources (no zone)
 * plus the proxyless listeners, so both kinds of client find what they ask for; it cannot give
 * zones or client kinds their own variants. No debounce: each change is one rebuild.
 */
final class NaiveTarget implements Target {

  private final Rebuild rebuild = new Rebuild();
  private final Server server;

  /**
   * The naive control plane's work on a change, without its server: one SimpleCache snapshot for
   * all nodes, rebuilt in full. {@link PublishLoop} measures it on its own.
   */
  static final class Rebuild {
    private static final String GROUP = "all";
    private static final ProxyContext SIDECAR =
        ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);
    private static final ProxyContext PROXYLESS =
        ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA);

    private static final ProxyContext GATEWAY =
        ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY);

    final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
    private final IncrementalTranslator translator = new IncrementalTranslator();
    private final boolean gateway;
    private long version;

    Rebuild() {
      this(false);
    }

    /**
     * @param gateway whether the default gateway group is rebuilt too, into a second snapshot (a
     *     gateway's listener and route cannot share the sidecars')
     */
    Rebuild(boolean gateway) {
      this.gateway = gateway;
    }

    void apply(KubeState state, Change change) {
      translator.update(state, change);
      XdsResources sidecar = translator.translate(SIDECAR);
      XdsResources proxyless = translator.translate(PROXYLESS);
      List<Listener> listeners = new ArrayList<>(sidecar.listeners());
      listeners.addAll(proxyless.listeners());
      cache.setSnapshot(
          GROUP,
          Snapshot.create(
              sidecar.clusters(),
              sidecar.endpoints(),
              listeners,
              sidecar.routes(),
              List.of(),
              Long.toString(++version)));
      if (gateway) {
        XdsResources gw = translator.translate(GATEWAY);
        cache.setSnapshot(
            GATEWAY_GROUP,
            Snapshot.create(
                gw.clusters(),
                gw.endpoints(),
                gw.listeners(),
                gw.routes(),
                List.of(),
                Long.toString(version)));
      }
    }

    private static final String GATEWAY_GROUP = "gateway";

    long version() {
      return version;
    }
  }

  NaiveTarget() {
    V3DiscoveryServer discovery = new V3DiscoveryServer(rebuild.cache);
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(discovery.getAggregatedDiscoveryServiceImpl())
              .maxInboundMessageSize(64 * 1024 * 1024)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String mode() {
    return "naive";
  }

  @Override
  public int port() {
    return server.getPort();
  }

  @Override
  public void load(KubeState state) {
    apply(state, Change.FULL);
  }

  @Override
  public void apply(KubeState state, Change change) {
    rebuild.apply(state, change);
  }

  @Override
  public boolean ready() {
    return rebuild.version() > 0;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
