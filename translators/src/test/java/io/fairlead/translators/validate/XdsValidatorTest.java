package io.fairlead.translators.validate;

import static io.fairlead.translators.validate.EnvoyFixtures.cluster;
import static io.fairlead.translators.validate.EnvoyFixtures.endpoint;
import static io.fairlead.translators.validate.EnvoyFixtures.endpoints;
import static io.fairlead.translators.validate.EnvoyFixtures.hcm;
import static io.fairlead.translators.validate.EnvoyFixtures.headerHash;
import static io.fairlead.translators.validate.EnvoyFixtures.listener;
import static io.fairlead.translators.validate.EnvoyFixtures.policy;
import static io.fairlead.translators.validate.EnvoyFixtures.routes;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.fairlead.translators.xds.XdsResources;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class XdsValidatorTest {

  private final XdsValidator validator = XdsValidator.withEnvoyTypes();

  @Test
  void realisticCorrectSetPasses() {
    List<Violation> violations =
        validator.validate(
            List.of(cluster().build()),
            List.of(endpoints().build()),
            List.of(listener().build()),
            List.of(routes().build()));

    assertThat(violations).isEmpty();
  }

  @Test
  void acceptsTranslatorOutputWithStaticClusters() {
    RouteConfiguration toStatic =
        routes()
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("admin")
                    .addDomains("admin")
                    .addRoutes(
                        routes().getVirtualHosts(0).getRoutes(0).toBuilder()
                            .setRoute(
                                routes().getVirtualHosts(0).getRoutes(0).getRoute().toBuilder()
                                    .setCluster("xds_cluster"))))
            .build();
    XdsResources resources =
        new XdsResources(
            List.of(cluster().build()),
            List.of(endpoints().build()),
            List.of(listener().build()),
            List.of(toStatic),
            List.of());

    assertThat(validator.validate(resources, Set.of("xds_cluster"))).isEmpty();
    assertThat(validator.validate(resources, Set.of()))
        .extracting(Violation::message)
        .containsExactly("no Cluster named 'xds_cluster'");
  }

  @Test
  void clusterWithEmptyName() {
    assertThat(validator.validateMessage("c", cluster().setName("").build()))
        .containsExactly(
            new Violation("c", "name", "value must be at least 1 characters long, is 0"));
  }

  @Test
  void maglevTableSizeAboveTheLimitOrNotPrime() {
    String path =
        "load_balancing_policy.policies[0].typed_extension_config.typed_config.table_size";

    assertThat(validator.validateMessage("c", maglev(5_000_012)))
        .containsExactly(new Violation("c", path, "value 5000012 must be <= 5000011"));
    assertThat(validator.validateMessage("c", maglev(1000)))
        .containsExactly(new Violation("c", path, "Maglev table_size 1000 must be a prime number"));
    assertThat(validator.validateMessage("c", maglev(65537))).isEmpty();
    assertThat(validator.validateMessage("c", maglev(5_000_011))).isEmpty();
  }

  @Test
  void endpointPortAboveRange() {
    ClusterLoadAssignment cla =
        endpoints()
            .setEndpoints(
                0,
                endpoints().getEndpoints(0).toBuilder()
                    .setLbEndpoints(1, endpoint("10.0.0.2", 70000)))
            .build();

    assertThat(validator.validateMessage("e", cla))
        .containsExactly(
            new Violation(
                "e",
                "endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value",
                "value 70000 must be <= 65535"));
  }

  @Test
  void endpointPortInsideAClusterLoadAssignmentField() {
    Cluster c =
        cluster()
            .setType(Cluster.DiscoveryType.STATIC)
            .clearEdsClusterConfig()
            .setLoadAssignment(
                endpoints()
                    .setEndpoints(
                        0,
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(endpoint("10.0.0.1", 80))
                            .addLbEndpoints(endpoint("10.0.0.2", 70000))))
            .build();

    assertThat(validator.validateMessage("c", c))
        .containsExactly(
            new Violation(
                "c",
                "load_assignment.endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value",
                "value 70000 must be <= 65535"));
  }

  @Test
  void invalidHeaderNameInHashPolicy() {
    RouteConfiguration rc =
        routes()
            .setVirtualHosts(
                0,
                routes().getVirtualHosts(0).toBuilder()
                    .setRoutes(
                        0,
                        routes().getVirtualHosts(0).getRoutes(0).toBuilder()
                            .setRoute(
                                routes().getVirtualHosts(0).getRoutes(0).getRoute().toBuilder()
                                    .setHashPolicy(0, headerHash("x-user\r\nx-evil: 1")))))
            .build();

    assertThat(validator.validateMessage("r", rc))
        .containsExactly(
            new Violation(
                "r",
                "virtual_hosts[0].routes[0].route.hash_policy[0].header.header_name",
                "value \"x-user\\x0d\\x0ax-evil: 1\" is not a valid HTTP header name: contains NUL, CR or LF"));
  }

  @Test
  void anyOfAnUnknownType() {
    Listener l =
        listener()
            .setFilterChains(
                0,
                listener().getFilterChains(0).toBuilder()
                    .setFilters(
                        0,
                        listener().getFilterChains(0).getFilters(0).toBuilder()
                            .setTypedConfig(
                                Any.newBuilder().setTypeUrl("type.googleapis.com/acme.Mystery"))))
            .build();

    assertThat(validator.validateMessage("l", l))
        .containsExactly(
            new Violation(
                "l",
                "filter_chains[0].filters[0].typed_config",
                "unknown type URL 'type.googleapis.com/acme.Mystery' cannot validate"));
  }

  @Test
  void registryDecidesWhatIsKnown() {
    XdsValidator bare = new XdsValidator(TypeRegistry.getEmptyTypeRegistry());

    assertThat(bare.validateMessage("c", cluster().build()))
        .extracting(Violation::message)
        .containsExactly(
            "unknown type URL 'type.googleapis.com/envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin' cannot validate");
  }

  @Test
  void bootstrapIsWalkedLikeAnyMessage() {
    Bootstrap bootstrap =
        Bootstrap.newBuilder()
            .setStaticResources(
                Bootstrap.StaticResources.newBuilder()
                    .addListeners(
                        listener(
                            hcm()
                                .clearHttpFilters()
                                .addHttpFilters(
                                    HttpFilter.newBuilder().setName("envoy.filters.http.cors"))
                                .build()))
                    .addClusters(cluster().setName("")))
            .build();

    assertThat(validator.validateMessage("bootstrap", bootstrap))
        .containsExactly(
            new Violation(
                "bootstrap",
                "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0]",
                "the last http filter must be the router, not 'envoy.filters.http.cors'"),
            new Violation(
                "bootstrap",
                "static_resources.clusters[0].name",
                "value must be at least 1 characters long, is 0"));
  }

  @Test
  void resourcesAreNamedByTypeAndOrderDoesNotMatter() {
    Cluster a = withoutServiceName("a");
    Cluster b = withoutServiceName("b");

    List<Violation> forward =
        validator.validate(List.of(a, b), List.of(endpoints().build()), List.of(), List.of());
    List<Violation> backward =
        validator.validate(List.of(b, a), List.of(endpoints().build()), List.of(), List.of());

    assertThat(forward).isEqualTo(backward);
    assertThat(forward)
        .extracting(Violation::toString)
        .containsExactly(
            "Cluster/a name: EDS cluster has no ClusterLoadAssignment named 'a'",
            "Cluster/b name: EDS cluster has no ClusterLoadAssignment named 'b'");
  }

  private static Cluster withoutServiceName(String name) {
    return cluster()
        .setName(name)
        .setEdsClusterConfig(cluster().getEdsClusterConfig().toBuilder().clearServiceName())
        .build();
  }

  private static Cluster maglev(long tableSize) {
    return cluster()
        .setLoadBalancingPolicy(
            policy(
                "envoy.load_balancing_policies.maglev",
                Maglev.newBuilder().setTableSize(UInt64Value.of(tableSize)).build()))
        .build();
  }
}
