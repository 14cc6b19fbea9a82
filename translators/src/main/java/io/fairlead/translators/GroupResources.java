package io.fairlead.translators;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.xds.XdsResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * What one node group gets, as persistent maps by resource name, and what changed since the group's
 * previous resources: the unit a publisher applies without going over everything the group has.
 *
 * @param id unique among all resources made in this JVM: a publisher knows by it whether a delta is
 *     relative to what it holds
 * @param delta the names changed since the resources whose id it names; empty for resources
 *     assembled in full, which a publisher takes whole
 * @param problems names that appeared twice or were empty when assembled: such resources cannot be
 *     a snapshot (a map by name would silently drop one)
 */
public record GroupResources(
    long id,
    PSortedMap<String, Cluster> clusters,
    PSortedMap<String, ClusterLoadAssignment> endpoints,
    PSortedMap<String, Listener> listeners,
    PSortedMap<String, RouteConfiguration> routes,
    List<Diagnostic> diagnostics,
    Optional<Delta> delta,
    List<String> problems) {

  private static final AtomicLong IDS = new AtomicLong();

  /**
   * The names, by type, whose resource differs (by instance) from the one in the resources {@code
   * base}: added, replaced or removed.
   */
  public record Delta(
      long base,
      Set<String> clusters,
      Set<String> endpoints,
      Set<String> listeners,
      Set<String> routes) {}

  static long nextId() {
    return IDS.incrementAndGet();
  }

  /** Resources assembled in full, without a delta. */
  public static GroupResources of(XdsResources resources) {
    List<String> problems = new ArrayList<>();
    return new GroupResources(
        nextId(),
        byName("Cluster", resources.clusters(), Cluster::getName, problems),
        byName(
            "ClusterLoadAssignment",
            resources.endpoints(),
            ClusterLoadAssignment::getClusterName,
            problems),
        byName("Listener", resources.listeners(), Listener::getName, problems),
        byName("RouteConfiguration", resources.routes(), RouteConfiguration::getName, problems),
        resources.diagnostics(),
        Optional.empty(),
        List.copyOf(problems));
  }

  /** The same resources as lists sorted by name, as {@link XdsResources} has them. */
  public XdsResources toResources() {
    return new XdsResources(
        List.copyOf(clusters.values()),
        List.copyOf(endpoints.values()),
        List.copyOf(listeners.values()),
        List.copyOf(routes.values()),
        diagnostics);
  }

  /**
   * The resources by name, the first of each name kept, built in one go (a sorted map turned into a
   * balanced persistent one) rather than inserted name by name: a group's first state holds every
   * resource of the world.
   */
  static <T extends Message> PSortedMap<String, T> byName(
      String type, List<T> resources, Function<T, String> name, List<String> problems) {
    SortedMap<String, T> map = new TreeMap<>();
    for (T r : resources) {
      String n = name.apply(r);
      if (n.isEmpty()) {
        problems.add(type + " without a name");
      } else if (map.putIfAbsent(n, r) != null) {
        problems.add(type + " '" + n + "' appears twice");
      }
    }
    return TreePMap.fromSortedMap(map);
  }
}
