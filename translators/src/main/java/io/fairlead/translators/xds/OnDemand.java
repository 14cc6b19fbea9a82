package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.on_demand.v3.OnDemandCds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * On-demand cluster discovery for a sidecar that asks for it ({@code fairlead.io/on-demand}): its
 * bootstrap subscribes to no CDS wildcard, so a cluster reaches it only when a request or
 * connection first needs it, over the ADS stream (see envoy-semantics.md#on-demand-http and
 * #on-demand-tcp).
 */
final class OnDemand {

  static final String FILTER = "envoy.filters.http.on_demand";

  /**
   * How long a request or connection waits for its cluster before going on without it (503 or a
   * closed connection). Envoy's own default, set so the output says it.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private OnDemand() {}

  /** {@code filters} with the on-demand filter just before the router (the last filter). */
  static List<HttpFilter> beforeRouter(List<HttpFilter> filters) {
    List<HttpFilter> out = new ArrayList<>(filters);
    int router = out.size() - 1;
    if (router < 0 || !out.get(router).getName().equals(HttpFilters.ROUTER)) {
      throw new IllegalStateException("the router is not the last HTTP filter");
    }
    out.add(router, filter());
    return out;
  }

  static HttpFilter filter() {
    return HttpFilter.newBuilder()
        .setName(FILTER)
        .setTypedConfig(
            Any.pack(
                io.envoyproxy.envoy.extensions.filters.http.on_demand.v3.OnDemand.newBuilder()
                    .setOdcds(
                        OnDemandCds.newBuilder()
                            .setSource(Protos.ads())
                            .setTimeout(Protos.duration(TIMEOUT)))
                    .build()))
        .build();
  }

  /** tcp_proxy's on-demand cluster discovery, over ADS. */
  static TcpProxy.OnDemand tcp() {
    return TcpProxy.OnDemand.newBuilder()
        .setOdcdsConfig(Protos.ads())
        .setTimeout(Protos.duration(TIMEOUT))
        .build();
  }
}
