package io.fairlead.translators.validate;

import static io.fairlead.translators.validate.PgvRules.join;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks that hold between the resources a client gets together: names are unique per type, every
 * EDS cluster has endpoints, every RDS name has a route configuration and every cluster a route or
 * TCP proxy sends to exists (in the set or among the caller's static clusters).
 */
final class CrossReferences {

  private final List<Violation> out = new ArrayList<>();
  private final Set<String> clusterNames = new HashSet<>();
  private final Set<String> assignmentNames = new HashSet<>();
  private final Set<String> routeNames = new HashSet<>();
  private final Map<String, String> listenerAddresses = new HashMap<>();

  private CrossReferences() {}

  static List<Violation> check(XdsValidator.ResourceSet set) {
    CrossReferences x = new CrossReferences();
    x.unique(set.clusters(), Cluster::getName, x.clusterNames);
    x.unique(set.endpoints(), ClusterLoadAssignment::getClusterName, x.assignmentNames);
    x.unique(set.listeners(), Listener::getName, new HashSet<>());
    x.unique(set.routes(), RouteConfiguration::getName, x.routeNames);
    x.clusterNames.addAll(set.staticClusters());
    set.clusters().forEach(x::edsHasEndpoints);
    set.listeners().forEach(x::listener);
    for (RouteConfiguration rc : set.routes()) {
      x.routeClusters(resourceId(rc), rc, "");
    }
    return x.out;
  }

  /** {@code Type/name}, the resource field of a violation. */
  static String resourceId(Message resource) {
    String type = resource.getDescriptorForType().getName();
    String name =
        resource instanceof ClusterLoadAssignment cla
            ? cla.getClusterName()
            : String.valueOf(
                resource.getField(resource.getDescriptorForType().findFieldByName("name")));
    return type + "/" + name;
  }

  private <T extends Message> void unique(
      List<T> resources, Function<T, String> name, Set<String> seen) {
    for (T r : resources) {
      if (!seen.add(name.apply(r))) {
        String field = r instanceof ClusterLoadAssignment ? "cluster_name" : "name";
        out.add(
            new Violation(
                resourceId(r),
                field,
                "another " + r.getDescriptorForType().getName() + " has the same name"));
      }
    }
  }

  private void edsHasEndpoints(Cluster c) {
    if (c.hasClusterType() || c.getType() != Cluster.DiscoveryType.EDS) {
      return;
    }
    String serviceName = c.getEdsClusterConfig().getServiceName();
    String wanted = serviceName.isEmpty() ? c.getName() : serviceName;
    if (!assignmentNames.contains(wanted)) {
      out.add(
          new Violation(
              resourceId(c),
              serviceName.isEmpty() ? "name" : "eds_cluster_config.service_name",
              "EDS cluster has no ClusterLoadAssignment named '" + wanted + "'"));
    }
  }

  private void listener(Listener l) {
    String id = resourceId(l);
    // Envoy refuses a second listener on an address another one already has.
    List<io.envoyproxy.envoy.config.core.v3.Address> addresses = new ArrayList<>();
    if (l.hasAddress()) {
      addresses.add(l.getAddress());
    }
    l.getAdditionalAddressesList().forEach(a -> addresses.add(a.getAddress()));
    for (io.envoyproxy.envoy.config.core.v3.Address a : addresses) {
      if (a.hasSocketAddress()) {
        String key = a.getSocketAddress().getAddress() + ":" + a.getSocketAddress().getPortValue();
        String owner = listenerAddresses.putIfAbsent(key, l.getName());
        if (owner != null && !owner.equals(l.getName())) {
          out.add(
              new Violation(
                  id, "address", "address " + key + " is also listener '" + owner + "''s"));
        }
      }
    }
    for (int i = 0; i < l.getFilterChainsCount(); i++) {
      filterChain(id, l.getFilterChains(i), "filter_chains[" + i + "]");
    }
    if (l.hasDefaultFilterChain()) {
      filterChain(id, l.getDefaultFilterChain(), "default_filter_chain");
    }
    if (l.hasApiListener()) {
      Any any = l.getApiListener().getApiListener();
      if (EnvoySemantics.is(any, HttpConnectionManager.getDefaultInstance())) {
        unpack(any, HttpConnectionManager.class)
            .ifPresent(hcm -> connectionManager(id, hcm, "api_listener.api_listener"));
      }
    }
  }

  private void filterChain(String id, FilterChain chain, String path) {
    for (int j = 0; j < chain.getFiltersCount(); j++) {
      Filter f = chain.getFilters(j);
      String at = join(path, "filters[" + j + "].typed_config");
      if (EnvoySemantics.is(f.getTypedConfig(), HttpConnectionManager.getDefaultInstance())) {
        unpack(f.getTypedConfig(), HttpConnectionManager.class)
            .ifPresent(hcm -> connectionManager(id, hcm, at));
      } else if (EnvoySemantics.is(f.getTypedConfig(), TcpProxy.getDefaultInstance())) {
        unpack(f.getTypedConfig(), TcpProxy.class).ifPresent(tcp -> tcpProxy(id, tcp, at));
      }
    }
  }

  private void connectionManager(String id, HttpConnectionManager hcm, String path) {
    if (hcm.hasRds() && !routeNames.contains(hcm.getRds().getRouteConfigName())) {
      out.add(
          new Violation(
              id,
              join(path, "rds.route_config_name"),
              "no RouteConfiguration named '" + hcm.getRds().getRouteConfigName() + "'"));
    }
    if (hcm.hasRouteConfig()) {
      routeClusters(id, hcm.getRouteConfig(), join(path, "route_config"));
    }
  }

  private void tcpProxy(String id, TcpProxy tcp, String path) {
    if (tcp.hasCluster()) {
      clusterExists(id, tcp.getCluster(), join(path, "cluster"));
    }
    for (int k = 0; k < tcp.getWeightedClusters().getClustersCount(); k++) {
      clusterExists(
          id,
          tcp.getWeightedClusters().getClusters(k).getName(),
          join(path, "weighted_clusters.clusters[" + k + "].name"));
    }
  }

  private void routeClusters(String id, RouteConfiguration rc, String path) {
    for (int i = 0; i < rc.getVirtualHostsCount(); i++) {
      VirtualHost vh = rc.getVirtualHosts(i);
      for (int j = 0; j < vh.getRoutesCount(); j++) {
        Route route = vh.getRoutes(j);
        if (route.hasRoute()) {
          routeAction(
              id, route.getRoute(), join(path, "virtual_hosts[" + i + "].routes[" + j + "].route"));
        }
      }
    }
  }

  private void routeAction(String id, RouteAction action, String path) {
    if (action.hasCluster()) {
      clusterExists(id, action.getCluster(), join(path, "cluster"));
    }
    if (action.hasWeightedClusters()) {
      for (int k = 0; k < action.getWeightedClusters().getClustersCount(); k++) {
        clusterExists(
            id,
            action.getWeightedClusters().getClusters(k).getName(),
            join(path, "weighted_clusters.clusters[" + k + "].name"));
      }
    }
    for (int k = 0; k < action.getRequestMirrorPoliciesCount(); k++) {
      String mirror = action.getRequestMirrorPolicies(k).getCluster();
      if (!mirror.isEmpty()) {
        clusterExists(id, mirror, join(path, "request_mirror_policies[" + k + "].cluster"));
      }
    }
  }

  private void clusterExists(String id, String cluster, String path) {
    if (!clusterNames.contains(cluster)) {
      out.add(new Violation(id, path, "no Cluster named '" + cluster + "'"));
    }
  }

  /** Empty when the Any does not decode; the PGV walk reports that one. */
  private static <T extends Message> Optional<T> unpack(Any any, Class<T> type) {
    try {
      return Optional.of(any.unpack(type));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }
}
