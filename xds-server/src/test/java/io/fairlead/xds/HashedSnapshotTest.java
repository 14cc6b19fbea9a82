package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.SnapshotConsistencyException;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.fairlead.xds.ResourceDigests.Digested;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashedSnapshotTest {

  private final ResourceDigests digests = new ResourceDigests();

  private HashedSnapshot snapshot(
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners,
      List<RouteConfiguration> routes)
      throws SnapshotConsistencyException {
    return HashedSnapshot.of(d(clusters), d(endpoints), d(listeners), d(routes));
  }

  private <T extends Message> List<Digested<T>> d(List<T> resources) {
    return resources.stream().map(digests::digest).toList();
  }

  @Test
  void rdsAndApiListenersAreConsistentThoughTheLibraryCheckRejectsThem() throws Exception {
    var resources = Fixtures.resources(5000);
    HashedSnapshot snapshot =
        snapshot(
            resources.clusters(), resources.endpoints(), resources.listeners(), resources.routes());
    snapshot.ensureConsistent();

    // Why the check is replaced: the library only knows the deprecated filter name.
    Snapshot library =
        Snapshot.create(
            resources.clusters(),
            resources.endpoints(),
            resources.listeners(),
            resources.routes(),
            List.of(),
            "v1");
    assertThatThrownBy(library::ensureConsistent).isInstanceOf(SnapshotConsistencyException.class);
  }

  @Test
  void missingAndUnreferencedResourcesAreInconsistent() throws Exception {
    Cluster cluster = Fixtures.cluster("a");
    assertThatThrownBy(
            () -> snapshot(List.of(cluster), List.of(), List.of(), List.of()).ensureConsistent())
        .hasMessageContaining("[a] referenced by a Cluster but not in the snapshot");
    assertThatThrownBy(
            () ->
                snapshot(List.of(), List.of(Fixtures.endpoints("b", 1)), List.of(), List.of())
                    .ensureConsistent())
        .hasMessageContaining("[b] in the snapshot but referenced by no Cluster");
    assertThatThrownBy(
            () ->
                snapshot(List.of(), List.of(), List.of(Fixtures.rdsListener("l", "r")), List.of())
                    .ensureConsistent())
        .hasMessageContaining("RouteConfiguration [r] referenced by a Listener");
  }

  @Test
  void edsServiceNameIsTheReference() throws Exception {
    Cluster cluster =
        Fixtures.cluster("a").toBuilder()
            .setEdsClusterConfig(
                Fixtures.cluster("a").getEdsClusterConfig().toBuilder().setServiceName("svc-a"))
            .build();
    snapshot(List.of(cluster), List.of(Fixtures.endpoints("svc-a", 1)), List.of(), List.of())
        .ensureConsistent();
  }

  @Test
  void duplicateNamesAreRejected() {
    assertThatThrownBy(
            () ->
                snapshot(
                    List.of(Fixtures.cluster("a"), Fixtures.cluster("a")),
                    List.of(),
                    List.of(),
                    List.of()))
        .isInstanceOf(SnapshotConsistencyException.class)
        .hasMessageContaining("'a' appears twice");
  }

  @Test
  void namedRequestsGetTheVersionOfJustTheirResources() throws Exception {
    List<Cluster> clusters = List.of(Fixtures.cluster("a"), Fixtures.cluster("b"));
    HashedSnapshot before =
        snapshot(
            clusters,
            List.of(Fixtures.endpoints("a", 1), Fixtures.endpoints("b", 1)),
            List.of(),
            List.of());
    HashedSnapshot after =
        snapshot(
            clusters,
            List.of(Fixtures.endpoints("a", 1), Fixtures.endpoints("b", 2)),
            List.of(),
            List.of());

    assertThat(after.version(ResourceType.ENDPOINT))
        .isNotEqualTo(before.version(ResourceType.ENDPOINT));
    assertThat(after.version(ResourceType.ENDPOINT, List.of("a")))
        .isEqualTo(before.version(ResourceType.ENDPOINT, List.of("a")));
    assertThat(after.version(ResourceType.ENDPOINT, List.of("b")))
        .isNotEqualTo(before.version(ResourceType.ENDPOINT, List.of("b")));
    assertThat(after.version(ResourceType.ENDPOINT, List.of("a", "b")))
        .isEqualTo(after.version(ResourceType.ENDPOINT, List.of("b", "a")));
  }

  @Test
  void mapFieldOrderDoesNotChangeTheVersion() {
    Any options = Any.pack(HttpProtocolOptions.getDefaultInstance());
    Cluster oneOrder =
        Fixtures.cluster("a").toBuilder()
            .putTypedExtensionProtocolOptions("x.first", options)
            .putTypedExtensionProtocolOptions("x.second", options)
            .build();
    Cluster otherOrder =
        Fixtures.cluster("a").toBuilder()
            .putTypedExtensionProtocolOptions("x.second", options)
            .putTypedExtensionProtocolOptions("x.first", options)
            .build();
    assertThat(new ResourceDigests().digest(oneOrder).version())
        .isEqualTo(new ResourceDigests().digest(otherOrder).version());
  }

  /**
   * A delta is checked for the names it touches only, and that is enough: a removed endpoint
   * assignment still named by a cluster, a route no listener names, and a cluster whose endpoints
   * are missing are each caught; an equal change keeps every version.
   */
  @Test
  void aDeltaIsCheckedForTheNamesItTouches() throws Exception {
    io.fairlead.translators.GroupResources base =
        io.fairlead.translators.GroupResources.of(Fixtures.resources(5000));
    HashedSnapshot first = HashedSnapshot.full(base, digests);

    var withoutEndpoints =
        delta(
            base,
            base.clusters(),
            base.endpoints().minus(Fixtures.CLUSTER),
            base.routes(),
            java.util.Set.of(),
            java.util.Set.of(Fixtures.CLUSTER),
            java.util.Set.of());
    assertThatThrownBy(() -> first.next(withoutEndpoints, digests))
        .isInstanceOf(SnapshotConsistencyException.class)
        .hasMessageContaining("referenced by a Cluster but not in the snapshot");

    var strayRoute =
        delta(
            base,
            base.clusters(),
            base.endpoints(),
            base.routes().plus("stray", Fixtures.route("stray", Fixtures.CLUSTER)),
            java.util.Set.of(),
            java.util.Set.of(),
            java.util.Set.of("stray"));
    assertThatThrownBy(() -> first.next(strayRoute, digests))
        .isInstanceOf(SnapshotConsistencyException.class)
        .hasMessageContaining("referenced by no Listener");

    var strayCluster =
        delta(
            base,
            base.clusters().plus("other", Fixtures.cluster("other")),
            base.endpoints(),
            base.routes(),
            java.util.Set.of("other"),
            java.util.Set.of(),
            java.util.Set.of());
    assertThatThrownBy(() -> first.next(strayCluster, digests))
        .isInstanceOf(SnapshotConsistencyException.class)
        .hasMessageContaining("[other] referenced by a Cluster");

    var moved =
        delta(
            base,
            base.clusters(),
            base.endpoints().plus(Fixtures.CLUSTER, Fixtures.endpoints(Fixtures.CLUSTER, 5001)),
            base.routes(),
            java.util.Set.of(),
            java.util.Set.of(Fixtures.CLUSTER),
            java.util.Set.of());
    HashedSnapshot next = first.next(moved, digests);
    HashedSnapshot scratch =
        HashedSnapshot.full(
            io.fairlead.translators.GroupResources.of(Fixtures.resources(5001)), digests);
    assertThat(next.versions()).isEqualTo(scratch.versions());
    assertThat(next.version(ResourceType.CLUSTER)).isEqualTo(first.version(ResourceType.CLUSTER));
    assertThat(next.version(ResourceType.ENDPOINT))
        .isNotEqualTo(first.version(ResourceType.ENDPOINT));
    var unrelated =
        new io.fairlead.translators.GroupResources(
            moved.id() + 1,
            moved.clusters(),
            moved.endpoints(),
            moved.listeners(),
            moved.routes(),
            moved.diagnostics(),
            java.util.Optional.of(
                new io.fairlead.translators.GroupResources.Delta(
                    -1,
                    java.util.Set.of(),
                    java.util.Set.of(),
                    java.util.Set.of(),
                    java.util.Set.of())),
            List.of());
    assertThat(first.next(unrelated, digests)).as("a delta from other resources").isNull();
  }

  private static io.fairlead.translators.GroupResources delta(
      io.fairlead.translators.GroupResources base,
      org.pcollections.PSortedMap<String, Cluster> clusters,
      org.pcollections.PSortedMap<String, ClusterLoadAssignment> endpoints,
      org.pcollections.PSortedMap<String, RouteConfiguration> routes,
      java.util.Set<String> changedClusters,
      java.util.Set<String> changedEndpoints,
      java.util.Set<String> changedRoutes) {
    return new io.fairlead.translators.GroupResources(
        base.id() + 1_000_000,
        clusters,
        endpoints,
        base.listeners(),
        routes,
        base.diagnostics(),
        java.util.Optional.of(
            new io.fairlead.translators.GroupResources.Delta(
                base.id(), changedClusters, changedEndpoints, java.util.Set.of(), changedRoutes)),
        List.of());
  }
}
