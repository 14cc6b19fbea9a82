package io.fairlead.xds;

import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server of the xDS services: ADS (SotW and delta on the same service) plus the
 * separate CDS, EDS, LDS and RDS services for proxies configured without ADS.
 */
public final class XdsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);
  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private final Server server;

  private XdsServer(Server server) {
    this.server = server;
  }

  /** Binds and starts serving; port 0 picks a free port. */
  public static XdsServer start(InetSocketAddress address, V3DiscoveryServer discovery, XdsLimits limits)
      throws IOException {
    Server server =
        NettyServerBuilder.forAddress(address)
            .addService(ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(), limits))
            .addService(ServerInterceptors.intercept(discovery.getClusterDiscoveryServiceImpl(), limits))
            .addService(ServerInterceptors.intercept(discovery.getEndpointDiscoveryServiceImpl(), limits))
            .addService(ServerInterceptors.intercept(discovery.getListenerDiscoveryServiceImpl(), limits))
            .addService(ServerInterceptors.intercept(discovery.getRouteDiscoveryServiceImpl(), limits))
            // xDS streams live for hours: ping to find dead peers behind NATs and load balancers,
            // and let clients ping as often as every 10s (gRPC's default allows one per 5 min
            // and answers more with GOAWAY).
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build()
            .start();
    XdsServer xds = new XdsServer(server);
    LOG.info("xDS server listening on {}", server.getListenSockets());
    return xds;
  }

  public int port() {
    return server.getPort();
  }

  /** Stops taking streams, lets open ones end for a few seconds, then cancels the rest. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
