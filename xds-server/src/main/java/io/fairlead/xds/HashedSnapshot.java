package io.fairlead.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.ResourceVersionResolver;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.SnapshotConsistencyException;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.fairlead.xds.ResourceDigests.Digested;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A v3 snapshot whose versions are content hashes: each resource carries its own hash (used by
 * delta xDS), and a type's version is a hash over the names and hashes of its resources (or of the
 * requested ones, for SotW requests that name resources).
 */
final class HashedSnapshot extends Snapshot {

  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;
  private final Map<ResourceType, String> versions;

  private HashedSnapshot(
      List<Digested<Cluster>> clusters,
      List<Digested<ClusterLoadAssignment>> endpoints,
      List<Digested<Listener>> listeners,
      List<Digested<RouteConfiguration>> routes) {
    this.clusters = resources(clusters);
    this.endpoints = resources(endpoints);
    this.listeners = resources(listeners);
    this.routes = resources(routes);
    this.secrets = resources(List.of());
    Map<ResourceType, String> byType = new EnumMap<>(ResourceType.class);
    byType.put(ResourceType.CLUSTER, this.clusters.version());
    byType.put(ResourceType.ENDPOINT, this.endpoints.version());
    byType.put(ResourceType.LISTENER, this.listeners.version());
    byType.put(ResourceType.ROUTE, this.routes.version());
    this.versions = Map.copyOf(byType);
  }

  /**
   * Builds a snapshot, or explains why it cannot be one: an empty or duplicate resource name would
   * silently drop a resource from the cache's maps.
   */
  static HashedSnapshot of(
      List<Digested<Cluster>> clusters,
      List<Digested<ClusterLoadAssignment>> endpoints,
      List<Digested<Listener>> listeners,
      List<Digested<RouteConfiguration>> routes)
      throws SnapshotConsistencyException {
    requireUniqueNames(Resources.V3.CLUSTER_TYPE_URL, clusters);
    requireUniqueNames(Resources.V3.ENDPOINT_TYPE_URL, endpoints);
    requireUniqueNames(Resources.V3.LISTENER_TYPE_URL, listeners);
    requireUniqueNames(Resources.V3.ROUTE_TYPE_URL, routes);
    return new HashedSnapshot(clusters, endpoints, listeners, routes);
  }

  /** The version of each resource type (secrets are never served). */
  Map<ResourceType, String> versions() {
    return versions;
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }

  // javac does not see the v3 class's method as implementing the base's (their wildcards are
  // spelled differently), so it is restated here.
  @Override
  public Map<String, VersionedResource<?>> versionedResources(ResourceType resourceType) {
    return super.versionedResources(resourceType);
  }

  /**
   * Every EDS cluster has its ClusterLoadAssignment and every RDS name its RouteConfiguration, and
   * nothing else is there. Replaces the library's check, which in 1.0.49 finds connection managers
   * only under the deprecated filter name {@code envoy.http_connection_manager} and never in API
   * listeners, so it rejects any snapshot whose listeners use RDS the current way.
   */
  @Override
  public void ensureConsistent() throws SnapshotConsistencyException {
    SortedSet<String> edsNames = new TreeSet<>();
    for (Cluster cluster : clusters.resources().values()) {
      if (cluster.getType() == Cluster.DiscoveryType.EDS) {
        String serviceName = cluster.getEdsClusterConfig().getServiceName();
        edsNames.add(serviceName.isEmpty() ? cluster.getName() : serviceName);
      }
    }
    requireExactly(
        Resources.V3.CLUSTER_TYPE_URL,
        Resources.V3.ENDPOINT_TYPE_URL,
        edsNames,
        endpoints.resources().keySet());

    SortedSet<String> rdsNames = new TreeSet<>();
    for (Listener listener : listeners.resources().values()) {
      for (HttpConnectionManager manager : connectionManagers(listener)) {
        if (manager.hasRds()) {
          rdsNames.add(manager.getRds().getRouteConfigName());
        }
      }
    }
    requireExactly(
        Resources.V3.LISTENER_TYPE_URL,
        Resources.V3.ROUTE_TYPE_URL,
        rdsNames,
        routes.resources().keySet());
  }

  private static List<HttpConnectionManager> connectionManagers(Listener listener)
      throws SnapshotConsistencyException {
    List<Any> configs = new ArrayList<>();
    Stream.concat(
            listener.getFilterChainsList().stream(),
            listener.hasDefaultFilterChain()
                ? Stream.of(listener.getDefaultFilterChain())
                : Stream.<FilterChain>empty())
        .flatMap(chain -> chain.getFiltersList().stream())
        .filter(Filter::hasTypedConfig)
        .forEach(filter -> configs.add(filter.getTypedConfig()));
    if (listener.hasApiListener()) {
      configs.add(listener.getApiListener().getApiListener());
    }
    List<HttpConnectionManager> managers = new ArrayList<>();
    for (Any config : configs) {
      if (config.is(HttpConnectionManager.class)) {
        try {
          managers.add(config.unpack(HttpConnectionManager.class));
        } catch (InvalidProtocolBufferException e) {
          throw new SnapshotConsistencyException(
              "listener '"
                  + listener.getName()
                  + "' has an unreadable HttpConnectionManager: "
                  + e.getMessage());
        }
      }
    }
    return managers;
  }

  private static void requireExactly(
      String parentType, String childType, SortedSet<String> referenced, Set<String> present)
      throws SnapshotConsistencyException {
    SortedSet<String> missing = new TreeSet<>(referenced);
    missing.removeAll(present);
    SortedSet<String> unreferenced = new TreeSet<>(present);
    unreferenced.removeAll(referenced);
    if (!missing.isEmpty()) {
      throw new SnapshotConsistencyException(
          shortType(childType)
              + " "
              + missing
              + " referenced by a "
              + shortType(parentType)
              + " but not in the snapshot");
    }
    if (!unreferenced.isEmpty()) {
      throw new SnapshotConsistencyException(
          shortType(childType)
              + " "
              + unreferenced
              + " in the snapshot but referenced by no "
              + shortType(parentType));
    }
  }

  private static <T extends Message> void requireUniqueNames(
      String type, List<Digested<T>> resources) throws SnapshotConsistencyException {
    Set<String> seen = new HashSet<>();
    for (Digested<T> digested : resources) {
      String name = Resources.getResourceName(digested.resource());
      if (name.isEmpty()) {
        throw new SnapshotConsistencyException(shortType(type) + " without a name");
      }
      if (!seen.add(name)) {
        throw new SnapshotConsistencyException(shortType(type) + " '" + name + "' appears twice");
      }
    }
  }

  static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }

  private static <T extends Message> SnapshotResources<T> resources(List<Digested<T>> digested) {
    SortedMap<String, String> versionsByName = new TreeMap<>();
    List<VersionedResource<T>> versioned = new ArrayList<>(digested.size());
    for (Digested<T> d : digested) {
      versionsByName.put(Resources.getResourceName(d.resource()), d.version());
      versioned.add(VersionedResource.create(d.resource(), d.version()));
    }
    String all = ResourceDigests.combined(versionsByName);
    ResourceVersionResolver resolver =
        names -> {
          if (names.isEmpty()) {
            return all;
          }
          // A SotW request naming resources gets the version of just those, so a change to
          // another endpoint does not re-send this proxy's.
          SortedMap<String, String> requested = new TreeMap<>();
          for (String name : names) {
            requested.put(name, versionsByName.getOrDefault(name, "-"));
          }
          return ResourceDigests.combined(requested);
        };
    return SnapshotResources.create(versioned, resolver);
  }
}
