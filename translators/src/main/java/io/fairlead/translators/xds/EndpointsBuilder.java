package io.fairlead.translators.xds;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.fairlead.policies.PortPolicy;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ClusterLoadAssignment of one port, as seen from one proxy context: node-local filtering
 * ({@code internalTrafficPolicy: Local}) and zone priorities ({@code PreferClose}) depend on
 * where the proxy runs.
 */
final class EndpointsBuilder {

  private EndpointsBuilder() {}

  static ClusterLoadAssignment build(String name, PortPolicy p, List<EndpointEntry> endpoints, ProxyContext ctx) {
    List<EndpointEntry> visible = endpoints;
    if (p.nodeLocal() && ctx.role() != ProxyRole.GATEWAY && ctx.node().isPresent()) {
      String node = ctx.node().get();
      visible = endpoints.stream().filter(e -> e.nodeName().filter(node::equals).isPresent()).toList();
    }
    Optional<String> ownZone = p.preferClose() ? ctx.zone() : Optional.empty();
    boolean anyLocal =
        ownZone.isPresent() && visible.stream().anyMatch(e -> e.zone().equals(ownZone));
    // Priority 0 must not be empty, so without same-zone endpoints everything stays at 0.
    Map<Integer, Map<String, List<EndpointEntry>>> byPriority = new TreeMap<>();
    for (EndpointEntry e : visible) {
      int priority = anyLocal && !e.zone().equals(ownZone) ? 1 : 0;
      byPriority
          .computeIfAbsent(priority, k -> new TreeMap<>())
          .computeIfAbsent(e.zone().orElse(""), k -> new java.util.ArrayList<>())
          .add(e);
    }
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(name);
    byPriority.forEach(
        (priority, zones) ->
            zones.forEach(
                (zone, eps) -> {
                  LocalityLbEndpoints.Builder loc =
                      LocalityLbEndpoints.newBuilder()
                          .setPriority(priority)
                          .setLoadBalancingWeight(Protos.uint32(eps.size()));
                  // Always present, even empty: grpc-js rejects a locality-less entry.
                  loc.setLocality(zone.isEmpty() ? Locality.getDefaultInstance() : Locality.newBuilder().setZone(zone).build());
                  eps.forEach(e -> loc.addLbEndpoints(lbEndpoint(e, p.portAffinity())));
                  cla.addEndpoints(loc);
                }));
    return cla.build();
  }

  private static LbEndpoint lbEndpoint(EndpointEntry e, boolean hashOnPod) {
    Endpoint.Builder ep = Endpoint.newBuilder().setAddress(Protos.address(e.address(), e.port()));
    if (hashOnPod) {
      ep.setHostname(e.hostname());
    }
    return LbEndpoint.newBuilder().setEndpoint(ep).setHealthStatus(status(e.health())).build();
  }

  private static HealthStatus status(EndpointHealth h) {
    return switch (h) {
      case HEALTHY -> HealthStatus.HEALTHY;
      case DRAINING -> HealthStatus.DRAINING;
      case UNHEALTHY -> HealthStatus.UNHEALTHY;
    };
  }
}
