package io.fairlead.translators.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.policies.Diagnostic;
import java.util.List;
import java.util.Map;

/**
 * What one Service contributes to one proxy context: the unit of incremental translation. Gateway
 * exposures are assembled across Services afterwards, since a gateway shares one listener, and
 * address claims are resolved across Services ({@link Claims}).
 */
public record ServiceResources(
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<GatewayListenerBuilder.Exposed> exposed,
    List<Claims.Address> addressClaims,
    List<Diagnostic> diagnostics) {

  /**
   * Each virtual address ({@code ip:port}) this part's sidecar listeners claim, with the listener
   * that claims it (and would lose it to an earlier claimant, {@link Claims}).
   */
  public List<Map.Entry<String, String>> claimedAddresses() {
    return addressClaims.stream().map(c -> Map.entry(c.address(), c.listener())).toList();
  }
}
