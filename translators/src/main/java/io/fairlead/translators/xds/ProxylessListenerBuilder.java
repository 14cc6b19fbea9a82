package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.fairlead.policies.PortPolicy;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.SplitTargets;

/**
 * API listeners for proxyless gRPC clients, named as the client dials them. The route config is
 * inline, so one LDS response carries everything but the cluster and its endpoints.
 */
final class ProxylessListenerBuilder {

  private ProxylessListenerBuilder() {}

  static Listener build(
      ServiceEntry svc,
      PortPolicy p,
      java.util.Optional<SplitTargets> split,
      ClientCapabilities.Dialect dialect,
      TranslationSettings settings) {
    String name = ResourceNames.proxylessListener(svc.ref(), p.port().port(), settings);
    String cluster = ResourceNames.cluster(svc.ref(), p.port().port());
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(name)
            .setRouteConfig(
                RouteConfiguration.newBuilder()
                    .setName(name)
                    .addVirtualHosts(
                        VirtualHost.newBuilder()
                            .setName(name)
                            .addDomains("*")
                            .addAllRoutes(
                                RouteBuilder.routes(
                                    name, cluster, "", p, split, dialect, ClientAddress.DERIVED))))
            .addHttpFilters(HttpFilters.router())
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
  }
}
