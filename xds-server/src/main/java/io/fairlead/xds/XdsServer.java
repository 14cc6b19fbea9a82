package io.fairlead.xds;

import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server of the xDS services: ADS (SotW and delta on the same service, {@link AdsService})
 * plus the separate CDS, EDS, LDS and RDS services for proxies configured without ADS.
 */
public final class XdsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);
  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private final Server server;
  private final Server inProcess;
  private final String inProcessName;
  private final Optional<XdsTls.Credentials> tls;
  private final XdsLimits limits;

  private XdsServer(
      Server server,
      Server inProcess,
      String inProcessName,
      Optional<XdsTls.Credentials> tls,
      XdsLimits limits) {
    this.limits = limits;
    this.server = server;
    this.inProcess = inProcess;
    this.inProcessName = inProcessName;
    this.tls = tls;
  }

  /**
   * Binds and starts serving; port 0 picks a free port. With TLS the port speaks TLS only (a
   * plaintext client gets nothing), and with a client CA required, mutual TLS. The same services
   * are also served in-process, for the liveness probe, which has no certificate.
   */
  public static XdsServer start(
      InetSocketAddress address,
      V3DiscoveryServer discovery,
      AdsService ads,
      XdsLimits limits,
      Optional<XdsTls> tlsFiles)
      throws IOException {
    Optional<XdsTls.Credentials> tls =
        tlsFiles.isPresent() ? Optional.of(tlsFiles.get().credentials()) : Optional.empty();
    NettyServerBuilder builder =
        tls.isPresent()
            ? NettyServerBuilder.forAddress(address, tls.get().server())
            : NettyServerBuilder.forAddress(address);
    String inProcessName = "fairlead-xds-" + UUID.randomUUID();
    Server inProcess =
        InProcessServerBuilder.forName(inProcessName)
            .addService(ServerInterceptors.intercept(ads, limits))
            .build()
            .start();
    Server server =
        builder
            .addService(ServerInterceptors.intercept(ads, limits))
            .addService(
                ServerInterceptors.intercept(discovery.getClusterDiscoveryServiceImpl(), limits))
            .addService(
                ServerInterceptors.intercept(discovery.getEndpointDiscoveryServiceImpl(), limits))
            .addService(
                ServerInterceptors.intercept(discovery.getListenerDiscoveryServiceImpl(), limits))
            .addService(
                ServerInterceptors.intercept(discovery.getRouteDiscoveryServiceImpl(), limits))
            // xDS streams live for hours: ping to find dead peers behind NATs and load balancers,
            // and let clients ping as often as every 10s (gRPC's default allows one per 5 min
            // and answers more with GOAWAY).
            .keepAliveTime(30, TimeUnit.SECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build()
            .start();
    XdsServer xds = new XdsServer(server, inProcess, inProcessName, tls, limits);
    LOG.info(
        "xDS server listening on {}{}", server.getListenSockets(), tls.isPresent() ? " (TLS)" : "");
    return xds;
  }

  /** The name of the in-process server with the same services. */
  public String inProcessName() {
    return inProcessName;
  }

  /** The limits every stream passes, and who hears of refused identities. */
  public XdsLimits limits() {
    return limits;
  }

  public int port() {
    return server.getPort();
  }

  /** Stops taking streams, lets open ones end for a few seconds, then cancels the rest. */
  @Override
  public void close() {
    inProcess.shutdownNow();
    tls.ifPresent(XdsTls.Credentials::close);
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
