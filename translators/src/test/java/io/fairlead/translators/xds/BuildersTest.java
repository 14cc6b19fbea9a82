package io.fairlead.translators.xds;

import static io.fairlead.translators.xds.ModelFixtures.endpoint;
import static io.fairlead.translators.xds.ModelFixtures.policy;
import static io.fairlead.translators.xds.ModelFixtures.port;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.type.v3.CodecClientType;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.PortSpec;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each builder on its own, from a policy to the Envoy fields it sets: what each parsed value
 * becomes.
 */
class BuildersTest {

  private static final PortSpec HTTP = port("http", 80);
  private static final PortSpec GRPC = port("grpc", 9090);
  private static final PortSpec DB = port("db", 5432);
  private static final ClientCapabilities.Dialect ENVOY =
      ClientCapabilities.dialect(ClientKind.ENVOY);
  private static final ClientCapabilities.Dialect GRPC_DIALECT =
      ClientCapabilities.dialect(ClientKind.GRPC_JAVA);

  private static Cluster cluster(PortSpec port, Map<String, String> annotations) {
    return ClusterBuilder.build(
        "ns/svc:80", "svc.ns.svc.cluster.local", policy(port, annotations), ENVOY);
  }

  private static <T extends com.google.protobuf.Message> T unpack(
      com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static com.google.protobuf.Any lbConfig(Cluster c) {
    return c.getLoadBalancingPolicy().getPolicies(0).getTypedExtensionConfig().getTypedConfig();
  }

  @Test
  void healthCheckFieldsComeFromTheAnnotation() {
    Cluster c =
        cluster(
            HTTP,
            Map.of("health-check", "http:/ready,interval=3s,timeout=2s,unhealthy=4,healthy=2"));
    HealthCheck h = c.getHealthChecks(0);
    assertThat(h.getInterval().getSeconds()).isEqualTo(3);
    assertThat(h.getTimeout().getSeconds()).isEqualTo(2);
    assertThat(h.getUnhealthyThreshold().getValue()).isEqualTo(4);
    assertThat(h.getHealthyThreshold().getValue()).isEqualTo(2);
    assertThat(h.getHttpHealthCheck().getPath()).isEqualTo("/ready");
    assertThat(h.getHttpHealthCheck().getHost()).isEqualTo("svc.ns.svc.cluster.local");
    assertThat(h.getHttpHealthCheck().getCodecClientType()).isEqualTo(CodecClientType.HTTP1);
    assertThat(c.getIgnoreHealthOnHostRemoval()).isTrue();
  }

  @Test
  void healthCheckKinds() {
    HealthCheck grpc =
        cluster(GRPC, Map.of("health-check", "grpc,host=api.example")).getHealthChecks(0);
    assertThat(grpc.getGrpcHealthCheck().getAuthority()).isEqualTo("api.example");
    HealthCheck http2 = cluster(GRPC, Map.of("health-check", "http:/h")).getHealthChecks(0);
    assertThat(http2.getHttpHealthCheck().getCodecClientType()).isEqualTo(CodecClientType.HTTP2);
    HealthCheck tcp = cluster(DB, Map.of("health-check", "tcp")).getHealthChecks(0);
    assertThat(tcp.hasTcpHealthCheck()).isTrue();
    Cluster none = cluster(HTTP, Map.of());
    assertThat(none.getHealthChecksList()).isEmpty();
    assertThat(none.getIgnoreHealthOnHostRemoval()).isFalse();
  }

  @Test
  void outlierDetectionFields() {
    Cluster c =
        cluster(
            HTTP,
            Map.of(
                "outlier-detection",
                "consecutive-5xx=3,interval=2s,base-ejection-time=1m,max-ejection-percent=20"));
    assertThat(c.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(3);
    assertThat(c.getOutlierDetection().getInterval().getSeconds()).isEqualTo(2);
    assertThat(c.getOutlierDetection().getBaseEjectionTime().getSeconds()).isEqualTo(60);
    assertThat(c.getOutlierDetection().getMaxEjectionPercent().getValue()).isEqualTo(20);
    assertThat(cluster(HTTP, Map.of()).hasOutlierDetection()).isFalse();
  }

  @Test
  void circuitBreakersSetOnlyTheLimitsGiven() {
    Cluster c =
        cluster(
            HTTP,
            Map.of(
                "circuit-breakers",
                "max-connections=1,max-pending-requests=2,max-requests=3,max-retries=4"));
    var t = c.getCircuitBreakers().getThresholds(0);
    assertThat(t.getPriority()).isEqualTo(RoutingPriority.DEFAULT);
    assertThat(t.getMaxConnections().getValue()).isEqualTo(1);
    assertThat(t.getMaxPendingRequests().getValue()).isEqualTo(2);
    assertThat(t.getMaxRequests().getValue()).isEqualTo(3);
    assertThat(t.getMaxRetries().getValue()).isEqualTo(4);
    var only = cluster(HTTP, Map.of("circuit-breakers", "max-requests=7")).getCircuitBreakers();
    assertThat(only.getThresholds(0).hasMaxConnections()).isFalse();
    assertThat(only.getThresholds(0).hasMaxPendingRequests()).isFalse();
    assertThat(only.getThresholds(0).hasMaxRetries()).isFalse();
    assertThat(only.getThresholds(0).getMaxRequests().getValue()).isEqualTo(7);
    assertThat(cluster(HTTP, Map.of()).hasCircuitBreakers()).isFalse();
  }

  @Test
  void panicThresholdIsZeroUnlessSet() {
    assertThat(cluster(HTTP, Map.of()).getCommonLbConfig().getHealthyPanicThreshold().getValue())
        .isZero();
    assertThat(cluster(HTTP, Map.of()).getCommonLbConfig().hasHealthyPanicThreshold()).isTrue();
    assertThat(
            cluster(HTTP, Map.of("panic-threshold", "40"))
                .getCommonLbConfig()
                .getHealthyPanicThreshold()
                .getValue())
        .isEqualTo(40.0);
  }

  @Test
  void sessionsKeepDrainingHostsAndHttp2PortsGetHttp2Upstreams() {
    Cluster s = cluster(HTTP, Map.of("session-persistence", "cookie:s"));
    assertThat(s.getCommonLbConfig().getOverrideHostStatus().getStatusesList())
        .containsExactly(HealthStatus.UNKNOWN, HealthStatus.HEALTHY, HealthStatus.DRAINING);
    assertThat(cluster(HTTP, Map.of()).getCommonLbConfig().hasOverrideHostStatus()).isFalse();
    assertThat(cluster(GRPC, Map.of()).getTypedExtensionProtocolOptionsMap()).hasSize(1);
    assertThat(cluster(HTTP, Map.of()).getTypedExtensionProtocolOptionsMap()).isEmpty();
    assertThat(
            ClusterBuilder.build("c", "h", policy(GRPC, Map.of()), GRPC_DIALECT)
                .getTypedExtensionProtocolOptionsMap())
        .isEmpty();
  }

  @Test
  void clustersAreEdsOverAdsWithAConnectTimeout() {
    Cluster c = cluster(HTTP, Map.of());
    assertThat(c.getName()).isEqualTo("ns/svc:80");
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(c.getEdsClusterConfig().getServiceName()).isEqualTo("ns/svc:80");
    assertThat(c.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(5);
    Cluster passthrough = ClusterBuilder.passthrough();
    assertThat(passthrough.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(passthrough.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
  }

  @Test
  void typedLbPoliciesCarryTheirTuning() {
    RoundRobin rr = unpack(lbConfig(cluster(HTTP, Map.of("slow-start", "30s"))), RoundRobin.class);
    assertThat(rr.getSlowStartConfig().getSlowStartWindow().getSeconds()).isEqualTo(30);
    assertThat(unpack(lbConfig(cluster(HTTP, Map.of())), RoundRobin.class).hasSlowStartConfig())
        .isFalse();
    LeastRequest lr =
        unpack(
            lbConfig(
                cluster(
                    HTTP,
                    Map.of(
                        "lb-policy",
                        "least-request",
                        "least-request-choices",
                        "4",
                        "slow-start",
                        "1m"))),
            LeastRequest.class);
    assertThat(lr.getChoiceCount().getValue()).isEqualTo(4);
    assertThat(lr.getSlowStartConfig().getSlowStartWindow().getSeconds()).isEqualTo(60);
    RingHash rh =
        unpack(
            lbConfig(
                cluster(
                    HTTP,
                    Map.of(
                        "hash-on", "header:u",
                        "ring-size", "16-32",
                        "hash-balance-factor", "150",
                        "port-affinity", "all-ports"))),
            RingHash.class);
    assertThat(rh.getMinimumRingSize().getValue()).isEqualTo(16);
    assertThat(rh.getMaximumRingSize().getValue()).isEqualTo(32);
    assertThat(rh.getHashFunction()).isEqualTo(RingHash.HashFunction.XX_HASH);
    assertThat(rh.getConsistentHashingLbConfig().getHashBalanceFactor().getValue()).isEqualTo(150);
    assertThat(rh.getConsistentHashingLbConfig().getUseHostnameForHashing()).isTrue();
    Maglev m =
        unpack(
            lbConfig(cluster(HTTP, Map.of("lb-policy", "maglev", "maglev-table-size", "131"))),
            Maglev.class);
    assertThat(m.getTableSize().getValue()).isEqualTo(131);
    assertThat(m.getConsistentHashingLbConfig().getUseHostnameForHashing()).isFalse();
    assertThat(m.getConsistentHashingLbConfig().hasHashBalanceFactor()).isFalse();
    assertThat(
            cluster(HTTP, Map.of("lb-policy", "random"))
                .getLoadBalancingPolicy()
                .getPolicies(0)
                .getTypedExtensionConfig()
                .getName())
        .isEqualTo("envoy.load_balancing_policies.random");
  }

  @Test
  void legacyLbPoliciesForGrpc() {
    Cluster ring =
        ClusterBuilder.build(
            "c",
            "h",
            policy(HTTP, Map.of("hash-on", "header:u", "ring-size", "8-64")),
            GRPC_DIALECT);
    assertThat(ring.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(ring.getRingHashLbConfig().getMinimumRingSize().getValue()).isEqualTo(8);
    assertThat(ring.getRingHashLbConfig().getMaximumRingSize().getValue()).isEqualTo(64);
    assertThat(ring.hasLoadBalancingPolicy()).isFalse();
    Cluster lr =
        ClusterBuilder.build(
            "c",
            "h",
            policy(HTTP, Map.of("lb-policy", "least-request", "least-request-choices", "3")),
            GRPC_DIALECT);
    assertThat(lr.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(lr.getLeastRequestLbConfig().getChoiceCount().getValue()).isEqualTo(3);
    assertThat(lr.hasRingHashLbConfig()).isFalse();
    Cluster rr = ClusterBuilder.build("c", "h", policy(HTTP, Map.of()), GRPC_DIALECT);
    assertThat(rr.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(rr.hasLeastRequestLbConfig()).isFalse();
  }

  private static Route route(PortSpec port, Map<String, String> annotations) {
    return RouteBuilder.build("r", "c", "/", policy(port, annotations), ENVOY, ClientAddress.PEER);
  }

  @Test
  void retriesOnTheRoute() {
    io.envoyproxy.envoy.config.route.v3.RetryPolicy r =
        route(HTTP, Map.of("retries", "attempts=3,on=gateway-error|reset,per-try-timeout=2s"))
            .getRoute()
            .getRetryPolicy();
    assertThat(r.getRetryOn()).isEqualTo("gateway-error,reset");
    assertThat(r.getNumRetries().getValue()).isEqualTo(3);
    assertThat(r.getPerTryTimeout().getSeconds()).isEqualTo(2);
    assertThat(r.getRetryHostPredicate(0).getName()).isEqualTo(RouteBuilder.PREVIOUS_HOSTS);
    assertThat(r.getHostSelectionRetryMaxAttempts()).isEqualTo(5);
    io.envoyproxy.envoy.config.route.v3.RetryPolicy grpc =
        RouteBuilder.build(
                "r",
                "c",
                "/",
                policy(HTTP, Map.of("retries", "attempts=2")),
                GRPC_DIALECT,
                ClientAddress.PEER)
            .getRoute()
            .getRetryPolicy();
    assertThat(grpc.getRetryHostPredicateList()).isEmpty();
    assertThat(grpc.getHostSelectionRetryMaxAttempts()).isZero();
    assertThat(grpc.hasPerTryTimeout()).isFalse();
    assertThat(route(HTTP, Map.of()).getRoute().hasRetryPolicy()).isFalse();
  }

  @Test
  void timeouts() {
    assertThat(route(HTTP, Map.of("timeout", "3s")).getRoute().getTimeout().getSeconds())
        .isEqualTo(3);
    assertThat(route(HTTP, Map.of()).getRoute().hasTimeout()).isFalse();
    assertThat(route(GRPC, Map.of()).getRoute().hasTimeout()).isTrue();
    assertThat(route(GRPC, Map.of()).getRoute().getTimeout().getSeconds()).isZero();
    assertThat(route(HTTP, Map.of("idle-timeout", "7s")).getRoute().getIdleTimeout().getSeconds())
        .isEqualTo(7);
    RouteAction grpc =
        RouteBuilder.build(
                "r",
                "c",
                "/",
                policy(GRPC, Map.of("timeout", "4s")),
                GRPC_DIALECT,
                ClientAddress.PEER)
            .getRoute();
    assertThat(grpc.getMaxStreamDuration().getMaxStreamDuration().getSeconds()).isEqualTo(4);
    assertThat(grpc.hasTimeout()).isFalse();
    assertThat(
            RouteBuilder.build(
                    "r", "c", "/", policy(GRPC, Map.of()), GRPC_DIALECT, ClientAddress.PEER)
                .getRoute()
                .hasTimeout())
        .isFalse();
  }

  @Test
  void hashPoliciesOnePerKeyTerminalButTheLast() {
    List<RouteAction.HashPolicy> h =
        route(
                HTTP,
                Map.of(
                    "hash-on",
                    "header:u,cookie:c,query:q",
                    "cookie-ttl",
                    "1h",
                    "cookie-path",
                    "/p"))
            .getRoute()
            .getHashPolicyList();
    assertThat(h).hasSize(3);
    assertThat(h.get(0).getHeader().getHeaderName()).isEqualTo("u");
    assertThat(h.get(0).getTerminal()).isTrue();
    assertThat(h.get(1).getCookie().getName()).isEqualTo("c");
    assertThat(h.get(1).getCookie().getTtl().getSeconds()).isEqualTo(3600);
    assertThat(h.get(1).getCookie().getPath()).isEqualTo("/p");
    assertThat(h.get(1).getTerminal()).isTrue();
    assertThat(h.get(2).getQueryParameter().getName()).isEqualTo("q");
    assertThat(h.get(2).getTerminal()).isFalse();
  }

  @Test
  void sourceIpHashesTheSubnetHeaderOnSidecarsAndTheAddressOnGateways() {
    PortPolicy whole = policy(HTTP, Map.of("hash-on", "source-ip"));
    assertThat(
            RouteBuilder.build("r", "c", "/", whole, ENVOY, ClientAddress.PEER)
                .getRoute()
                .getHashPolicy(0)
                .getHeader()
                .getHeaderName())
        .isEqualTo(HttpFilters.SUBNET_HEADER);
    assertThat(
            RouteBuilder.build("r", "c", "/", whole, ENVOY, ClientAddress.DERIVED)
                .getRoute()
                .getHashPolicy(0)
                .getConnectionProperties()
                .getSourceIp())
        .isTrue();
    PortPolicy masked = policy(HTTP, Map.of("hash-on", "source-ip", "source-ip-prefix", "24,64"));
    Route gw = RouteBuilder.build("r", "c", "/", masked, ENVOY, ClientAddress.DERIVED);
    assertThat(gw.getRoute().getHashPolicy(0).getHeader().getHeaderName())
        .isEqualTo(HttpFilters.SUBNET_HEADER);
    var fields = gw.getMetadata().getFilterMetadataOrThrow(HttpFilters.LUA).getFieldsMap();
    assertThat(fields.get("source_ip_prefix_v4").getNumberValue()).isEqualTo(24);
    assertThat(fields.get("source_ip_prefix_v6").getNumberValue()).isEqualTo(64);
    assertThat(fields.get("client_address").getStringValue())
        .isEqualTo(ClientAddress.DERIVED.scriptName());
  }

  @Test
  void pathPrefixesMatchWholeSegments() {
    PortPolicy p = policy(HTTP, Map.of());
    assertThat(
            RouteBuilder.build("r", "c", "/api", p, ENVOY, ClientAddress.DERIVED)
                .getMatch()
                .getPathSeparatedPrefix())
        .isEqualTo("/api");
    assertThat(
            RouteBuilder.build("r", "c", "/api/", p, ENVOY, ClientAddress.DERIVED)
                .getMatch()
                .getPrefix())
        .isEqualTo("/api/");
    assertThat(
            RouteBuilder.build("r", "c", "/", p, ENVOY, ClientAddress.DERIVED)
                .getMatch()
                .getPrefix())
        .isEqualTo("/");
  }

  @Test
  void sessionsRideOnTheRouteForEnvoyOnly() {
    Route cookie =
        route(HTTP, Map.of("session-persistence", "cookie:s", "persistence-timeout", "1h"));
    assertThat(cookie.getTypedPerFilterConfigMap()).containsKey(HttpFilters.STATEFUL_SESSION);
    Route header = route(HTTP, Map.of("session-persistence", "header:x-s"));
    assertThat(header.getTypedPerFilterConfigMap()).containsKey(HttpFilters.STATEFUL_SESSION);
    assertThat(route(HTTP, Map.of()).getTypedPerFilterConfigMap()).isEmpty();
  }

  private static final ProxyContext SIDECAR = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);

  private static ClusterLoadAssignment cla(
      PortPolicy p, ProxyContext ctx, ClientCapabilities.Dialect d, EndpointEntry... eps) {
    return EndpointsBuilder.build("c", p, List.of(eps), ctx, d);
  }

  @Test
  void endpointsAreSentAsKubeProxyWouldUseThem() {
    PortPolicy p = policy(HTTP, Map.of());
    ClusterLoadAssignment c =
        cla(
            p,
            SIDECAR,
            ENVOY,
            endpoint("10.0.0.1", 8080, EndpointHealth.HEALTHY),
            endpoint("10.0.0.2", 8080, EndpointHealth.DRAINING),
            endpoint("10.0.0.3", 8080, EndpointHealth.UNHEALTHY));
    var eps = c.getEndpoints(0).getLbEndpointsList();
    assertThat(eps).hasSize(2);
    assertThat(eps.get(0).getHealthStatus()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(eps.get(1).getHealthStatus()).isEqualTo(HealthStatus.DRAINING);
    assertThat(eps.get(0).getEndpoint().getAddress().getSocketAddress().getPortValue())
        .isEqualTo(8080);
    assertThat(eps.get(0).getEndpoint().getHostname()).isEmpty();
    assertThat(c.getEndpoints(0).getLoadBalancingWeight().getValue()).isEqualTo(1);
    ClusterLoadAssignment onlyDraining =
        cla(p, SIDECAR, ENVOY, endpoint("10.0.0.2", 8080, EndpointHealth.DRAINING));
    assertThat(onlyDraining.getEndpoints(0).getLbEndpoints(0).getHealthStatus())
        .isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void portAffinityNamesEndpointsByPod() {
    PortPolicy p = policy(HTTP, Map.of("hash-on", "header:u", "port-affinity", "all-ports"));
    assertThat(
            cla(p, SIDECAR, ENVOY, endpoint("10.0.0.1", 8080, EndpointHealth.HEALTHY))
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getHostname())
        .isEqualTo("10.0.0.1");
  }

  @Test
  void nodeLocalKeepsTheProxysNodeOnlyWhenItIsKnown() {
    PortPolicy local = policy(HTTP, Map.of()).withTopology(new PortPolicy.Topology(false, true));
    EndpointEntry a =
        endpoint("10.0.0.1", 8080, EndpointHealth.HEALTHY, Optional.empty(), Optional.of("n1"));
    EndpointEntry b =
        endpoint("10.0.0.2", 8080, EndpointHealth.HEALTHY, Optional.empty(), Optional.of("n2"));
    ProxyContext onN1 =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.empty(),
            Optional.of("n1"));
    assertThat(cla(local, onN1, ENVOY, a, b).getEndpoints(0).getLbEndpointsCount()).isEqualTo(1);
    assertThat(cla(local, SIDECAR, ENVOY, a, b).getEndpoints(0).getLbEndpointsCount()).isEqualTo(2);
    ProxyContext gatewayOnN1 =
        new ProxyContext(
            ProxyRole.GATEWAY,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.empty(),
            Optional.of("n1"));
    assertThat(cla(local, gatewayOnN1, ENVOY, a, b).getEndpoints(0).getLbEndpointsCount())
        .isEqualTo(2);
    assertThat(cla(policy(HTTP, Map.of()), onN1, ENVOY, a, b).getEndpoints(0).getLbEndpointsCount())
        .isEqualTo(2);
  }

  @Test
  void preferCloseMakesOtherZonesPriorityOne() {
    PortPolicy close = policy(HTTP, Map.of()).withTopology(new PortPolicy.Topology(true, false));
    EndpointEntry za1 =
        endpoint("10.0.0.1", 8080, EndpointHealth.HEALTHY, Optional.of("a"), Optional.empty());
    EndpointEntry za2 =
        endpoint("10.0.0.2", 8080, EndpointHealth.HEALTHY, Optional.of("a"), Optional.empty());
    EndpointEntry zb =
        endpoint("10.0.0.3", 8080, EndpointHealth.HEALTHY, Optional.of("b"), Optional.empty());
    ProxyContext inA =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.of("a"),
            Optional.empty());
    ClusterLoadAssignment c = cla(close, inA, ENVOY, za1, za2, zb);
    assertThat(c.getEndpointsCount()).isEqualTo(2);
    assertThat(c.getEndpoints(0).getPriority()).isZero();
    assertThat(c.getEndpoints(0).getLocality().getZone()).isEqualTo("a");
    assertThat(c.getEndpoints(0).getLoadBalancingWeight().getValue()).isEqualTo(2);
    assertThat(c.getEndpoints(1).getPriority()).isEqualTo(1);
    assertThat(c.getEndpoints(1).getLocality().getZone()).isEqualTo("b");
    assertThat(c.getPolicy().getOverprovisioningFactor().getValue()).isEqualTo(200);
    // gRPC gets the priorities but no overprovisioning factor
    assertThat(cla(close, inA, GRPC_DIALECT, za1, zb).getPolicy().hasOverprovisioningFactor())
        .isFalse();
    // no local endpoint: everything stays at priority 0, no factor
    ProxyContext inC =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.of("c"),
            Optional.empty());
    ClusterLoadAssignment none = cla(close, inC, ENVOY, za1, zb);
    assertThat(none.getEndpointsList()).allSatisfy(l -> assertThat(l.getPriority()).isZero());
    assertThat(none.getPolicy().hasOverprovisioningFactor()).isFalse();
    // without PreferClose the proxy's zone changes nothing
    ClusterLoadAssignment any = cla(policy(HTTP, Map.of()), inA, ENVOY, za1, zb);
    assertThat(any.getEndpointsList()).allSatisfy(l -> assertThat(l.getPriority()).isZero());
  }

  @Test
  void grpcGetsNoLocalityWithoutAReadyEndpoint() {
    PortPolicy p = policy(HTTP, Map.of());
    EndpointEntry ready =
        endpoint("10.0.0.1", 8080, EndpointHealth.HEALTHY, Optional.of("a"), Optional.empty());
    EndpointEntry draining =
        endpoint("10.0.0.2", 8080, EndpointHealth.DRAINING, Optional.of("b"), Optional.empty());
    assertThat(cla(p, SIDECAR, GRPC_DIALECT, ready, draining).getEndpointsCount()).isEqualTo(1);
    ClusterLoadAssignment envoy = cla(p, SIDECAR, ENVOY, ready, draining);
    assertThat(envoy.getEndpointsCount()).isEqualTo(2);
    assertThat(envoy.getEndpoints(1).hasLoadBalancingWeight()).isFalse();
    assertThat(envoy.getEndpoints(0).getLocality().getZone()).isEqualTo("a");
    ClusterLoadAssignment noZone =
        cla(p, SIDECAR, ENVOY, endpoint("10.0.0.1", 8080, EndpointHealth.HEALTHY));
    assertThat(noZone.getEndpoints(0).hasLocality()).isTrue();
    assertThat(noZone.getEndpoints(0).getLocality().getZone()).isEmpty();
  }
}
