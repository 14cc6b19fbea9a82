package io.fairlead.translators.validate;

import static io.fairlead.translators.validate.EnvoyFixtures.address;
import static io.fairlead.translators.validate.EnvoyFixtures.cluster;
import static io.fairlead.translators.validate.EnvoyFixtures.endpoint;
import static io.fairlead.translators.validate.EnvoyFixtures.endpoints;
import static io.fairlead.translators.validate.EnvoyFixtures.hcm;
import static io.fairlead.translators.validate.EnvoyFixtures.listener;
import static io.fairlead.translators.validate.EnvoyFixtures.networkFilter;
import static io.fairlead.translators.validate.EnvoyFixtures.policy;
import static io.fairlead.translators.validate.EnvoyFixtures.router;
import static io.fairlead.translators.validate.EnvoyFixtures.routes;
import static io.fairlead.translators.validate.EnvoyFixtures.virtualHost;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.load_balancing_policies.cluster_provided.v3.ClusterProvided;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envoy's load-time checks beyond PGV, each with a breaking and a passing config. */
class EnvoySemanticsTest {

  private final XdsValidator validator = XdsValidator.withEnvoyTypes();

  private List<String> problems(com.google.protobuf.Message m) {
    return validator.validateMessage("r", m).stream()
        .map(v -> v.path() + ": " + v.message())
        .toList();
  }

  // ---- clusters ----

  @Test
  void legacyMaglevTableSizeMustBePrime() {
    Cluster.Builder c = cluster().clearLoadBalancingPolicy().setLbPolicy(Cluster.LbPolicy.MAGLEV);

    assertThat(
            problems(
                c.setMaglevLbConfig(
                        Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(1000)))
                    .build()))
        .containsExactly(
            "maglev_lb_config.table_size: Maglev table_size 1000 must be a prime number");
    assertThat(
            problems(
                c.setMaglevLbConfig(
                        Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(65537)))
                    .build()))
        .isEmpty();
  }

  @Test
  void grpcHealthChecksNeedAnHttp2Cluster() {
    io.envoyproxy.envoy.config.core.v3.HealthCheck grpc =
        io.envoyproxy.envoy.config.core.v3.HealthCheck.newBuilder()
            .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1))
            .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(5))
            .setUnhealthyThreshold(com.google.protobuf.UInt32Value.of(3))
            .setHealthyThreshold(com.google.protobuf.UInt32Value.of(1))
            .setGrpcHealthCheck(
                io.envoyproxy.envoy.config.core.v3.HealthCheck.GrpcHealthCheck.getDefaultInstance())
            .build();
    Cluster.Builder c = cluster().addHealthChecks(grpc);

    assertThat(problems(c.build()))
        .containsExactly(
            "health_checks[0].grpc_health_check: gRPC health checks need an HTTP/2 cluster (http2_protocol_options)");
    c.putTypedExtensionProtocolOptions(
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        com.google.protobuf.Any.pack(
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                .setExplicitHttpConfig(
                    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                        .ExplicitHttpConfig.newBuilder()
                        .setHttp2ProtocolOptions(
                            io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions
                                .getDefaultInstance()))
                .build()));
    assertThat(problems(c.build())).isEmpty();
  }

  @Test
  void typedRingHashMinimumAboveMaximum() {
    String at =
        "load_balancing_policy.policies[0].typed_extension_config.typed_config.minimum_ring_size";

    assertThat(problems(ringHash(4096, 2048)))
        .containsExactly(at + ": minimum_ring_size 4096 must not exceed maximum_ring_size 2048");
    assertThat(problems(ringHash(1024, 2048))).isEmpty();
  }

  @Test
  void legacyRingHashMinimumAboveDefaultMaximumAndMaximumBelowDefaultMinimum() {
    Cluster.Builder c =
        cluster().clearLoadBalancingPolicy().setLbPolicy(Cluster.LbPolicy.RING_HASH);

    assertThat(
            problems(
                c.setRingHashLbConfig(
                        Cluster.RingHashLbConfig.newBuilder()
                            .setMinimumRingSize(UInt64Value.of(4096))
                            .setMaximumRingSize(UInt64Value.of(1024)))
                    .build()))
        .containsExactly(
            "ring_hash_lb_config.minimum_ring_size: minimum_ring_size 4096 must not exceed maximum_ring_size 1024");
    assertThat(
            problems(
                c.setRingHashLbConfig(
                        Cluster.RingHashLbConfig.newBuilder()
                            .setMaximumRingSize(UInt64Value.of(512)))
                    .build()))
        .containsExactly(
            "ring_hash_lb_config.maximum_ring_size: minimum_ring_size 1024 (default) must not exceed maximum_ring_size 512");
    assertThat(
            problems(
                c.setRingHashLbConfig(
                        Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(8)))
                    .build()))
        .isEmpty();
  }

  @Test
  void lbPolicyNotTogetherWithLoadBalancingPolicy() {
    assertThat(problems(cluster().setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST).build()))
        .containsExactly(
            "lb_policy: lb_policy LEAST_REQUEST must not be set together with load_balancing_policy");
    assertThat(
            problems(cluster().setLbPolicy(Cluster.LbPolicy.LOAD_BALANCING_POLICY_CONFIG).build()))
        .isEmpty();
    assertThat(
            problems(
                cluster()
                    .clearLoadBalancingPolicy()
                    .setLbPolicy(Cluster.LbPolicy.LOAD_BALANCING_POLICY_CONFIG)
                    .build()))
        .containsExactly("lb_policy: LOAD_BALANCING_POLICY_CONFIG needs load_balancing_policy");
  }

  @Test
  void lbPolicyMustBeADefinedEnumValue() {
    assertThat(problems(cluster().clearLoadBalancingPolicy().setLbPolicyValue(99).build()))
        .containsExactly(
            "lb_policy: value 99 is not a defined value of envoy.config.cluster.v3.Cluster.LbPolicy");
  }

  @Test
  void edsClustersNeedEdsConfig() {
    assertThat(problems(cluster().clearEdsClusterConfig().build()))
        .containsExactly("eds_cluster_config: EDS clusters need eds_cluster_config");
    assertThat(
            problems(
                cluster()
                    .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName("x"))
                    .build()))
        .containsExactly(
            "eds_cluster_config.eds_config: EDS clusters need an eds_config (e.g. ads: {})");
  }

  @Test
  void staticClustersNeedIpEndpointsAndDnsClustersMayUseHostnames() {
    Cluster.Builder staticCluster =
        cluster().clearEdsClusterConfig().setType(Cluster.DiscoveryType.STATIC);

    assertThat(problems(staticCluster.build()))
        .containsExactly(
            "load_assignment: STATIC clusters need load_assignment: without it they have no endpoints");
    assertThat(problems(staticCluster.setLoadAssignment(assignment("xds.fairlead.svc")).build()))
        .containsExactly(
            "load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: "
                + "STATIC endpoint address 'xds.fairlead.svc' must be an IP address");
    assertThat(problems(staticCluster.setLoadAssignment(assignment("10.1.2.3")).build())).isEmpty();
    assertThat(
            problems(
                staticCluster
                    .setType(Cluster.DiscoveryType.STRICT_DNS)
                    .setLoadAssignment(assignment("xds.fairlead.svc"))
                    .build()))
        .isEmpty();
  }

  @Test
  void logicalDnsNeedsExactlyOneEndpoint() {
    Cluster.Builder c =
        cluster().clearEdsClusterConfig().setType(Cluster.DiscoveryType.LOGICAL_DNS);

    assertThat(problems(c.setLoadAssignment(endpoints()).build()))
        .containsExactly(
            "load_assignment.endpoints: LOGICAL_DNS clusters need exactly one locality with exactly one endpoint");
    assertThat(problems(c.setLoadAssignment(assignment("api.example.com")).build())).isEmpty();
  }

  @Test
  void originalDstNeedsClusterProvided() {
    Cluster.Builder c =
        cluster()
            .clearEdsClusterConfig()
            .clearLoadBalancingPolicy()
            .setType(Cluster.DiscoveryType.ORIGINAL_DST);

    assertThat(problems(c.build()))
        .containsExactly(
            "lb_policy: ORIGINAL_DST clusters need lb_policy CLUSTER_PROVIDED, not ROUND_ROBIN");
    assertThat(problems(c.setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build())).isEmpty();
    assertThat(
            problems(
                c.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
                    .setLoadBalancingPolicy(
                        policy(
                            "envoy.load_balancing_policies.cluster_provided",
                            ClusterProvided.getDefaultInstance()))
                    .build()))
        .isEmpty();
    assertThat(
            problems(
                cluster()
                    .clearLoadBalancingPolicy()
                    .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
                    .build()))
        .containsExactly("lb_policy: CLUSTER_PROVIDED is only valid for ORIGINAL_DST clusters");
  }

  @Test
  void edsEndpointsMustBeIpAddresses() {
    ClusterLoadAssignment cla = assignment("echo.default.svc");

    assertThat(problems(cla))
        .containsExactly(
            "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: "
                + "EDS endpoint address 'echo.default.svc' must be an IP address");
    assertThat(problems(assignment("fd00::1"))).isEmpty();
  }

  @Test
  void localityWeightZeroIsRejectedByPgv() {
    ClusterLoadAssignment cla =
        endpoints()
            .setEndpoints(
                0,
                endpoints().getEndpoints(0).toBuilder().setLoadBalancingWeight(UInt32Value.of(0)))
            .build();

    assertThat(problems(cla))
        .containsExactly("endpoints[0].load_balancing_weight: value 0 must be >= 1");
  }

  // ---- listeners ----

  @Test
  void filterChainNamesAndMatchesUnique() {
    FilterChain chain = listener().getFilterChains(0);
    Listener l =
        listener()
            .addFilterChains(
                chain.toBuilder()
                    .setFilterChainMatch(
                        FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(80))))
            .addFilterChains(chain.toBuilder().setName("other"))
            .build();

    assertThat(problems(l))
        .containsExactly(
            "filter_chains[1].name: filter chain name 'http' repeats filter_chains[0]",
            "filter_chains[2].filter_chain_match: same matching rules as filter_chains[0]");
  }

  @Test
  void listenerNeedsAnIpAddressAndFilterChains() {
    assertThat(problems(listener().clearAddress().build()))
        .containsExactly("address: a listener needs an address");
    assertThat(problems(listener().setAddress(address("localhost", 15001)).build()))
        .containsExactly(
            "address.socket_address.address: listener address 'localhost' must be an IP address");
    assertThat(problems(listener().clearFilterChains().build()))
        .containsExactly("filter_chains: a listener needs at least one filter chain");
    assertThat(
            problems(
                listener()
                    .clearFilterChains()
                    .setDefaultFilterChain(listener().getFilterChains(0))
                    .build()))
        .isEmpty();
  }

  @Test
  void terminalNetworkFilterMustBeLast() {
    Listener l =
        listener()
            .setFilterChains(
                0,
                listener().getFilterChains(0).toBuilder()
                    .addFilters(
                        networkFilter(
                            "envoy.filters.network.tcp_proxy",
                            TcpProxy.newBuilder().setStatPrefix("tcp").setCluster("c").build())))
            .build();

    assertThat(problems(l))
        .containsExactly(
            "filter_chains[0].filters[0]: terminal filter 'envoy.filters.network.http_connection_manager' must be the last network filter");
  }

  @Test
  void routerMustBeTheLastHttpFilter() {
    HttpFilter cors =
        HttpFilter.newBuilder()
            .setName("envoy.filters.http.cors")
            .setTypedConfig(Any.pack(Cors.getDefaultInstance()))
            .build();
    String at = "filter_chains[0].filters[0].typed_config.";

    assertThat(problems(listener(hcm().addHttpFilters(cors).build()).build()))
        .containsExactly(
            at + "http_filters[0]: the router must be the last http filter",
            at
                + "http_filters[1]: the last http filter must be the router, not 'envoy.filters.http.cors'");
    assertThat(problems(listener(hcm().clearHttpFilters().build()).build()))
        .containsExactly(at + "http_filters: needs the router filter as the last http filter");
    assertThat(
            problems(
                listener(
                        hcm()
                            .clearHttpFilters()
                            .addHttpFilters(cors)
                            .addHttpFilters(router())
                            .build())
                    .build()))
        .isEmpty();
  }

  @Test
  void routerIsRecognizedByNameWithoutTypedConfig() {
    HttpFilter byName = HttpFilter.newBuilder().setName(EnvoySemantics.ROUTER_FILTER).build();

    assertThat(problems(listener(hcm().clearHttpFilters().addHttpFilters(byName).build()).build()))
        .isEmpty();
  }

  @Test
  void duplicateHttpFilterNames() {
    HttpFilter cors =
        HttpFilter.newBuilder()
            .setName("cors")
            .setTypedConfig(Any.pack(Cors.getDefaultInstance()))
            .build();

    assertThat(
            problems(
                listener(
                        hcm()
                            .clearHttpFilters()
                            .addHttpFilters(cors)
                            .addHttpFilters(cors)
                            .addHttpFilters(router())
                            .build())
                    .build()))
        .containsExactly(
            "filter_chains[0].filters[0].typed_config.http_filters[1].name: http filter name 'cors' repeats http_filters[0]");
  }

  @Test
  void connectionManagerNeedsRdsOrRouteConfig() {
    assertThat(problems(listener(hcm().clearRds().build()).build()))
        .containsExactly(
            "filter_chains[0].filters[0].typed_config.route_specifier: exactly one of [rds, route_config, scoped_routes] must be set");
    assertThat(problems(listener(hcm().setRouteConfig(routes()).build()).build())).isEmpty();
  }

  @Test
  void apiListenerConnectionManagerIsChecked() {
    Listener proxyless =
        Listener.newBuilder()
            .setName("echo.default:8080")
            .setApiListener(
                ApiListener.newBuilder().setApiListener(Any.pack(hcm().clearHttpFilters().build())))
            .build();

    assertThat(problems(proxyless))
        .containsExactly(
            "api_listener.api_listener.http_filters: needs the router filter as the last http filter");
    assertThat(
            problems(
                proxyless.toBuilder()
                    .setApiListener(
                        ApiListener.newBuilder().setApiListener(Any.pack(hcm().build())))
                    .build()))
        .isEmpty();
  }

  // ---- routes ----

  @Test
  void virtualHostNamesUnique() {
    RouteConfiguration rc = routes().addVirtualHosts(virtualHost("echo", "other")).build();

    assertThat(problems(rc))
        .containsExactly(
            "virtual_hosts[1].name: virtual host name 'echo' repeats virtual_hosts[0]");
  }

  @Test
  void domainsUniqueAcrossVirtualHostsIgnoringCase() {
    RouteConfiguration rc = routes().addVirtualHosts(virtualHost("other", "Echo", "other")).build();

    assertThat(problems(rc))
        .containsExactly(
            "virtual_hosts[1].domains[0]: domain 'echo' repeats virtual_hosts[0].domains[0]");
    assertThat(problems(routes().addVirtualHosts(virtualHost("other", "other")).build())).isEmpty();
  }

  @Test
  void atMostOneWildcardDomain() {
    RouteConfiguration rc =
        routes()
            .addVirtualHosts(virtualHost("any", "*"))
            .addVirtualHosts(virtualHost("any2", "*"))
            .build();

    assertThat(problems(rc))
        .containsExactly(
            "virtual_hosts[2].domains[0]: only one wildcard domain '*' is allowed; first at virtual_hosts[1].domains[0]");
  }

  @Test
  @SuppressWarnings("deprecation") // total_weight: deprecated, still enforced by Envoy
  void weightedClustersNeedPositiveSumMatchingTotal() {
    WeightedCluster.ClusterWeight zero =
        WeightedCluster.ClusterWeight.newBuilder()
            .setName("echo.default:8080")
            .setWeight(UInt32Value.of(0))
            .build();
    WeightedCluster.ClusterWeight ten = zero.toBuilder().setWeight(UInt32Value.of(10)).build();
    String at = "virtual_hosts[0].routes[0].route.weighted_clusters.";

    assertThat(
            problems(
                withAction(
                    RouteAction.newBuilder()
                        .setWeightedClusters(WeightedCluster.newBuilder().addClusters(zero)))))
        .containsExactly(at + "clusters: the sum of cluster weights must be greater than 0");
    assertThat(
            problems(
                withAction(
                    RouteAction.newBuilder()
                        .setWeightedClusters(
                            WeightedCluster.newBuilder()
                                .addClusters(ten)
                                .setTotalWeight(UInt32Value.of(100))))))
        .containsExactly(
            at + "total_weight: the cluster weights add up to 10, not total_weight 100");
    assertThat(
            problems(
                withAction(
                    RouteAction.newBuilder()
                        .setWeightedClusters(
                            WeightedCluster.newBuilder().addClusters(ten).addClusters(zero)))))
        .isEmpty();
  }

  @Test
  void prefixAndRegexRewriteExclusive() {
    RouteAction.Builder both =
        RouteAction.newBuilder()
            .setCluster("c")
            .setPrefixRewrite("/v2")
            .setRegexRewrite(
                RegexMatchAndSubstitute.newBuilder()
                    .setPattern(RegexMatcher.newBuilder().setRegex("^/v1"))
                    .setSubstitution("/v2"));

    assertThat(problems(withAction(both)))
        .containsExactly(
            "virtual_hosts[0].routes[0].route: cannot specify both prefix_rewrite and regex_rewrite");
    assertThat(problems(withAction(both.clearPrefixRewrite()))).isEmpty();
  }

  @Test
  void safeRegexMustCompileAsRe2() {
    RouteAction.Builder bad =
        RouteAction.newBuilder()
            .setCluster("c")
            .setRegexRewrite(
                RegexMatchAndSubstitute.newBuilder()
                    .setPattern(RegexMatcher.newBuilder().setRegex("(unclosed"))
                    .setSubstitution("x"));

    assertThat(problems(withAction(bad)))
        .singleElement()
        .asString()
        .startsWith(
            "virtual_hosts[0].routes[0].route.regex_rewrite.pattern.regex: is not a valid RE2 regex");
  }

  // ---- helpers ----

  private static Cluster ringHash(long min, long max) {
    return cluster()
        .setLoadBalancingPolicy(
            policy(
                "envoy.load_balancing_policies.ring_hash",
                RingHash.newBuilder()
                    .setMinimumRingSize(UInt64Value.of(min))
                    .setMaximumRingSize(UInt64Value.of(max))
                    .build()))
        .build();
  }

  private static ClusterLoadAssignment assignment(String host) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName("c")
        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(endpoint(host, 443)))
        .build();
  }

  private static RouteConfiguration withAction(RouteAction.Builder action) {
    RouteConfiguration.Builder rc = routes();
    rc.getVirtualHostsBuilder(0).getRoutesBuilder(0).setRoute(action);
    return rc.build();
  }
}
