package io.fairlead.translators.validate;

import static io.fairlead.translators.validate.EnvoyFixtures.CLUSTER;
import static io.fairlead.translators.validate.EnvoyFixtures.cluster;
import static io.fairlead.translators.validate.EnvoyFixtures.endpoints;
import static io.fairlead.translators.validate.EnvoyFixtures.hcm;
import static io.fairlead.translators.validate.EnvoyFixtures.listener;
import static io.fairlead.translators.validate.EnvoyFixtures.networkFilter;
import static io.fairlead.translators.validate.EnvoyFixtures.routes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** References between resources of one set. */
class CrossReferencesTest {

  private final XdsValidator validator = XdsValidator.withEnvoyTypes();

  private List<String> problems(
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners,
      List<RouteConfiguration> routes) {
    return validator.validate(clusters, endpoints, listeners, routes).stream()
        .map(Violation::toString)
        .toList();
  }

  @Test
  void edsClusterWithoutAssignment() {
    assertThat(problems(List.of(cluster().build()), List.of(), List.of(), List.of()))
        .containsExactly(
            "Cluster/"
                + CLUSTER
                + " eds_cluster_config.service_name: EDS cluster has no ClusterLoadAssignment named '"
                + CLUSTER
                + "'");
    assertThat(
            problems(
                List.of(cluster().build()), List.of(endpoints().build()), List.of(), List.of()))
        .isEmpty();
  }

  @Test
  void edsClusterWithoutServiceNameUsesItsOwnName() {
    Cluster c =
        cluster()
            .setName("named")
            .setEdsClusterConfig(cluster().getEdsClusterConfig().toBuilder().clearServiceName())
            .build();

    assertThat(
            problems(
                List.of(c),
                List.of(endpoints().setClusterName("named").build()),
                List.of(),
                List.of()))
        .isEmpty();
    assertThat(problems(List.of(c), List.of(endpoints().build()), List.of(), List.of()))
        .containsExactly(
            "Cluster/named name: EDS cluster has no ClusterLoadAssignment named 'named'");
  }

  @Test
  void twoListenersOnOneAddress() {
    Listener a = listener().setName("a").build();
    Listener b = listener().setName("b").build();

    assertThat(
            problems(
                List.of(cluster().build()),
                List.of(endpoints().build()),
                List.of(a, b),
                List.of(routes().build())))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("Listener/b address: address ")
                    .endsWith("is also listener 'a''s"));
    assertThat(
            problems(
                List.of(cluster().build()),
                List.of(endpoints().build()),
                List.of(a),
                List.of(routes().build())))
        .noneSatisfy(p -> assertThat(p).contains("is also listener"));
  }

  @Test
  void danglingRdsName() {
    Listener l =
        listener(
                hcm()
                    .setRds(
                        Rds.newBuilder()
                            .setConfigSource(EnvoyFixtures.ads())
                            .setRouteConfigName("missing"))
                    .build())
            .build();

    assertThat(
            problems(
                List.of(cluster().build()),
                List.of(endpoints().build()),
                List.of(l),
                List.of(routes().build())))
        .containsExactly(
            "Listener/"
                + l.getName()
                + " filter_chains[0].filters[0].typed_config.rds.route_config_name: no RouteConfiguration named 'missing'");
  }

  @Test
  void danglingRdsNameOfAnApiListener() {
    Listener proxyless =
        Listener.newBuilder()
            .setName("echo:8080")
            .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm().build())))
            .build();

    assertThat(problems(List.of(), List.of(), List.of(proxyless), List.of()))
        .containsExactly(
            "Listener/echo:8080 api_listener.api_listener.rds.route_config_name: no RouteConfiguration named 'outbound-http'");
  }

  @Test
  void routeToUnknownCluster() {
    RouteConfiguration rc = routes().build();

    assertThat(problems(List.of(), List.of(), List.of(), List.of(rc)))
        .containsExactly(
            "RouteConfiguration/outbound-http virtual_hosts[0].routes[0].route.cluster: no Cluster named '"
                + CLUSTER
                + "'");
  }

  @Test
  void staticClustersCountAsKnown() {
    XdsValidator.ResourceSet set =
        new XdsValidator.ResourceSet(
            List.of(), List.of(), List.of(), List.of(routes().build()), Set.of(CLUSTER));

    assertThat(validator.validate(set)).isEmpty();
  }

  @Test
  void weightedAndMirrorClustersMustExist() {
    RouteConfiguration.Builder rc = routes();
    rc.getVirtualHostsBuilder(0)
        .getRoutesBuilder(0)
        .setRoute(
            RouteAction.newBuilder()
                .setWeightedClusters(
                    WeightedCluster.newBuilder()
                        .addClusters(
                            WeightedCluster.ClusterWeight.newBuilder()
                                .setName(CLUSTER)
                                .setWeight(UInt32Value.of(1)))
                        .addClusters(
                            WeightedCluster.ClusterWeight.newBuilder()
                                .setName("gone")
                                .setWeight(UInt32Value.of(1))))
                .addRequestMirrorPolicies(
                    RouteAction.RequestMirrorPolicy.newBuilder().setCluster("shadow")));

    assertThat(
            problems(
                List.of(cluster().build()),
                List.of(endpoints().build()),
                List.of(),
                List.of(rc.build())))
        .containsExactly(
            "RouteConfiguration/outbound-http virtual_hosts[0].routes[0].route.weighted_clusters.clusters[1].name: no Cluster named 'gone'",
            "RouteConfiguration/outbound-http virtual_hosts[0].routes[0].route.request_mirror_policies[0].cluster: no Cluster named 'shadow'");
  }

  @Test
  void inlineRouteConfigClustersMustExist() {
    Listener l = listener(hcm().setRouteConfig(routes()).build()).build();

    assertThat(problems(List.of(), List.of(), List.of(l), List.of()))
        .containsExactly(
            "Listener/"
                + l.getName()
                + " filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].route.cluster: no Cluster named '"
                + CLUSTER
                + "'");
  }

  @Test
  void tcpProxyClusterMustExist() {
    Listener l =
        listener()
            .setFilterChains(
                0,
                FilterChain.newBuilder()
                    .addFilters(
                        networkFilter(
                            "envoy.filters.network.tcp_proxy",
                            TcpProxy.newBuilder().setStatPrefix("tcp").setCluster("db").build())))
            .build();

    assertThat(problems(List.of(), List.of(), List.of(l), List.of()))
        .containsExactly(
            "Listener/"
                + l.getName()
                + " filter_chains[0].filters[0].typed_config.cluster: no Cluster named 'db'");
    assertThat(
            validator.validate(
                new XdsValidator.ResourceSet(
                    List.of(), List.of(), List.of(l), List.of(), Set.of("db"))))
        .isEmpty();
  }

  @Test
  void namesUniquePerType() {
    Cluster c = cluster().build();
    RouteConfiguration rc = routes().build();

    assertThat(
            problems(
                List.of(c, c),
                List.of(endpoints().build(), endpoints().build()),
                List.of(),
                List.of(rc, rc)))
        .containsExactly(
            "Cluster/" + CLUSTER + " name: another Cluster has the same name",
            "ClusterLoadAssignment/"
                + CLUSTER
                + " cluster_name: another ClusterLoadAssignment has the same name",
            "RouteConfiguration/outbound-http name: another RouteConfiguration has the same name");
    // A cluster and its assignment share a name: that is how EDS finds them.
    assertThat(problems(List.of(c), List.of(endpoints().build()), List.of(), List.of())).isEmpty();
  }
}
