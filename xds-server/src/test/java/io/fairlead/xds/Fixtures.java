package io.fairlead.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
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
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.xds.XdsResources;
import java.util.List;

/** Hand-built resources standing in for the translator's output. */
final class Fixtures {

  static final String CLUSTER = "ns/svc:80";
  static final String API_LISTENER = "svc.ns.svc.cluster.local:80";
  static final String SIDECAR_LISTENER = "outbound_8080";
  static final String ROUTE = "8080";
  static final String ENDPOINT_IP = "127.0.0.11";

  private Fixtures() {}

  /** One EDS cluster with its endpoint, an API listener (inline routes) and an RDS listener. */
  static XdsResources resources(int endpointPort) {
    return new XdsResources(
        List.of(cluster(CLUSTER)),
        List.of(endpoints(CLUSTER, endpointPort)),
        List.of(apiListener(API_LISTENER, CLUSTER), rdsListener(SIDECAR_LISTENER, ROUTE)),
        List.of(route(ROUTE, CLUSTER)),
        List.of(
            Diagnostic.warning(
                Reason.UNKNOWN_ANNOTATION,
                Subject.of(ObjectRef.parse("ns/svc"), "fairlead.io/lb"),
                "fixture warning")));
  }

  static Cluster cluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setEdsConfig(
                    ConfigSource.newBuilder()
                        .setAds(AggregatedConfigSource.getDefaultInstance())
                        .setResourceApiVersion(ApiVersion.V3)))
        .setLoadBalancingPolicy(
            LoadBalancingPolicy.newBuilder()
                .addPolicies(
                    LoadBalancingPolicy.Policy.newBuilder()
                        .setTypedExtensionConfig(
                            TypedExtensionConfig.newBuilder()
                                .setName("envoy.load_balancing_policies.round_robin")
                                .setTypedConfig(Any.pack(RoundRobin.getDefaultInstance())))))
        .build();
  }

  static ClusterLoadAssignment endpoints(String cluster, int port) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1))
                .addLbEndpoints(
                    LbEndpoint.newBuilder()
                        .setEndpoint(
                            Endpoint.newBuilder()
                                .setAddress(
                                    Address.newBuilder()
                                        .setSocketAddress(
                                            SocketAddress.newBuilder()
                                                .setAddress(ENDPOINT_IP)
                                                .setPortValue(port))))))
        .build();
  }

  static Listener apiListener(String name, String cluster) {
    HttpConnectionManager manager =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("proxyless")
            .setRouteConfig(routeConfiguration(name, cluster))
            .addHttpFilters(router())
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(manager)))
        .build();
  }

  static Listener rdsListener(String name, String route) {
    HttpConnectionManager manager =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(name)
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName(route)
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())
                            .setResourceApiVersion(ApiVersion.V3)))
            .addHttpFilters(router())
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(8080)))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(manager))))
        .build();
  }

  static RouteConfiguration route(String name, String cluster) {
    return routeConfiguration(name, cluster);
  }

  private static RouteConfiguration routeConfiguration(String name, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(cluster)
                .addDomains("*")
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(RouteMatch.newBuilder().setPrefix(""))
                        .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }

  private static HttpFilter router() {
    return HttpFilter.newBuilder()
        .setName("envoy.filters.http.router")
        .setTypedConfig(Any.pack(Router.getDefaultInstance()))
        .build();
  }
}
