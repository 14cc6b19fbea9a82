package io.fairlead.translators.validate;

import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.translators.xds.XdsResources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Validates Envoy v3 resources the way Envoy would on load: the protoc-gen-validate rules of every
 * message (including typed configs inside {@code Any}), Envoy's own load-time semantics, and, for a
 * whole set, the references between resources. Every resource Fairlead produces must pass; a
 * violation is a bug in Fairlead, so nothing is thrown and all violations are returned.
 *
 * <p>Thread-safe; output order is deterministic (resources by type then name, fields in descriptor
 * order).
 */
public final class XdsValidator {

  /**
   * Resources one client gets together.
   *
   * @param staticClusters cluster names defined outside the set (e.g. bootstrap static clusters)
   *     that routes may still name
   */
  public record ResourceSet(
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners,
      List<RouteConfiguration> routes,
      Set<String> staticClusters) {

    public ResourceSet {
      clusters = sorted(clusters, Cluster::getName);
      endpoints = sorted(endpoints, ClusterLoadAssignment::getClusterName);
      listeners = sorted(listeners, Listener::getName);
      routes = sorted(routes, RouteConfiguration::getName);
      staticClusters = Set.copyOf(staticClusters);
    }

    public static ResourceSet of(XdsResources resources, Set<String> staticClusters) {
      return new ResourceSet(
          resources.clusters(),
          resources.endpoints(),
          resources.listeners(),
          resources.routes(),
          staticClusters);
    }

    private static <T> List<T> sorted(Collection<T> items, Function<T, String> name) {
      // Stable sort: duplicates keep their order, so "the second one" is well defined.
      return items.stream().sorted(Comparator.comparing(name)).toList();
    }
  }

  private final PgvRules rules;

  /**
   * @param registry the types {@code Any} fields may hold; anything else is reported as unknown.
   *     {@link EnvoyTypes#registry()} covers what Fairlead emits.
   */
  public XdsValidator(TypeRegistry registry) {
    this.rules = new PgvRules(registry, new EnvoySemantics());
  }

  /** A validator over {@link EnvoyTypes#registry()}. */
  public static XdsValidator withEnvoyTypes() {
    return new XdsValidator(EnvoyTypes.registry());
  }

  /**
   * PGV rules and Envoy semantics for one message of any type, e.g. a {@code Bootstrap}. A
   * top-level {@code ClusterLoadAssignment} is taken as an EDS resource.
   */
  public List<Violation> validateMessage(String resourceName, Message message) {
    List<Violation> out = new ArrayList<>();
    rules.walk(message, (path, text) -> out.add(new Violation(resourceName, path, text)));
    return List.copyOf(out);
  }

  public List<Violation> validate(
      Collection<Cluster> clusters,
      Collection<ClusterLoadAssignment> endpoints,
      Collection<Listener> listeners,
      Collection<RouteConfiguration> routes) {
    return validate(
        new ResourceSet(
            List.copyOf(clusters),
            List.copyOf(endpoints),
            List.copyOf(listeners),
            List.copyOf(routes),
            Set.of()));
  }

  public List<Violation> validate(XdsResources resources, Set<String> staticClusters) {
    return validate(ResourceSet.of(resources, staticClusters));
  }

  /** Each resource on its own, then the references between them. */
  public List<Violation> validate(ResourceSet set) {
    List<Violation> out = new ArrayList<>();
    List<Message> all = new ArrayList<>();
    all.addAll(set.clusters());
    all.addAll(set.endpoints());
    all.addAll(set.listeners());
    all.addAll(set.routes());
    for (Message resource : all) {
      out.addAll(validateMessage(CrossReferences.resourceId(resource), resource));
    }
    out.addAll(CrossReferences.check(set));
    return List.copyOf(out);
  }
}
