package io.fairlead.translators.xds;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.AdditionalAddress;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fairlead.policies.PortPolicy;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.SplitTargets;
import java.util.List;
import java.util.Optional;

/**
 * Sidecar listeners. The capture listener receives every redirected outbound connection and hands
 * it, by original destination, to the virtual listener of that ClusterIP:port; unknown destinations
 * pass through untouched.
 */
final class SidecarListenerBuilder {

  private SidecarListenerBuilder() {}

  static Listener capture() {
    return capture(false);
  }

  static Listener capture(boolean onDemand) {
    return Listener.newBuilder()
        .setName(ResourceNames.OUTBOUND_CAPTURE_LISTENER)
        .setAddress(Protos.address("0.0.0.0", ResourceNames.OUTBOUND_CAPTURE_PORT))
        .setUseOriginalDst(BoolValue.of(true))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .addFilterChains(
            FilterChain.newBuilder()
                .setName("passthrough")
                .addFilters(
                    ConnectionManagers.passthrough(
                        "passthrough", ResourceNames.PASSTHROUGH_CLUSTER, onDemand)))
        .build();
  }

  /** The virtual listener of one Service port: bound to no socket, reached through capture. */
  static Listener virtual(
      ServiceEntry svc,
      PortPolicy p,
      TranslationSettings settings,
      Optional<SplitTargets> split,
      boolean onDemand) {
    String name = ResourceNames.sidecarListener(svc.ref(), p.port().port());
    String cluster = ResourceNames.cluster(svc.ref(), p.port().port());
    List<String> ips = svc.clusterIps();
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(Protos.address(ips.get(0), p.port().port()))
            .setBindToPort(BoolValue.of(false))
            .setTrafficDirection(TrafficDirection.OUTBOUND);
    for (String ip : ips.subList(1, ips.size())) {
      l.addAdditionalAddresses(
          AdditionalAddress.newBuilder().setAddress(Protos.address(ip, p.port().port())));
    }
    FilterChain.Builder chain = FilterChain.newBuilder().setName(name);
    if (p.protocol().isHttp()) {
      chain.addFilters(
          ConnectionManagers.http(
              name,
              ResourceNames.sidecarRoute(svc.ref(), p.port().port()),
              onDemand
                  ? OnDemand.beforeRouter(HttpFilters.forPolicies(List.of(p), ClientAddress.PEER))
                  : HttpFilters.forPolicies(List.of(p), ClientAddress.PEER),
              p.timeouts().maxConnectionDuration(),
              ConnectionManagers.Position.SIDECAR,
              Telemetry.http(settings, logged(p), SERVICE_NAME)));
    } else {
      chain.addFilters(
          ConnectionManagers.tcp(
              name, cluster, p, Telemetry.tcp(settings, logged(p)), split, onDemand));
    }
    return l.addFilterChains(chain).build();
  }

  /** The name a sidecar's spans carry. */
  static final String SERVICE_NAME = "fairlead-sidecar";

  /** A port logs unless its annotation says {@code off}. */
  private static boolean logged(PortPolicy p) {
    return p.traffic().logged();
  }

  static RouteConfiguration route(
      ServiceEntry svc, PortPolicy p, java.util.Optional<SplitTargets> split) {
    String name = ResourceNames.sidecarRoute(svc.ref(), p.port().port());
    String cluster = ResourceNames.cluster(svc.ref(), p.port().port());
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(name)
                .addDomains("*")
                .addAllRoutes(
                    RouteBuilder.routes(
                        name,
                        cluster,
                        "/",
                        p,
                        split,
                        ClientCapabilities.dialect(ClientKind.ENVOY),
                        ClientAddress.PEER)))
        .build();
  }
}
