package io.fairlead.demo;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.fairlead.bootstrap.BootstrapGenerator;
import io.fairlead.bootstrap.BootstrapParams;
import io.fairlead.translators.ProxyRole;
import java.nio.file.Path;
import java.util.List;

/**
 * The Envoy of the demo's step 6: a gateway of its own group, which demo/echo is exposed to. A
 * gateway rather than a sidecar because a sidecar's capture listener needs iptables to redirect
 * traffic into it; a gateway is dialled directly, and balances the same way.
 */
public final class EnvoyGateway {

  /** The gateway group; demo/echo names it in {@code fairlead.io/gateway}. */
  public static final String GROUP = "demo-envoy";

  public static final String NODE_ID = "fairlead-demo-envoy";

  public static final String CLUSTER = "fairlead-demo";

  private EnvoyGateway() {}

  /** What {@code fairlead bootstrap --role gateway} would render for this Envoy. */
  public static Bootstrap bootstrap(int xdsPort, int gatewayPort, int adminPort) {
    return BootstrapGenerator.generate(
        BootstrapParams.builder()
            .role(ProxyRole.GATEWAY)
            .xdsAddress("127.0.0.1:" + xdsPort)
            .nodeId(NODE_ID)
            .cluster(CLUSTER)
            .gatewayGroup(GROUP)
            .gatewayPort(gatewayPort)
            .adminPort(adminPort)
            .build());
  }

  /**
   * The command line that runs Envoy on {@code config}: one worker thread, so that it keeps one
   * connection per pod as a small sidecar would, and no hot-restart shared memory, so that it does
   * not clash with another Envoy on the machine.
   */
  public static List<String> command(Path envoy, Path config) {
    return List.of(
        envoy.toString(),
        "--config-path",
        config.toString(),
        "--concurrency",
        "1",
        "--disable-hot-restart",
        "--log-level",
        "warn");
  }

  /** The gauge of connections open on Envoy's gateway listener (bound to 0.0.0.0). */
  public static String activeConnectionsStat(int gatewayPort) {
    return "listener.0.0.0.0_" + gatewayPort + ".downstream_cx_active";
  }
}
