package io.fairlead.xds;

import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.translators.ProxyContext;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a node group currently gets: the last snapshot that was set for it. The resource lists are
 * made when asked for (by the debug endpoint and tests), not on every publish.
 */
public final class PublishedGroup {

  private final ProxyContext group;
  private final SortedMap<String, String> versions;
  private final HashedSnapshot snapshot;

  PublishedGroup(ProxyContext group, SortedMap<String, String> versions, HashedSnapshot snapshot) {
    this.group = group;
    this.versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    this.snapshot = snapshot;
  }

  public ProxyContext group() {
    return group;
  }

  /** The version of each resource type, keyed by type URL. */
  public SortedMap<String, String> versions() {
    return versions;
  }

  /** Sorted by name, as in every response. */
  public List<Cluster> clusters() {
    return list(snapshot.clusterList());
  }

  public List<ClusterLoadAssignment> endpoints() {
    return list(snapshot.endpointList());
  }

  public List<Listener> listeners() {
    return list(snapshot.listenerList());
  }

  public List<RouteConfiguration> routes() {
    return list(snapshot.routeList());
  }

  HashedSnapshot snapshot() {
    return snapshot;
  }

  private static <T extends com.google.protobuf.Message> List<T> list(
      Collection<VersionedResource<T>> resources) {
    return resources.stream().map(VersionedResource::resource).toList();
  }
}
