package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.HealthStatusSet;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.CodecClientType;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.envoyproxy.envoy.type.v3.Percent;
import io.fairlead.policies.PortPolicy;
import java.time.Duration;

/** One cluster per Service port, fed by EDS over ADS. */
final class ClusterBuilder {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private ClusterBuilder() {}

  /**
   * @param serviceHost the Service's DNS name: the Host of HTTP health checks and the :authority of
   *     gRPC ones, unless the annotation names another
   */
  static Cluster build(
      String name, String serviceHost, PortPolicy p, ClientCapabilities.Dialect dialect) {
    Cluster.Builder c =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(Protos.ads())
                    .setServiceName(name))
            .setConnectTimeout(Protos.duration(CONNECT_TIMEOUT));
    if (dialect.typedLbPolicies()) {
      c.setLoadBalancingPolicy(LbPolicies.typed(p));
    } else {
      LbPolicies.Legacy legacy = LbPolicies.legacy(p);
      c.setLbPolicy(legacy.policy());
      legacy.ringHash().ifPresent(c::setRingHashLbConfig);
      legacy.leastRequest().ifPresent(c::setLeastRequestLbConfig);
      if (dialect.wrrLocality()) {
        // Read before lb_policy by a client that knows it; lb_policy stays round-robin.
        LbPolicies.wrrLocality(p).ifPresent(c::setLoadBalancingPolicy);
      }
    }
    // Not-ready endpoints must get no traffic, as with kube-proxy: without this, Envoy's default
    // 50% panic threshold balances over every endpoint, ready or not, during a scale-up.
    p.balancing()
        .panicThreshold()
        .ifPresent(
            t ->
                c.getCommonLbConfigBuilder()
                    .setHealthyPanicThreshold(Percent.newBuilder().setValue(t)));
    if (p.affinity().sessionPersistence().isPresent()) {
      // A session may keep using its endpoint while the pod terminates; new sessions avoid it.
      c.getCommonLbConfigBuilder()
          .setOverrideHostStatus(
              HealthStatusSet.newBuilder()
                  .addStatuses(HealthStatus.UNKNOWN)
                  .addStatuses(HealthStatus.HEALTHY)
                  .addStatuses(HealthStatus.DRAINING));
    }
    java.util.Optional<io.fairlead.policies.ConnectionPool> pool = p.resilience().connectionPool();
    if (dialect.upstreamHttp2Options() && (p.protocol().isHttp2() || pool.isPresent())) {
      c.putTypedExtensionProtocolOptions(
          HTTP_PROTOCOL_OPTIONS, Any.pack(protocolOptions(p.protocol().isHttp2(), pool)));
    }
    p.resilience()
        .healthCheck()
        .ifPresent(
            h -> {
              c.addHealthChecks(healthCheck(h, serviceHost, p.protocol().isHttp2()));
              // An endpoint Kubernetes removed stays out, even while it still passes checks.
              c.setIgnoreHealthOnHostRemoval(true);
            });
    p.resilience()
        .outlierDetection()
        .ifPresent(o -> c.setOutlierDetection(outlier(o, dialect.consecutiveEjection())));
    p.resilience().circuitBreakers().ifPresent(b -> c.setCircuitBreakers(breakers(b)));
    return c.build();
  }

  /**
   * HTTP/2 to the endpoints of http2 and grpc ports, and the connection pool's limits. Envoy needs
   * an explicit protocol with these options, so HTTP/1 ports name HTTP/1, which they use anyway.
   */
  private static HttpProtocolOptions protocolOptions(
      boolean http2, java.util.Optional<io.fairlead.policies.ConnectionPool> pool) {
    Http2ProtocolOptions.Builder h2 = Http2ProtocolOptions.newBuilder();
    pool.flatMap(io.fairlead.policies.ConnectionPool::maxConcurrentStreams)
        .ifPresent(n -> h2.setMaxConcurrentStreams(Protos.uint32(n)));
    HttpProtocolOptions.ExplicitHttpConfig.Builder explicit =
        HttpProtocolOptions.ExplicitHttpConfig.newBuilder();
    if (http2) {
      explicit.setHttp2ProtocolOptions(h2);
    } else {
      explicit.setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance());
    }
    HttpProtocolOptions.Builder options =
        HttpProtocolOptions.newBuilder().setExplicitHttpConfig(explicit);
    pool.ifPresent(
        cp -> {
          if (cp.idleTimeout().isPresent() || cp.maxRequestsPerConnection().isPresent()) {
            io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.Builder common =
                io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder();
            cp.idleTimeout().ifPresent(t -> common.setIdleTimeout(Protos.duration(t)));
            cp.maxRequestsPerConnection()
                .ifPresent(n -> common.setMaxRequestsPerConnection(Protos.uint32(n)));
            options.setCommonHttpProtocolOptions(common);
          }
        });
    return options.build();
  }

  private static HealthCheck healthCheck(
      io.fairlead.policies.HealthCheck h, String serviceHost, boolean http2) {
    String host = h.host().orElse(serviceHost);
    HealthCheck.Builder b =
        HealthCheck.newBuilder()
            .setInterval(Protos.duration(h.interval()))
            .setTimeout(Protos.duration(h.timeout()))
            .setUnhealthyThreshold(Protos.uint32(h.unhealthyThreshold()))
            .setHealthyThreshold(Protos.uint32(h.healthyThreshold()));
    switch (h.kind()) {
      case HTTP -> {
        HealthCheck.HttpHealthCheck.Builder http =
            HealthCheck.HttpHealthCheck.newBuilder().setPath(h.path().orElse("/")).setHost(host);
        if (http2) {
          // h2c and gRPC servers may not speak HTTP/1 at all.
          http.setCodecClientType(CodecClientType.HTTP2);
        }
        h.method().ifPresent(m -> http.setMethod(RequestMethod.valueOf(m)));
        // Envoy's range is [start, end); the annotation's is inclusive. The list replaces 200.
        h.expectedStatuses()
            .ifPresent(
                ranges ->
                    ranges.forEach(
                        r ->
                            http.addExpectedStatuses(
                                Int64Range.newBuilder().setStart(r.from()).setEnd(r.to() + 1))));
        b.setHttpHealthCheck(http);
      }
      case GRPC ->
          b.setGrpcHealthCheck(HealthCheck.GrpcHealthCheck.newBuilder().setAuthority(host));
      case TCP -> b.setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance());
    }
    return b.build();
  }

  private static OutlierDetection outlier(
      io.fairlead.policies.OutlierDetection o, boolean consecutiveEjection) {
    OutlierDetection.Builder b =
        OutlierDetection.newBuilder()
            .setInterval(Protos.duration(o.interval()))
            .setBaseEjectionTime(Protos.duration(o.baseEjectionTime()))
            .setMaxEjectionPercent(Protos.uint32(o.maxEjectionPercent()));
    if (consecutiveEjection) {
      b.setConsecutive5Xx(Protos.uint32(o.consecutive5xx()));
    }
    o.gatewayFailures()
        .ifPresent(
            n ->
                // Envoy enforces gateway-failure ejection at 0% unless told otherwise.
                b.setConsecutiveGatewayFailure(Protos.uint32(n))
                    .setEnforcingConsecutiveGatewayFailure(Protos.uint32(100)));
    o.localOriginFailures()
        .ifPresent(
            n ->
                b.setSplitExternalLocalOriginErrors(true)
                    .setConsecutiveLocalOriginFailure(Protos.uint32(n)));
    o.successRateEnforcing().ifPresent(v -> b.setEnforcingSuccessRate(Protos.uint32(v)));
    o.failurePercentageThreshold()
        .ifPresent(v -> b.setFailurePercentageThreshold(Protos.uint32(v)));
    o.failurePercentageEnforcing()
        .ifPresent(v -> b.setEnforcingFailurePercentage(Protos.uint32(v)));
    o.minHosts()
        .ifPresent(
            v ->
                b.setSuccessRateMinimumHosts(Protos.uint32(v))
                    .setFailurePercentageMinimumHosts(Protos.uint32(v)));
    o.requestVolume()
        .ifPresent(
            v -> {
              b.setFailurePercentageRequestVolume(Protos.uint32(v));
              if (consecutiveEjection) {
                b.setSuccessRateRequestVolume(Protos.uint32(v));
              }
            });
    return b.build();
  }

  private static CircuitBreakers breakers(io.fairlead.policies.CircuitBreakers b) {
    CircuitBreakers.Thresholds.Builder t =
        CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.DEFAULT);
    b.maxConnections().ifPresent(v -> t.setMaxConnections(Protos.uint32(v)));
    b.maxPendingRequests().ifPresent(v -> t.setMaxPendingRequests(Protos.uint32(v)));
    b.maxRequests().ifPresent(v -> t.setMaxRequests(Protos.uint32(v)));
    b.maxRetries().ifPresent(v -> t.setMaxRetries(Protos.uint32(v)));
    return CircuitBreakers.newBuilder().addThresholds(t).build();
  }

  /** Where captured traffic to unknown destinations goes: its original destination. */
  static Cluster passthrough() {
    return Cluster.newBuilder()
        .setName(ResourceNames.PASSTHROUGH_CLUSTER)
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setConnectTimeout(Protos.duration(CONNECT_TIMEOUT))
        .build();
  }
}
