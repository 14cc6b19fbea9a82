package io.fairlead.translators.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.policies.Diagnostic;
import java.util.List;

/**
 * The Envoy resources one proxy context gets, each list sorted by name, plus the diagnostics of the
 * translation (model diagnostics and client downgrades).
 */
public record XdsResources(
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Diagnostic> diagnostics) {}
