package io.fairlead.translators.validate;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;

/** A small, correct Envoy config: one EDS service behind an outbound HTTP listener. */
final class EnvoyFixtures {

  static final String CLUSTER = "echo.default:8080";
  static final String ROUTES = "outbound-http";

  private EnvoyFixtures() {}

  static ConfigSource ads() {
    return ConfigSource.newBuilder()
        .setAds(AggregatedConfigSource.getDefaultInstance())
        .setResourceApiVersion(ApiVersion.V3)
        .build();
  }

  static LoadBalancingPolicy policy(String name, Message config) {
    return LoadBalancingPolicy.newBuilder()
        .addPolicies(
            LoadBalancingPolicy.Policy.newBuilder()
                .setTypedExtensionConfig(
                    TypedExtensionConfig.newBuilder()
                        .setName(name)
                        .setTypedConfig(Any.pack(config))))
        .build();
  }

  static Cluster.Builder cluster() {
    return Cluster.newBuilder()
        .setName(CLUSTER)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()).setServiceName(CLUSTER))
        .setConnectTimeout(Duration.newBuilder().setSeconds(1))
        .setLoadBalancingPolicy(
            policy("envoy.load_balancing_policies.round_robin", RoundRobin.getDefaultInstance()));
  }

  static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  static LbEndpoint endpoint(String ip, int port) {
    return LbEndpoint.newBuilder()
        .setEndpoint(Endpoint.newBuilder().setAddress(address(ip, port)))
        .build();
  }

  static ClusterLoadAssignment.Builder endpoints() {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(CLUSTER)
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .setLocality(Locality.newBuilder().setRegion("eu").setZone("eu-a"))
                .setLoadBalancingWeight(UInt32Value.of(2))
                .addLbEndpoints(endpoint("10.0.0.1", 8080))
                .addLbEndpoints(endpoint("10.0.0.2", 8080)));
  }

  static HttpFilter router() {
    return HttpFilter.newBuilder()
        .setName(EnvoySemantics.ROUTER_FILTER)
        .setTypedConfig(Any.pack(Router.getDefaultInstance()))
        .build();
  }

  static HttpConnectionManager.Builder hcm() {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix("outbound_http")
        .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName(ROUTES))
        .addHttpFilters(router());
  }

  static Filter networkFilter(String name, Message config) {
    return Filter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  static Listener.Builder listener(HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName("outbound-0.0.0.0:15001")
        .setAddress(address("0.0.0.0", 15001))
        .addFilterChains(
            FilterChain.newBuilder()
                .setName("http")
                .addFilters(networkFilter("envoy.filters.network.http_connection_manager", hcm)));
  }

  static Listener.Builder listener() {
    return listener(hcm().build());
  }

  static RouteAction.HashPolicy headerHash(String header) {
    return RouteAction.HashPolicy.newBuilder()
        .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(header))
        .build();
  }

  static VirtualHost.Builder virtualHost(String name, String... domains) {
    VirtualHost.Builder vh = VirtualHost.newBuilder().setName(name);
    for (String d : domains) {
      vh.addDomains(d);
    }
    return vh.addRoutes(
        Route.newBuilder()
            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(
                RouteAction.newBuilder().setCluster(CLUSTER).addHashPolicy(headerHash("x-user"))));
  }

  static RouteConfiguration.Builder routes() {
    return RouteConfiguration.newBuilder()
        .setName(ROUTES)
        .addVirtualHosts(
            virtualHost("echo", "echo", "echo.default.svc.cluster.local", "echo:8080"));
  }
}
