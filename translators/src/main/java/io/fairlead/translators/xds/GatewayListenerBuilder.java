package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.GatewayExposure;
import io.fairlead.policies.PortPolicy;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.model.ServiceEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway group's listener and its route configuration: one virtual host per exposed host name,
 * routes ordered longest prefix first. A host and prefix claimed twice goes to the first Service by
 * namespace/name; the others get an error diagnostic.
 */
public final class GatewayListenerBuilder {

  /**
   * One exposed Service port.
   *
   * @param routes its routes in the gateway's virtual hosts (split-match rules first), built (and
   *     validated) with the Service's other resources
   */
  public record Exposed(
      ServiceEntry service, PortPolicy policy, GatewayExposure exposure, List<Route> routes) {

    public Exposed {
      routes = List.copyOf(routes);
    }
  }

  /** The gateway's listener and route, or nothing when the group exposes no Service. */
  record Result(
      Optional<Listener> listener,
      Optional<RouteConfiguration> route,
      List<Diagnostic> diagnostics) {}

  static final String PROXY_PROTOCOL = "envoy.filters.listener.proxy_protocol";

  private GatewayListenerBuilder() {}

  static Result build(List<Exposed> exposed, ProxyContext ctx, TranslationSettings settings) {
    List<Diagnostic> diagnostics = new ArrayList<>();
    String routeName = ResourceNames.gatewayRoute(ctx.gatewayGroup());
    // host -> prefix -> the claiming port; Claims decides who wins a host and path claimed twice
    Claims.GatewayResolution claims = Claims.gatewayRoutes(exposed, ctx.gatewayGroup());
    diagnostics.addAll(claims.diagnostics());
    Map<String, Map<String, Exposed>> hosts = claims.routesByHost();
    if (hosts.isEmpty()) {
      return new Result(Optional.empty(), Optional.empty(), diagnostics);
    }
    RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName(routeName);
    List<PortPolicy> used = new ArrayList<>();
    hosts.forEach(
        (host, routes) -> {
          VirtualHost.Builder vh = VirtualHost.newBuilder().setName(host).addDomains(host);
          routes.entrySet().stream()
              .sorted(
                  Comparator.comparing((Map.Entry<String, Exposed> r) -> -r.getKey().length())
                      .thenComparing(Map.Entry::getKey))
              .forEach(
                  r -> {
                    Exposed e = r.getValue();
                    vh.addAllRoutes(e.routes());
                    used.add(e.policy());
                  });
          rc.addVirtualHosts(vh);
        });
    String listenerName = ResourceNames.gatewayListener(ctx.gatewayGroup());
    Listener.Builder listener =
        Listener.newBuilder()
            .setName(listenerName)
            .setAddress(Protos.address("0.0.0.0", ctx.gatewayPort()))
            .setTrafficDirection(TrafficDirection.INBOUND)
            .addFilterChains(
                FilterChain.newBuilder()
                    .setName(listenerName)
                    .addFilters(
                        ConnectionManagers.http(
                            listenerName,
                            routeName,
                            HttpFilters.forPolicies(used, ClientAddress.DERIVED),
                            Optional.empty(),
                            ConnectionManagers.Position.gateway(ctx.gateway().xffTrustedHops()),
                            // One manager serves every exposed Service: a port's access-log off
                            // marks its routes, and the log filters them out.
                            Telemetry.gateway(
                                settings,
                                used.stream().anyMatch(p -> !p.traffic().logged()),
                                "fairlead-gateway-" + ctx.gatewayGroup()))));
    if (ctx.gateway().proxyProtocol()) {
      // Behind an L4 balancer: the PROXY header names the client, and becomes the peer address.
      listener.addListenerFilters(
          ListenerFilter.newBuilder()
              .setName(PROXY_PROTOCOL)
              .setTypedConfig(Any.pack(ProxyProtocol.getDefaultInstance())));
    }
    return new Result(Optional.of(listener.build()), Optional.of(rc.build()), diagnostics);
  }
}
