package io.fairlead.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.translators.ProxyContext;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a node group currently gets: the last snapshot that was set for it.
 *
 * @param versions the version of each resource type, keyed by type URL
 */
public record PublishedGroup(
    ProxyContext group,
    SortedMap<String, String> versions,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Listener> listeners,
    List<RouteConfiguration> routes) {

  public PublishedGroup {
    versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
  }
}
