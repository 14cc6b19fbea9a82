package io.fairlead.xds;

import com.google.common.collect.Maps;
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
import io.fairlead.translators.GroupResources;
import io.fairlead.xds.ResourceDigests.Digested;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * A v3 snapshot whose versions are content hashes: each resource carries its own hash (used by
 * delta xDS), and a type's version is a hash over the names and hashes of its resources (or of the
 * requested ones, for SotW requests that name resources).
 */
final class HashedSnapshot extends Snapshot {

  private final Typed<Cluster> clusters;
  private final Typed<ClusterLoadAssignment> endpoints;
  private final Typed<Listener> listeners;
  private final Typed<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;
  private final Map<ResourceType, String> versions;

  /** How many clusters name each EDS service name, how many listeners each RDS name. */
  private final PMap<String, Integer> edsRefs;

  private final PMap<String, Integer> rdsRefs;

  /** The {@link GroupResources#id()} this snapshot was made from; 0 when made from lists. */
  private final long resourcesId;

  /**
   * When this snapshot was made by {@link #next} from another: that one's resources id and the
   * names that may have changed since, per type (a superset: a name may keep its version).
   */
  private final Optional<Changes> changes;

  /** The names that may differ from the snapshot made from resources {@code from}. */
  record Changes(long from, Map<ResourceType, Set<String>> names) {}

  private HashedSnapshot(
      Typed<Cluster> clusters,
      Typed<ClusterLoadAssignment> endpoints,
      Typed<Listener> listeners,
      Typed<RouteConfiguration> routes,
      PMap<String, Integer> edsRefs,
      PMap<String, Integer> rdsRefs,
      long resourcesId,
      Optional<Changes> changes) {
    this.changes = changes;
    this.clusters = clusters;
    this.endpoints = endpoints;
    this.listeners = listeners;
    this.routes = routes;
    this.edsRefs = edsRefs;
    this.rdsRefs = rdsRefs;
    this.resourcesId = resourcesId;
    this.secrets = SnapshotResources.create(List.<VersionedResource<Secret>>of(), names -> "");
    Map<ResourceType, String> byType = new EnumMap<>(ResourceType.class);
    byType.put(ResourceType.CLUSTER, clusters.version());
    byType.put(ResourceType.ENDPOINT, endpoints.version());
    byType.put(ResourceType.LISTENER, listeners.version());
    byType.put(ResourceType.ROUTE, routes.version());
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
    Typed<Cluster> c = Typed.of(clusters);
    Typed<Listener> l = Typed.of(listeners);
    try {
      return new HashedSnapshot(
          c,
          Typed.of(endpoints),
          l,
          Typed.of(routes),
          refs(c.resources.values(), HashedSnapshot::edsName),
          refs(l.resources.values(), HashedSnapshot::rdsNames),
          0,
          Optional.empty());
    } catch (UncheckedConsistency e) {
      throw (SnapshotConsistencyException) e.getCause();
    }
  }

  /**
   * A group's first snapshot, or one that cannot follow from the last: every resource digested,
   * every reference checked (as {@link #ensureConsistent()}).
   */
  static HashedSnapshot full(GroupResources resources, ResourceDigests digests)
      throws SnapshotConsistencyException {
    try {
      return fullUnchecked(resources, digests);
    } catch (UncheckedConsistency e) {
      throw (SnapshotConsistencyException) e.getCause();
    }
  }

  private static HashedSnapshot fullUnchecked(GroupResources resources, ResourceDigests digests)
      throws SnapshotConsistencyException {
    if (!resources.problems().isEmpty()) {
      throw new SnapshotConsistencyException(String.join("; ", resources.problems()));
    }
    List<Message> all = new ArrayList<>(resources.clusters().values());
    all.addAll(resources.endpoints().values());
    all.addAll(resources.listeners().values());
    all.addAll(resources.routes().values());
    digests.prepare(all);
    Typed<Cluster> c = Typed.of(digest(resources.clusters().values(), digests));
    Typed<Listener> l = Typed.of(digest(resources.listeners().values(), digests));
    HashedSnapshot snapshot =
        new HashedSnapshot(
            c,
            Typed.of(digest(resources.endpoints().values(), digests)),
            l,
            Typed.of(digest(resources.routes().values(), digests)),
            refs(c.resources.values(), HashedSnapshot::edsName),
            refs(l.resources.values(), HashedSnapshot::rdsNames),
            resources.id(),
            Optional.empty());
    // every name, by the reference counts just made: what ensureConsistent() checks, without
    // reading each listener's connection managers a second time
    Set<String> eds = new HashSet<>(snapshot.edsRefs.keySet());
    eds.addAll(snapshot.endpoints.resources.keySet());
    requireCounted(
        Resources.V3.CLUSTER_TYPE_URL,
        Resources.V3.ENDPOINT_TYPE_URL,
        eds,
        snapshot.edsRefs,
        snapshot.endpoints);
    Set<String> rds = new HashSet<>(snapshot.rdsRefs.keySet());
    rds.addAll(snapshot.routes.resources.keySet());
    requireCounted(
        Resources.V3.LISTENER_TYPE_URL,
        Resources.V3.ROUTE_TYPE_URL,
        rds,
        snapshot.rdsRefs,
        snapshot.routes);
    return snapshot;
  }

  /**
   * The snapshot that follows this one when {@code resources} carry a delta from the resources this
   * one was made from: only the changed names are digested, hashed into their type's version and
   * checked for references (this snapshot being consistent, the rest still is). Null when the delta
   * is not relative to this snapshot: then take {@link #full}.
   */
  HashedSnapshot next(GroupResources resources, ResourceDigests digests)
      throws SnapshotConsistencyException {
    try {
      return nextUnchecked(resources, digests);
    } catch (UncheckedConsistency e) {
      throw (SnapshotConsistencyException) e.getCause();
    }
  }

  private HashedSnapshot nextUnchecked(GroupResources resources, ResourceDigests digests)
      throws SnapshotConsistencyException {
    if (resources.delta().isEmpty() || resources.delta().get().base() != resourcesId) {
      return null;
    }
    GroupResources.Delta delta = resources.delta().get();
    Set<String> edsTouched = new HashSet<>(delta.endpoints());
    PMap<String, Integer> eds = edsRefs;
    for (String name : delta.clusters()) {
      VersionedResource<Cluster> old = clusters.resources.get(name);
      Cluster now = resources.clusters().get(name);
      if (old != null) {
        for (String e : edsName(old.resource())) {
          eds = count(eds, e, -1);
          edsTouched.add(e);
        }
      }
      if (now != null) {
        for (String e : edsName(now)) {
          eds = count(eds, e, 1);
          edsTouched.add(e);
        }
      }
    }
    Set<String> rdsTouched = new HashSet<>(delta.routes());
    PMap<String, Integer> rds = rdsRefs;
    for (String name : delta.listeners()) {
      VersionedResource<Listener> old = listeners.resources.get(name);
      Listener now = resources.listeners().get(name);
      if (old != null) {
        for (String r : rdsNames(old.resource())) {
          rds = count(rds, r, -1);
          rdsTouched.add(r);
        }
      }
      if (now != null) {
        for (String r : rdsNames(now)) {
          rds = count(rds, r, 1);
          rdsTouched.add(r);
        }
      }
    }
    Typed<Cluster> c =
        clusters.with(
            Resources.V3.CLUSTER_TYPE_URL, delta.clusters(), resources.clusters(), digests);
    Typed<ClusterLoadAssignment> e =
        endpoints.with(
            Resources.V3.ENDPOINT_TYPE_URL, delta.endpoints(), resources.endpoints(), digests);
    Typed<Listener> l =
        listeners.with(
            Resources.V3.LISTENER_TYPE_URL, delta.listeners(), resources.listeners(), digests);
    Typed<RouteConfiguration> r =
        routes.with(Resources.V3.ROUTE_TYPE_URL, delta.routes(), resources.routes(), digests);
    requireCounted(
        Resources.V3.CLUSTER_TYPE_URL, Resources.V3.ENDPOINT_TYPE_URL, edsTouched, eds, e);
    requireCounted(Resources.V3.LISTENER_TYPE_URL, Resources.V3.ROUTE_TYPE_URL, rdsTouched, rds, r);
    Map<ResourceType, Set<String>> names = new EnumMap<>(ResourceType.class);
    names.put(ResourceType.CLUSTER, delta.clusters());
    names.put(ResourceType.ENDPOINT, delta.endpoints());
    names.put(ResourceType.LISTENER, delta.listeners());
    names.put(ResourceType.ROUTE, delta.routes());
    return new HashedSnapshot(
        c, e, l, r, eds, rds, resources.id(), Optional.of(new Changes(resourcesId, names)));
  }

  /** The {@link GroupResources#id()} this snapshot was made from. */
  long resourcesId() {
    return resourcesId;
  }

  /** A snapshot with the same resources, known as made from {@code id}. */
  HashedSnapshot madeFrom(long id) {
    return new HashedSnapshot(
        clusters, endpoints, listeners, routes, edsRefs, rdsRefs, id, Optional.empty());
  }

  /** What changed since the snapshot this one followed, when {@link #next} made it. */
  Optional<Changes> changes() {
    return changes;
  }

  /**
   * One type's resources by name, in name order: the same instance for as long as the type does not
   * change, so two snapshots share a type's resources exactly when this is the same object.
   */
  SortedMap<String, ? extends VersionedResource<?>> typed(ResourceType type) {
    return switch (type) {
      case CLUSTER -> clusters.resources;
      case ENDPOINT -> endpoints.resources;
      case LISTENER -> listeners.resources;
      case ROUTE -> routes.resources;
      default -> TreePMap.empty();
    };
  }

  /** The resources of one type, by name, in name order. */
  Collection<VersionedResource<Cluster>> clusterList() {
    return clusters.resources.values();
  }

  Collection<VersionedResource<ClusterLoadAssignment>> endpointList() {
    return endpoints.resources.values();
  }

  Collection<VersionedResource<Listener>> listenerList() {
    return listeners.resources.values();
  }

  Collection<VersionedResource<RouteConfiguration>> routeList() {
    return routes.resources.values();
  }

  private static <T extends Message> List<Digested<T>> digest(
      Collection<T> resources, ResourceDigests digests) {
    List<Digested<T>> out = new ArrayList<>(resources.size());
    for (T r : resources) {
      out.add(digests.digest(r));
    }
    return out;
  }

  private static PMap<String, Integer> count(PMap<String, Integer> counts, String name, int by) {
    int now = counts.getOrDefault(name, 0) + by;
    return now == 0 ? counts.minus(name) : counts.plus(name, now);
  }

  private static <T extends Message> PMap<String, Integer> refs(
      Collection<VersionedResource<T>> resources,
      java.util.function.Function<T, List<String>> names) {
    Map<String, Integer> counts = new java.util.HashMap<>();
    for (VersionedResource<T> r : resources) {
      for (String n : names.apply(r.resource())) {
        counts.merge(n, 1, Integer::sum);
      }
    }
    return HashTreePMap.from(counts);
  }

  /** The EDS service name a cluster takes its endpoints from, if it is an EDS cluster. */
  private static List<String> edsName(Cluster cluster) {
    if (cluster.getType() != Cluster.DiscoveryType.EDS) {
      return List.of();
    }
    String serviceName = cluster.getEdsClusterConfig().getServiceName();
    return List.of(serviceName.isEmpty() ? cluster.getName() : serviceName);
  }

  /** The route configurations a listener's connection managers take by RDS. */
  private static List<String> rdsNames(Listener listener) {
    try {
      List<String> names = new ArrayList<>();
      for (HttpConnectionManager manager : connectionManagers(listener)) {
        if (manager.hasRds()) {
          names.add(manager.getRds().getRouteConfigName());
        }
      }
      return names;
    } catch (SnapshotConsistencyException e) {
      throw new UncheckedConsistency(e);
    }
  }

  /** Carries an unreadable listener out of the lambdas that count references. */
  private static final class UncheckedConsistency extends RuntimeException {
    UncheckedConsistency(SnapshotConsistencyException cause) {
      super(cause);
    }
  }

  /**
   * For each touched child name: referenced (counted) if and only if present. The rest is as it was
   * in a consistent snapshot.
   */
  private static void requireCounted(
      String parentType,
      String childType,
      Set<String> touched,
      PMap<String, Integer> counts,
      Typed<?> children)
      throws SnapshotConsistencyException {
    SortedSet<String> referenced = new TreeSet<>();
    SortedSet<String> present = new TreeSet<>();
    for (String name : touched) {
      if (counts.containsKey(name)) {
        referenced.add(name);
      }
      if (children.resources.containsKey(name)) {
        present.add(name);
      }
    }
    requireExactly(parentType, childType, referenced, present);
  }

  /** The version of each resource type (secrets are never served). */
  Map<ResourceType, String> versions() {
    return versions;
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters.served;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints.served;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners.served;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes.served;
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
    for (Cluster cluster : clusters.served.resources().values()) {
      if (cluster.getType() == Cluster.DiscoveryType.EDS) {
        String serviceName = cluster.getEdsClusterConfig().getServiceName();
        edsNames.add(serviceName.isEmpty() ? cluster.getName() : serviceName);
      }
    }
    requireExactly(
        Resources.V3.CLUSTER_TYPE_URL,
        Resources.V3.ENDPOINT_TYPE_URL,
        edsNames,
        endpoints.resources.keySet());

    SortedSet<String> rdsNames = new TreeSet<>();
    for (Listener listener : listeners.served.resources().values()) {
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
        routes.resources.keySet());
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

  /**
   * One type's resources as a persistent map by name, with their version: a sum, in two 64-bit
   * lanes, of a hash of each name with its content version. The sum does not depend on order, so a
   * change updates it in O(1) per changed name; equal resources give equal versions across restarts
   * and replicas.
   */
  static final class Typed<T extends Message> {
    final PSortedMap<String, VersionedResource<T>> resources;
    private final long high;
    private final long low;
    final SnapshotResources<T> served;

    private Typed(PSortedMap<String, VersionedResource<T>> resources, long high, long low) {
      this.resources = resources;
      this.high = high;
      this.low = low;
      String all = ResourceDigests.hex(high, low);
      Map<String, T> plain = Maps.transformValues(resources, VersionedResource::resource);
      ResourceVersionResolver resolver =
          names -> {
            if (names.isEmpty()) {
              return all;
            }
            // A SotW request naming resources gets the version of just those, so a change to
            // another endpoint does not re-send this proxy's.
            long h = 0;
            long l = 0;
            for (String name : new TreeSet<>(names)) {
              VersionedResource<T> r = resources.get(name);
              long[] one = ResourceDigests.nameHash(name, r == null ? "-" : r.version());
              h += one[0];
              l += one[1];
            }
            return ResourceDigests.hex(h, l);
          };
      this.served =
          new SnapshotResources<T>() {
            @Override
            public Map<String, VersionedResource<T>> versionedResources() {
              return resources;
            }

            @Override
            public Map<String, T> resources() {
              return plain;
            }

            @Override
            public ResourceVersionResolver resourceVersionResolver() {
              return resolver;
            }
          };
    }

    static <T extends Message> Typed<T> of(List<Digested<T>> digested) {
      SortedMap<String, VersionedResource<T>> byName = new TreeMap<>();
      String[] names = new String[digested.size()];
      for (int i = 0; i < names.length; i++) {
        Digested<T> d = digested.get(i);
        names[i] = Resources.getResourceName(d.resource());
        byName.put(names[i], VersionedResource.create(d.resource(), d.version()));
      }
      // a sum does not depend on the order it is taken in: many names are hashed on the common
      // pool as well as this thread (a group's first state)
      long[][] hashes = new long[names.length][];
      IntStream indexes = IntStream.range(0, names.length);
      if (names.length >= ResourceDigests.PARALLEL_DIGESTS) {
        indexes = indexes.parallel();
      }
      indexes.forEach(
          i -> hashes[i] = ResourceDigests.nameHash(names[i], digested.get(i).version()));
      long h = 0;
      long l = 0;
      for (long[] one : hashes) {
        h += one[0];
        l += one[1];
      }
      return new Typed<>(TreePMap.fromSortedMap(byName), h, l);
    }

    String version() {
      return served.version();
    }

    /** With the resources of the changed names as they are in {@code now}. */
    Typed<T> with(String type, Set<String> changed, Map<String, T> now, ResourceDigests digests)
        throws SnapshotConsistencyException {
      if (changed.isEmpty()) {
        return this;
      }
      PSortedMap<String, VersionedResource<T>> map = resources;
      long h = high;
      long l = low;
      for (String name : changed) {
        if (name.isEmpty()) {
          throw new SnapshotConsistencyException(shortType(type) + " without a name");
        }
        VersionedResource<T> old = map.get(name);
        if (old != null) {
          long[] one = ResourceDigests.nameHash(name, old.version());
          h -= one[0];
          l -= one[1];
          map = map.minus(name);
        }
        T resource = now.get(name);
        if (resource != null) {
          Digested<T> d = digests.digest(resource);
          long[] one = ResourceDigests.nameHash(name, d.version());
          h += one[0];
          l += one[1];
          map = map.plus(name, VersionedResource.create(d.resource(), d.version()));
        }
      }
      return new Typed<>(map, h, l);
    }
  }
}
