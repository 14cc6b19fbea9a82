package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.XRateLimitHeadersRFCVersion;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.type.v3.CodecClientType;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.validate.XdsValidator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per Envoy runtime rule that decides whether a documented behaviour holds (see
 * docs/envoy-semantics.md). Validation alone accepts the config either way; these assert what
 * Envoy's defaults would otherwise do.
 */
class EnvoyRuntimeRulesTest {

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();
  private static final ProxyContext SIDECAR = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);
  private static final ProxyContext GATEWAY = ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY);
  private static final ProxyContext GRPC_JAVA =
      ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA);
  private static final ProxyContext GRPC_NODE =
      ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE);

  /** A Service in namespace demo with the given annotations, ports and endpoints, as YAML lines. */
  private static XdsResources translate(
      String annotations, String ports, String endpoints, ProxyContext ctx) throws Exception {
    return translate(annotations, "", ports, endpoints, ctx);
  }

  private static XdsResources translate(
      String annotations, String spec, String ports, String endpoints, ProxyContext ctx)
      throws Exception {
    return translate(annotations, spec, ports, endpoints, ctx, TranslationSettings.DEFAULT);
  }

  private static XdsResources translate(
      String annotations,
      String spec,
      String ports,
      String endpoints,
      ProxyContext ctx,
      TranslationSettings settings)
      throws Exception {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: svc
          namespace: demo
          annotations:
            fairlead.io/gateway-host: svc.example.com
        %s
        spec:
          clusterIP: 10.96.0.5
        %s
          ports:
        %s
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: svc-1
          namespace: demo
          labels: {kubernetes.io/service-name: svc}
        addressType: IPv4
        ports:
        %s
        endpoints:
        %s
        """
            .formatted(
                indent(annotations, 4),
                indent(spec, 2),
                indent(ports, 2),
                slicePorts(ports),
                indent(endpoints, 0));
    KubeYaml.Parsed parsed = KubeYaml.parse("test.yaml", yaml);
    XdsResources r =
        XdsTranslator.translate(
            KubeModelBuilder.build(
                KubeState.of(parsed.services(), parsed.endpointSlices(), parsed.pods())),
            ctx,
            settings);
    assertThat(VALIDATOR.validate(r, java.util.Set.of())).as("Envoy validation").isEmpty();
    return r;
  }

  private static String indent(String lines, int spaces) {
    return lines.lines().map(l -> " ".repeat(spaces) + l).collect(Collectors.joining("\n"));
  }

  /** The slice's ports, named as the Service's: one "- name: N\n port: P" per "- name:" line. */
  private static String slicePorts(String ports) {
    StringBuilder b = new StringBuilder();
    String name = null;
    for (String line : ports.lines().map(String::trim).toList()) {
      if (line.startsWith("- name: ")) {
        name = line.substring(8);
      } else if (line.startsWith("port: ")) {
        b.append("- {name: ")
            .append(name)
            .append(", port: ")
            .append(line.substring(6))
            .append("}\n");
      }
    }
    return b.toString().stripTrailing();
  }

  private static final String HTTP_PORT = "- name: http\n  port: 8080";
  private static final String READY_3 =
      """
      - {addresses: [10.0.0.1], conditions: {ready: true}}
      - {addresses: [10.0.0.2], conditions: {ready: true}}
      - {addresses: [10.0.0.3], conditions: {ready: true}}""";

  private static Route onlyRoute(XdsResources r) {
    return r.routes().stream()
        .flatMap(rc -> rc.getVirtualHostsList().stream())
        .flatMap(v -> v.getRoutesList().stream())
        .findFirst()
        .orElseGet(() -> proxylessRoute(r));
  }

  private static Route proxylessRoute(XdsResources r) {
    HttpConnectionManager hcm =
        unpack(r.listeners().get(0).getApiListener().getApiListener(), HttpConnectionManager.class);
    return hcm.getRouteConfig().getVirtualHosts(0).getRoutes(0);
  }

  private static HttpConnectionManager hcm(Listener l) {
    return unpack(l.getFilterChains(0).getFilters(0).getTypedConfig(), HttpConnectionManager.class);
  }

  private static <T extends com.google.protobuf.Message> T unpack(
      com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static Listener serviceListener(XdsResources r) {
    return r.listeners().stream()
        .filter(l -> !l.getName().equals(ResourceNames.OUTBOUND_CAPTURE_LISTENER))
        .findFirst()
        .orElseThrow();
  }

  private static Cluster serviceCluster(XdsResources r) {
    return r.clusters().stream()
        .filter(c -> c.getType() == Cluster.DiscoveryType.EDS)
        .findFirst()
        .orElseThrow();
  }

  // 1. Ordered hash keys ------------------------------------------------------------------------

  @Test
  void everyHashPolicyButTheLastIsTerminalOnEveryRoleAndClient() throws Exception {
    String a = "fairlead.io/hash-on: header:x-user,cookie:sid,source-ip";
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      List<RouteAction.HashPolicy> policies =
          onlyRoute(translate(a, HTTP_PORT, READY_3, ctx)).getRoute().getHashPolicyList();
      assertThat(policies).as(ctx.role().label()).hasSize(3);
      assertThat(policies)
          .extracting(RouteAction.HashPolicy::getTerminal)
          .containsExactly(true, true, false);
    }
    for (ProxyContext ctx : List.of(GRPC_JAVA, GRPC_NODE)) {
      // gRPC keeps the header and turns source-ip into its channel id (gRFC A42 has terminal too).
      List<RouteAction.HashPolicy> policies =
          onlyRoute(translate(a, HTTP_PORT, READY_3, ctx)).getRoute().getHashPolicyList();
      assertThat(policies)
          .extracting(p -> p.hasHeader() ? "header" : p.getFilterState().getKey())
          .containsExactly("header", "io.grpc.channel_id");
      assertThat(policies)
          .extracting(RouteAction.HashPolicy::getTerminal)
          .containsExactly(true, false);
    }
  }

  @Test
  void aSingleHashKeyIsNotTerminal() throws Exception {
    Route route =
        onlyRoute(translate("fairlead.io/hash-on: header:x-user", HTTP_PORT, READY_3, SIDECAR));
    assertThat(route.getRoute().getHashPolicyList())
        .extracting(RouteAction.HashPolicy::getTerminal)
        .containsExactly(false);
  }

  // 2. Not-ready endpoints and the panic threshold ---------------------------------------------

  private static final String SCALE_UP =
      """
      - {addresses: [10.0.0.1], conditions: {ready: true}}
      - {addresses: [10.0.0.2], conditions: {ready: false, serving: false, terminating: false}}
      - {addresses: [10.0.0.3], conditions: {ready: false, serving: false, terminating: false}}
      - {addresses: [10.0.0.4], conditions: {ready: false, serving: false, terminating: false}}
      - {addresses: [10.0.0.5], conditions: {ready: false, serving: true, terminating: true}}""";

  private static List<String> addresses(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream()
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(
            e ->
                e.getEndpoint().getAddress().getSocketAddress().getAddress()
                    + "="
                    + e.getHealthStatus())
        .toList();
  }

  @Test
  void notServingEndpointsAreNeverSentToAnyRole() throws Exception {
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY, GRPC_JAVA, GRPC_NODE)) {
      ClusterLoadAssignment cla = translate("", HTTP_PORT, SCALE_UP, ctx).endpoints().get(0);
      assertThat(addresses(cla))
          .as(ctx.role().label())
          .containsExactly("10.0.0.1=HEALTHY", "10.0.0.5=DRAINING");
    }
  }

  @Test
  void envoyNeverPanicsUnlessTheServiceOptsIn() throws Exception {
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      Cluster c = serviceCluster(translate("", HTTP_PORT, SCALE_UP, ctx));
      assertThat(c.getCommonLbConfig().hasHealthyPanicThreshold()).isTrue();
      assertThat(c.getCommonLbConfig().getHealthyPanicThreshold().getValue()).isZero();
    }
    Cluster optIn =
        serviceCluster(
            translate("fairlead.io/panic-threshold: \"50\"", HTTP_PORT, SCALE_UP, SIDECAR));
    assertThat(optIn.getCommonLbConfig().getHealthyPanicThreshold().getValue()).isEqualTo(50.0);
  }

  @Test
  void grpcGetsNoPanicSettingAndAWarningOnlyWhenOneWasAskedFor() throws Exception {
    XdsResources plain = translate("", HTTP_PORT, SCALE_UP, GRPC_JAVA);
    assertThat(serviceCluster(plain).hasCommonLbConfig()).isFalse();
    assertThat(plain.diagnostics()).isEmpty();
    XdsResources asked =
        translate("fairlead.io/panic-threshold: \"50\"", HTTP_PORT, SCALE_UP, GRPC_JAVA);
    assertThat(serviceCluster(asked).hasCommonLbConfig()).isFalse();
    assertThat(asked.diagnostics())
        .extracting(Diagnostic::key)
        .containsExactly(AnnotationRegistry.PANIC_THRESHOLD.fullName());
  }

  @Test
  void withNoReadyEndpointServingTerminatingOnesTakeTheTrafficAsKubeProxyDoes() throws Exception {
    String none =
        """
        - {addresses: [10.0.0.1], conditions: {ready: false, serving: true, terminating: true}}
        - {addresses: [10.0.0.2], conditions: {ready: false, serving: false, terminating: true}}""";
    for (ProxyContext ctx : List.of(SIDECAR, GRPC_JAVA)) {
      assertThat(addresses(translate("", HTTP_PORT, none, ctx).endpoints().get(0)))
          .containsExactly("10.0.0.1=HEALTHY");
    }
  }

  // 3. Health checks -----------------------------------------------------------------------------

  @Test
  void httpHealthChecksSendTheServiceNameAsHostAndHttp2OnHttp2Ports() throws Exception {
    String ports =
        "- name: http\n  port: 8080\n- name: h2c\n  port: 8081\n- name: grpc\n  port: 9090";
    String a =
        """
        fairlead.io/health-check.http: http:/healthz
        fairlead.io/health-check.h2c: http:/ready,host=probe.internal
        fairlead.io/health-check.grpc: grpc""";
    XdsResources r = translate(a, ports, READY_3, SIDECAR);
    Map<String, Cluster> clusters =
        r.clusters().stream().collect(Collectors.toMap(Cluster::getName, c -> c));
    var http = clusters.get("demo/svc:8080").getHealthChecks(0).getHttpHealthCheck();
    assertThat(http.getHost()).isEqualTo("svc.demo.svc.cluster.local");
    assertThat(http.getCodecClientType()).isEqualTo(CodecClientType.HTTP1);
    var h2c = clusters.get("demo/svc:8081").getHealthChecks(0).getHttpHealthCheck();
    assertThat(h2c.getHost()).isEqualTo("probe.internal");
    assertThat(h2c.getCodecClientType()).isEqualTo(CodecClientType.HTTP2);
    assertThat(clusters.get("demo/svc:9090").getHealthChecks(0).getGrpcHealthCheck().getAuthority())
        .isEqualTo("svc.demo.svc.cluster.local");
    // A pod Kubernetes removed would otherwise keep its traffic while it still passes checks.
    assertThat(clusters.values())
        .filteredOn(c -> c.getHealthChecksCount() > 0)
        .allSatisfy(c -> assertThat(c.getIgnoreHealthOnHostRemoval()).isTrue());
  }

  // 4. Proxyless locality weights ----------------------------------------------------------------

  private static final String TWO_ZONES =
      """
      - {addresses: [10.0.1.1], zone: zone-a, conditions: {ready: true}}
      - {addresses: [10.0.1.2], zone: zone-a, conditions: {ready: false, serving: true, terminating: true}}
      - {addresses: [10.0.1.3], zone: zone-a, conditions: {ready: false, serving: false, terminating: false}}
      - {addresses: [10.0.2.1], zone: zone-b, conditions: {ready: true}}
      - {addresses: [10.0.2.2], zone: zone-b, conditions: {ready: true}}
      - {addresses: [10.0.3.1], zone: zone-c, conditions: {ready: false, serving: true, terminating: true}}""";

  private static Map<String, Integer> weights(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream()
        .collect(
            Collectors.toMap(
                l -> l.getLocality().getZone(),
                l -> l.hasLoadBalancingWeight() ? l.getLoadBalancingWeight().getValue() : 0));
  }

  @Test
  void localityWeightsCountOnlyReadyEndpointsAndGrpcGetsNoLocalityWithoutOne() throws Exception {
    for (ProxyContext ctx : List.of(GRPC_JAVA, GRPC_NODE)) {
      assertThat(weights(translate("", HTTP_PORT, TWO_ZONES, ctx).endpoints().get(0)))
          .containsExactlyInAnyOrderEntriesOf(Map.of("zone-a", 1, "zone-b", 2));
    }
    // Envoy keeps zone-c's draining endpoint for its sessions; without a ready one it has no
    // weight.
    assertThat(weights(translate("", HTTP_PORT, TWO_ZONES, SIDECAR).endpoints().get(0)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("zone-a", 1, "zone-b", 2, "zone-c", 0));
  }

  // 5. PreferClose and the overprovisioning factor ----------------------------------------------

  /**
   * Envoy's availability of one priority, as {@code LoadBalancerBase::recalculatePerPriorityState}
   * computes it (source/extensions/load_balancing_policies/common/load_balancer_impl.cc): min(100,
   * factor × healthy / total), in 64-bit integers.
   */
  private static long envoyHealth(long factor, long healthy, long total) {
    return Math.min(100, factor * healthy / total);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 40, 250})
  void preferCloseKeepsEveryRequestLocalWhileOneLocalEndpointIsReady(int localNotReady)
      throws Exception {
    StringBuilder eps =
        new StringBuilder("- {addresses: [10.0.1.1], zone: zone-a, conditions: {ready: true}}\n");
    for (int i = 0; i < localNotReady; i++) {
      eps.append(
          "- {addresses: [10.0.5.%d], zone: zone-a, conditions: {ready: false, serving: true, terminating: true}}\n"
              .formatted(i + 1));
    }
    eps.append("- {addresses: [10.0.2.1], zone: zone-b, conditions: {ready: true}}");
    ProxyContext inZoneA =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.of("zone-a"),
            Optional.empty());
    ClusterLoadAssignment cla =
        translate("", "trafficDistribution: PreferClose", HTTP_PORT, eps.toString(), inZoneA)
            .endpoints()
            .get(0);
    assertThat(cla.getEndpointsList())
        .extracting(LocalityLbEndpoints::getPriority)
        .containsExactly(0, 1);
    long total =
        cla.getEndpointsList().stream()
            .filter(l -> l.getPriority() == 0)
            .mapToLong(LocalityLbEndpoints::getLbEndpointsCount)
            .sum();
    long factor = cla.getPolicy().getOverprovisioningFactor().getValue();
    assertThat(envoyHealth(factor, 1, total))
        .as("priority 0 availability with one ready of " + total)
        .isEqualTo(100);
    // Envoy's default would spill: 1.4 × 1/2 = 70% at best.
    assertThat(envoyHealth(140, 1, total)).isLessThan(100);
  }

  // 6. The client address that is hashed ---------------------------------------------------------

  @Test
  void sidecarsHashThePeerNotAnXForwardedForEntry() throws Exception {
    XdsResources r = translate("fairlead.io/hash-on: source-ip", HTTP_PORT, READY_3, SIDECAR);
    HttpConnectionManager hcm = hcm(serviceListener(r));
    // Without use_remote_address Envoy's connection_properties.source_ip would hash the last XFF
    // entry, so the sidecar hashes the script's header, written from
    // downstreamDirectRemoteAddress().
    assertThat(hcm.hasUseRemoteAddress()).isFalse();
    Route route = onlyRoute(r);
    assertThat(route.getRoute().getHashPolicyList())
        .noneMatch(RouteAction.HashPolicy::hasConnectionProperties);
    assertThat(route.getRoute().getHashPolicy(0).getHeader().getHeaderName())
        .isEqualTo(HttpFilters.SUBNET_HEADER);
    var lua = route.getMetadata().getFilterMetadataOrThrow(HttpFilters.LUA);
    assertThat(lua.getFieldsOrThrow("client_address").getStringValue()).isEqualTo("peer");
    assertThat(lua.getFieldsOrThrow("source_ip_prefix_v4").getNumberValue()).isEqualTo(32);
    assertThat(hcm.getHttpFiltersList()).extracting(f -> f.getName()).contains(HttpFilters.LUA);
  }

  @Test
  void gatewaysDeriveTheClientFromThePeerOrTrustedHopsOnly() throws Exception {
    XdsResources r = translate("fairlead.io/hash-on: source-ip", HTTP_PORT, READY_3, GATEWAY);
    HttpConnectionManager hcm = hcm(r.listeners().get(0));
    assertThat(hcm.getUseRemoteAddress().getValue()).isTrue();
    assertThat(hcm.getXffNumTrustedHops()).isZero();
    assertThat(onlyRoute(r).getRoute().getHashPolicy(0).getConnectionProperties().getSourceIp())
        .isTrue();

    ProxyContext behindBalancers =
        new ProxyContext(
            ProxyRole.GATEWAY,
            ClientKind.ENVOY,
            new ProxyContext.Gateway("default", 8080, 2, true, false),
            Optional.empty(),
            Optional.empty(),
            new TreeSet<>());
    Listener l =
        translate("fairlead.io/hash-on: source-ip", HTTP_PORT, READY_3, behindBalancers)
            .listeners()
            .get(0);
    assertThat(hcm(l).getXffNumTrustedHops()).isEqualTo(2);
    assertThat(l.getListenerFiltersList())
        .extracting(f -> f.getName())
        .containsExactly(GatewayListenerBuilder.PROXY_PROTOCOL);
  }

  // 7. Long-lived streams ------------------------------------------------------------------------

  @Test
  void routesReplaceTheFiveMinuteStreamIdleTimeoutAndTcpPortsSetTheirs() throws Exception {
    String ports =
        "- name: http\n  port: 8080\n- name: grpc\n  port: 9090\n- name: db\n  port: 5432";
    XdsResources r = translate("fairlead.io/idle-timeout.grpc: 0s", ports, READY_3, SIDECAR);
    Map<String, Duration> idle =
        r.routes().stream()
            .collect(
                Collectors.toMap(
                    rc -> rc.getName(),
                    rc ->
                        Duration.ofSeconds(
                            rc.getVirtualHosts(0)
                                .getRoutes(0)
                                .getRoute()
                                .getIdleTimeout()
                                .getSeconds())));
    assertThat(idle)
        .containsEntry("demo/svc:8080", Duration.ofHours(1))
        .containsEntry("demo/svc:9090", Duration.ZERO);
    Listener db =
        r.listeners().stream()
            .filter(l -> l.getName().equals("demo/svc:5432"))
            .findFirst()
            .orElseThrow();
    TcpProxy tcp = unpack(db.getFilterChains(0).getFilters(0).getTypedConfig(), TcpProxy.class);
    assertThat(tcp.getIdleTimeout().getSeconds()).isEqualTo(3600);
    // RFC 8441 WebSockets over HTTP/2 are accepted where upgrades are.
    r.listeners().stream()
        .filter(l -> l.getName().endsWith(":8080") || l.getName().endsWith(":9090"))
        .forEach(l -> assertThat(hcm(l).getHttp2ProtocolOptions().getAllowConnect()).isTrue());
  }

  @Test
  void grpcClientsGetNoIdleTimeout() throws Exception {
    Route route = onlyRoute(translate("", HTTP_PORT, READY_3, GRPC_JAVA));
    assertThat(route.getRoute().hasIdleTimeout()).isFalse();
  }

  // 8. Retries go to another pod -----------------------------------------------------------------

  @Test
  void envoyRetriesAvoidTheHostsAlreadyTriedAndGrpcGetsNoPredicate() throws Exception {
    String a =
        "fairlead.io/hash-on: header:x-user\nfairlead.io/retries: attempts=2,on=connect-failure";
    var retry = onlyRoute(translate(a, HTTP_PORT, READY_3, SIDECAR)).getRoute().getRetryPolicy();
    assertThat(retry.getRetryHostPredicateList())
        .extracting(p -> p.getName())
        .containsExactly(RouteBuilder.PREVIOUS_HOSTS);
    assertThat(retry.getHostSelectionRetryMaxAttempts()).isGreaterThan(1);
    var grpc = onlyRoute(translate(a, HTTP_PORT, READY_3, GRPC_JAVA)).getRoute().getRetryPolicy();
    assertThat(grpc.getRetryHostPredicateList()).isEmpty();
  }

  // 10. Session timeout across a gateway fleet ---------------------------------------------------

  @Test
  void aGatewaySessionTimeoutWarnsUnlessTheEnvoyBuildIsDeclaredFixed() throws Exception {
    String a = "fairlead.io/session-persistence: cookie:s\nfairlead.io/persistence-timeout: 30m";
    assertThat(translate(a, HTTP_PORT, READY_3, GATEWAY).diagnostics())
        .extracting(Diagnostic::key)
        .containsExactly(AnnotationRegistry.PERSISTENCE_TIMEOUT.fullName());
    ProxyContext fixed =
        new ProxyContext(
            ProxyRole.GATEWAY,
            ClientKind.ENVOY,
            new ProxyContext.Gateway("default", 8080, 0, false, true),
            Optional.empty(),
            Optional.empty(),
            new TreeSet<>());
    assertThat(translate(a, HTTP_PORT, READY_3, fixed).diagnostics()).isEmpty();
    assertThat(translate(a, HTTP_PORT, READY_3, SIDECAR).diagnostics()).isEmpty();
    assertThat(
            translate("fairlead.io/session-persistence: cookie:s", HTTP_PORT, READY_3, GATEWAY)
                .diagnostics())
        .isEmpty();
  }

  // 11. Gateway details --------------------------------------------------------------------------

  @Test
  void gatewayHostMatchingIgnoresThePort() throws Exception {
    assertThat(
            hcm(translate("", HTTP_PORT, READY_3, GATEWAY).listeners().get(0))
                .getStripAnyHostPort())
        .isTrue();
  }

  @Test
  void drainingEndpointsStayDrainingWhileAnotherIsReady() throws Exception {
    ClusterLoadAssignment cla = translate("", HTTP_PORT, SCALE_UP, SIDECAR).endpoints().get(0);
    assertThat(
            cla.getEndpointsList().stream()
                .flatMap(l -> l.getLbEndpointsList().stream())
                .map(LbEndpoint::getHealthStatus))
        .containsExactly(HealthStatus.HEALTHY, HealthStatus.DRAINING);
  }

  // 11. Retry back-off, statuses and hosts ------------------------------------------------------

  @Test
  void retryStatusCodesNeedTheirConditionAndBackoffIsWrittenInFull() throws Exception {
    String a =
        "fairlead.io/retries: attempts=2,on=reset,status=503|409,backoff=50ms,retry-host=any";
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      var retry = onlyRoute(translate(a, HTTP_PORT, READY_3, ctx)).getRoute().getRetryPolicy();
      // Envoy reads retriable_status_codes only under the retriable-status-codes condition.
      assertThat(retry.getRetryOn()).isEqualTo("reset,retriable-status-codes");
      assertThat(retry.getRetriableStatusCodesList()).containsExactly(409, 503);
      // max_interval is written (10 x base), so Envoy's own default cannot differ.
      assertThat(retry.getRetryBackOff().getBaseInterval().getNanos()).isEqualTo(50_000_000);
      assertThat(retry.getRetryBackOff().getMaxInterval().getNanos()).isEqualTo(500_000_000);
      assertThat(retry.getRetryHostPredicateList()).isEmpty();
      assertThat(retry.getHostSelectionRetryMaxAttempts()).isZero();
    }
    XdsResources grpc = translate(a, HTTP_PORT, READY_3, GRPC_JAVA);
    var retry = onlyRoute(grpc).getRoute().getRetryPolicy();
    assertThat(retry.getRetryOn()).isEqualTo("unavailable");
    assertThat(retry.getRetriableStatusCodesList()).isEmpty();
    assertThat(retry.getRetryBackOff().getMaxInterval().getNanos()).isEqualTo(500_000_000);
    assertThat(grpc.diagnostics())
        .extracting(Diagnostic::message)
        .anyMatch(m -> m.contains("status= is not sent"));
  }

  // 12. Outlier detection modes -----------------------------------------------------------------

  @Test
  void outlierModesAreEnforcedAsWrittenAndGrpcGetsOnlyTheStatisticalOnes() throws Exception {
    String a =
        "fairlead.io/outlier-detection: gateway-failure=3,local-origin=2,success-rate=0,"
            + "failure-percentage=60,min-hosts=3,request-volume=20";
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      var o = serviceCluster(translate(a, HTTP_PORT, READY_3, ctx)).getOutlierDetection();
      // Envoy's default enforcement of gateway failures and failure percentage is 0%.
      assertThat(o.getConsecutiveGatewayFailure().getValue()).isEqualTo(3);
      assertThat(o.getEnforcingConsecutiveGatewayFailure().getValue()).isEqualTo(100);
      assertThat(o.getSplitExternalLocalOriginErrors()).isTrue();
      assertThat(o.getConsecutiveLocalOriginFailure().getValue()).isEqualTo(2);
      // Success rate is on at 100% by default; success-rate=0 must be sent as an explicit 0.
      assertThat(o.hasEnforcingSuccessRate()).isTrue();
      assertThat(o.getEnforcingSuccessRate().getValue()).isZero();
      assertThat(o.getFailurePercentageThreshold().getValue()).isEqualTo(60);
      assertThat(o.getEnforcingFailurePercentage().getValue()).isEqualTo(100);
      assertThat(o.getFailurePercentageMinimumHosts().getValue()).isEqualTo(3);
      assertThat(o.getSuccessRateMinimumHosts().getValue()).isEqualTo(3);
      assertThat(o.getFailurePercentageRequestVolume().getValue()).isEqualTo(20);
      assertThat(o.getSuccessRateRequestVolume().getValue()).isEqualTo(20);
    }
    for (ProxyContext ctx : List.of(GRPC_JAVA, GRPC_NODE)) {
      XdsResources r = translate(a, HTTP_PORT, READY_3, ctx);
      var o = serviceCluster(r).getOutlierDetection();
      assertThat(o.hasConsecutive5Xx()).isFalse();
      assertThat(o.hasConsecutiveGatewayFailure()).isFalse();
      assertThat(o.getSplitExternalLocalOriginErrors()).isFalse();
      assertThat(o.getEnforcingSuccessRate().getValue()).isZero();
      assertThat(o.getEnforcingFailurePercentage().getValue()).isEqualTo(100);
      assertThat(r.diagnostics())
          .extracting(Diagnostic::message)
          .anyMatch(m -> m.contains("gateway-failure, local-origin not sent"));
    }
    // consecutive-5xx alone: gRPC gets nothing, as before.
    String plain = "fairlead.io/outlier-detection: default";
    assertThat(
            serviceCluster(translate(plain, HTTP_PORT, READY_3, GRPC_JAVA)).hasOutlierDetection())
        .isFalse();
    assertThat(
            serviceCluster(translate(plain, HTTP_PORT, READY_3, SIDECAR))
                .getOutlierDetection()
                .hasEnforcingSuccessRate())
        .isFalse();
  }

  // 13. Slow-start curve --------------------------------------------------------------------------

  @Test
  void slowStartCurveIsSentOnlyWithItsWindowAndNeverToGrpc() throws Exception {
    String a = "fairlead.io/slow-start: 60s,aggression=1.5,min-weight=25";
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      var policy =
          serviceCluster(translate(a, HTTP_PORT, READY_3, ctx))
              .getLoadBalancingPolicy()
              .getPolicies(0)
              .getTypedExtensionConfig();
      var rr =
          unpack(
              policy.getTypedConfig(),
              io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin
                  .class);
      var ss = rr.getSlowStartConfig();
      assertThat(ss.getSlowStartWindow().getSeconds()).isEqualTo(60);
      // A RuntimeDouble needs a key; unset in the runtime, its default_value applies.
      assertThat(ss.getAggression().getDefaultValue()).isEqualTo(1.5);
      assertThat(ss.getAggression().getRuntimeKey()).isNotEmpty();
      assertThat(ss.getMinWeightPercent().getValue()).isEqualTo(25.0);
    }
    var plain =
        unpack(
            serviceCluster(translate("fairlead.io/slow-start: 60s", HTTP_PORT, READY_3, SIDECAR))
                .getLoadBalancingPolicy()
                .getPolicies(0)
                .getTypedExtensionConfig()
                .getTypedConfig(),
            io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin.class);
    assertThat(plain.getSlowStartConfig().hasAggression()).isFalse();
    assertThat(plain.getSlowStartConfig().hasMinWeightPercent()).isFalse();
    XdsResources grpc = translate(a, HTTP_PORT, READY_3, GRPC_JAVA);
    assertThat(serviceCluster(grpc).hasLoadBalancingPolicy()).isFalse();
    assertThat(grpc.diagnostics())
        .extracting(Diagnostic::message)
        .anyMatch(m -> m.contains("no slow start"));
  }

  // 14. Health-check method and statuses ---------------------------------------------------------

  @Test
  void healthCheckStatusRangesIncludeTheirLastCodeAndReplace200() throws Exception {
    String a = "fairlead.io/health-check: http:/ready,method=HEAD,expected=204|300-399";
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      var http =
          serviceCluster(translate(a, HTTP_PORT, READY_3, ctx))
              .getHealthChecks(0)
              .getHttpHealthCheck();
      assertThat(http.getMethod()).isEqualTo(io.envoyproxy.envoy.config.core.v3.RequestMethod.HEAD);
      // [start, end): the annotation's inclusive 300-399 must reach 399.
      assertThat(http.getExpectedStatusesList())
          .extracting(r -> r.getStart() + "-" + r.getEnd())
          .containsExactly("204-205", "300-400");
    }
    var plain =
        serviceCluster(
                translate("fairlead.io/health-check: http:/ready", HTTP_PORT, READY_3, SIDECAR))
            .getHealthChecks(0)
            .getHttpHealthCheck();
    assertThat(plain.getExpectedStatusesList()).isEmpty();
    assertThat(plain.getMethodValue()).isZero();
    assertThat(serviceCluster(translate(a, HTTP_PORT, READY_3, GRPC_JAVA)).getHealthChecksList())
        .isEmpty();
  }

  // 15. Connection pool ---------------------------------------------------------------------------

  @Test
  void connectionPoolLimitsReachTheClusterWithItsProtocol() throws Exception {
    String a =
        "fairlead.io/connection-pool: idle-timeout=90s,max-requests-per-connection=100,"
            + "max-concurrent-streams=50";
    String h2 = "- name: http2\n  port: 8080";
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      var options =
          unpack(
              serviceCluster(translate(a, h2, READY_3, ctx))
                  .getTypedExtensionProtocolOptionsOrThrow(
                      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"),
              io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
      assertThat(options.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds())
          .isEqualTo(90);
      assertThat(options.getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue())
          .isEqualTo(100);
      assertThat(
              options
                  .getExplicitHttpConfig()
                  .getHttp2ProtocolOptions()
                  .getMaxConcurrentStreams()
                  .getValue())
          .isEqualTo(50);
    }
    // An HTTP/1 port names HTTP/1, and max-concurrent-streams is a warning there.
    XdsResources http1 = translate(a, HTTP_PORT, READY_3, SIDECAR);
    var options =
        unpack(
            serviceCluster(http1)
                .getTypedExtensionProtocolOptionsOrThrow(
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"),
            io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
    assertThat(options.getExplicitHttpConfig().hasHttpProtocolOptions()).isTrue();
    assertThat(http1.diagnostics())
        .extracting(Diagnostic::message)
        .anyMatch(m -> m.contains("max-concurrent-streams has no effect"));
    assertThat(
            serviceCluster(translate(a, h2, READY_3, GRPC_JAVA))
                .getTypedExtensionProtocolOptionsMap())
        .isEmpty();
  }

  // 16. Locality failover order -------------------------------------------------------------------

  private static final String FOUR_ZONES =
      """
      - {addresses: [10.0.1.1], zone: zone-a, conditions: {ready: true}}
      - {addresses: [10.0.1.2], zone: zone-a, conditions: {ready: true}}
      - {addresses: [10.0.2.1], zone: zone-b, conditions: {ready: true}}
      - {addresses: [10.0.3.1], zone: zone-c, conditions: {ready: true}}
      - {addresses: [10.0.4.1], zone: zone-d, conditions: {ready: false, serving: true, terminating: true}}""";

  private static Map<String, Integer> priorities(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream()
        .collect(
            Collectors.toMap(l -> l.getLocality().getZone(), LocalityLbEndpoints::getPriority));
  }

  private static ProxyContext in(String zone, ClientKind client) {
    return new ProxyContext(
        client.isGrpc() ? ProxyRole.PROXYLESS : ProxyRole.SIDECAR,
        client,
        "default",
        8080,
        Optional.ofNullable(zone),
        Optional.empty());
  }

  @Test
  void failoverOrdersZonesAfterTheProxysOwnWithContiguousPriorities() throws Exception {
    String a = "fairlead.io/failover: zone-c,zone-b";
    // In zone-b: own zone first, then zone-c (listed), then zone-a and zone-d (not listed).
    ClusterLoadAssignment inB =
        translate(a, HTTP_PORT, FOUR_ZONES, in("zone-b", ClientKind.ENVOY)).endpoints().get(0);
    assertThat(priorities(inB))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("zone-b", 0, "zone-c", 1, "zone-a", 2, "zone-d", 2));
    // Every priority keeps all traffic while one of its endpoints is healthy (largest: 3 in p2).
    long factor = inB.getPolicy().getOverprovisioningFactor().getValue();
    assertThat(factor).isEqualTo(300);
    assertThat(envoyHealth(factor, 1, 3)).isEqualTo(100);
    // A proxy in a zone without endpoints starts with the first listed zone: no empty priority 0.
    ClusterLoadAssignment inE =
        translate(a, HTTP_PORT, FOUR_ZONES, in("zone-e", ClientKind.ENVOY)).endpoints().get(0);
    assertThat(priorities(inE))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("zone-c", 0, "zone-b", 1, "zone-a", 2, "zone-d", 2));
    // gRPC: zone-d has no ready endpoint and is left out; priorities stay 0, 1, 2.
    ClusterLoadAssignment grpc =
        translate(a, HTTP_PORT, FOUR_ZONES, in(null, ClientKind.GRPC_JAVA)).endpoints().get(0);
    assertThat(priorities(grpc))
        .containsExactlyInAnyOrderEntriesOf(Map.of("zone-c", 0, "zone-b", 1, "zone-a", 2));
    assertThat(grpc.getPolicy().hasOverprovisioningFactor()).isFalse();
    // The gateway role orders by its own zone the same way.
    ProxyContext gatewayInA =
        new ProxyContext(
            ProxyRole.GATEWAY,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.of("zone-a"),
            Optional.empty());
    assertThat(priorities(translate(a, HTTP_PORT, FOUR_ZONES, gatewayInA).endpoints().get(0)))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("zone-a", 0, "zone-c", 1, "zone-b", 2, "zone-d", 3));
  }

  // --- local rate limits (envoy-semantics.md#local-rate-limit, #local-rate-limit-per-client)

  private static LocalRateLimit rateLimitOf(Route route) {
    return unpack(
        route.getTypedPerFilterConfigOrThrow(HttpFilters.LOCAL_RATE_LIMIT), LocalRateLimit.class);
  }

  private static List<String> filterNames(HttpConnectionManager hcm) {
    return hcm.getHttpFiltersList().stream()
        .map(
            io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter
                ::getName)
        .toList();
  }

  @Test
  void aRateLimitIsEnabledEnforcedAndAnsweredWithHeadersOnItsRouteOnly() throws Exception {
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      XdsResources r =
          translate("fairlead.io/rate-limit: 2000/s burst 4000", HTTP_PORT, READY_3, ctx);
      LocalRateLimit limit = rateLimitOf(onlyRoute(r));
      // Without filter_enabled and filter_enforced Envoy counts nothing and rejects nothing.
      assertThat(limit.getFilterEnabled().getDefaultValue().getNumerator()).isEqualTo(100);
      assertThat(limit.getFilterEnabled().getDefaultValue().getDenominator())
          .isEqualTo(FractionalPercent.DenominatorType.HUNDRED);
      assertThat(limit.getFilterEnforced().getDefaultValue().getNumerator()).isEqualTo(100);
      assertThat(limit.getFilterEnforced().getDefaultValue().getDenominator())
          .isEqualTo(FractionalPercent.DenominatorType.HUNDRED);
      assertThat(limit.getEnableXRatelimitHeaders())
          .isEqualTo(XRateLimitHeadersRFCVersion.DRAFT_VERSION_03);
      // A per-route config must carry a bucket, or Envoy rejects it.
      assertThat(limit.hasTokenBucket()).isTrue();
      assertThat(limit.getTokenBucket().getMaxTokens()).isEqualTo(4000);
      assertThat(limit.getTokenBucket().getTokensPerFill().getValue()).isEqualTo(2000);
      assertThat(limit.getTokenBucket().getFillInterval().getSeconds()).isEqualTo(1);
      assertThat(limit.getDescriptorsList()).isEmpty();
      assertThat(limit.getRateLimitedAsResourceExhausted()).isFalse();
      // The listener's filter has no bucket, so routes without a limit pass untouched; it runs
      // first.
      HttpConnectionManager hcm = hcm(serviceListener(r));
      assertThat(filterNames(hcm).get(0)).isEqualTo(HttpFilters.LOCAL_RATE_LIMIT);
      LocalRateLimit listenerWide =
          unpack(hcm.getHttpFilters(0).getTypedConfig(), LocalRateLimit.class);
      assertThat(listenerWide.hasTokenBucket()).isFalse();
      assertThat(listenerWide.hasFilterEnabled()).isFalse();
    }
    // Without the annotation: neither the filter nor a per-route config.
    XdsResources none = translate("", HTTP_PORT, READY_3, SIDECAR);
    assertThat(onlyRoute(none).getTypedPerFilterConfigMap())
        .doesNotContainKey(HttpFilters.LOCAL_RATE_LIMIT);
    assertThat(filterNames(hcm(serviceListener(none))))
        .doesNotContain(HttpFilters.LOCAL_RATE_LIMIT);
  }

  @Test
  void rateLimitedGrpcCallsAreResourceExhausted() throws Exception {
    XdsResources r =
        translate("fairlead.io/rate-limit: 20/m", "- name: grpc\n  port: 9090", READY_3, SIDECAR);
    LocalRateLimit limit = rateLimitOf(onlyRoute(r));
    assertThat(limit.getRateLimitedAsResourceExhausted()).isTrue();
    assertThat(limit.getTokenBucket().getFillInterval().getSeconds()).isEqualTo(60);
    assertThat(limit.getTokenBucket().getMaxTokens()).isEqualTo(20);
  }

  @Test
  void perClientLimitsAreAWildcardRemoteAddressDescriptorOnGatewayRoutes() throws Exception {
    String both =
        "fairlead.io/rate-limit: 2000/s\nfairlead.io/rate-limit-per-client: 20/s burst 40";
    LocalRateLimit limit = rateLimitOf(onlyRoute(translate(both, HTTP_PORT, READY_3, GATEWAY)));
    assertThat(limit.getDescriptorsList())
        .singleElement()
        .satisfies(
            d -> {
              // An empty value is Envoy's wildcard: one bucket per distinct address seen.
              assertThat(d.getEntriesList())
                  .singleElement()
                  .satisfies(
                      e -> {
                        assertThat(e.getKey()).isEqualTo("remote_address");
                        assertThat(e.getValue()).isEmpty();
                      });
              assertThat(d.getTokenBucket().getMaxTokens()).isEqualTo(40);
              assertThat(d.getTokenBucket().getTokensPerFill().getValue()).isEqualTo(20);
            });
    // The filter's own rate_limits make the descriptor; the route's would be read only without
    // them, a use Envoy announces it will drop.
    assertThat(limit.getRateLimitsList())
        .singleElement()
        .satisfies(
            rl ->
                assertThat(rl.getActionsList()).singleElement().matches(a -> a.hasRemoteAddress()));
    // Envoy's default LRU of 20 addresses would reset a client's bucket under any real load.
    assertThat(limit.getMaxDynamicDescriptors().getValue()).isEqualTo(10_000);
    // With a per-port limit too, both buckets are spent (Envoy's default).
    assertThat(limit.hasAlwaysConsumeDefaultTokenBucket()).isFalse();
    assertThat(limit.getTokenBucket().getTokensPerFill().getValue()).isEqualTo(2000);
    // The gateway derives the client from the peer or trusted hops, never a client's XFF entry.
    HttpConnectionManager gateway =
        hcm(serviceListener(translate(both, HTTP_PORT, READY_3, GATEWAY)));
    assertThat(gateway.getUseRemoteAddress().getValue()).isTrue();
    // Sidecars keep the per-port bucket and no per-client one.
    LocalRateLimit sidecar = rateLimitOf(onlyRoute(translate(both, HTTP_PORT, READY_3, SIDECAR)));
    assertThat(sidecar.getDescriptorsList()).isEmpty();
    assertThat(sidecar.getRateLimitsList()).isEmpty();
  }

  @Test
  void aPerClientLimitAloneDoesNotAlsoSpendADefaultBucket() throws Exception {
    XdsResources r =
        translate("fairlead.io/rate-limit-per-client: 20/s", HTTP_PORT, READY_3, GATEWAY);
    LocalRateLimit limit = rateLimitOf(onlyRoute(r));
    // The default bucket only meets requests without an IP address (no descriptor matched).
    assertThat(limit.getAlwaysConsumeDefaultTokenBucket().getValue()).isFalse();
    assertThat(limit.getTokenBucket().getTokensPerFill().getValue()).isEqualTo(20);
    // A sidecar has nothing to apply: no filter at all.
    XdsResources sidecar =
        translate("fairlead.io/rate-limit-per-client: 20/s", HTTP_PORT, READY_3, SIDECAR);
    assertThat(filterNames(hcm(serviceListener(sidecar))))
        .doesNotContain(HttpFilters.LOCAL_RATE_LIMIT);
  }

  @Test
  void proxylessClientsGetNoRateLimitAndAWarning() throws Exception {
    for (ProxyContext ctx : List.of(GRPC_JAVA, GRPC_NODE)) {
      XdsResources r = translate("fairlead.io/rate-limit: 100/s", HTTP_PORT, READY_3, ctx);
      assertThat(proxylessRoute(r).getTypedPerFilterConfigMap()).isEmpty();
      assertThat(r.diagnostics())
          .filteredOn(d -> d.subject().key().equals(AnnotationRegistry.RATE_LIMIT.fullName()))
          .singleElement()
          .satisfies(
              d -> assertThat(d.reason()).isEqualTo(io.fairlead.policies.Reason.CLIENT_DOWNGRADE));
    }
  }

  // --- access logs and tracing (envoy-semantics.md#access-log, #otel-tracing)

  private static final TranslationSettings JSON_LOGS =
      TranslationSettings.DEFAULT.withAccessLog(TranslationSettings.AccessLogFormat.JSON);

  private static StdoutAccessLog stdout(io.envoyproxy.envoy.config.accesslog.v3.AccessLog log) {
    assertThat(log.getName()).isEqualTo(Telemetry.STDOUT_LOGGER);
    return unpack(log.getTypedConfig(), StdoutAccessLog.class);
  }

  @Test
  void accessLogsFollowTheControlPlaneAndThePortsAnnotation() throws Exception {
    String ports = HTTP_PORT + "\n- name: db\n  port: 5432";
    XdsResources r = translate("", "", ports, READY_3, SIDECAR, JSON_LOGS);
    Listener http = listener(r, "demo/svc:8080");
    Map<String, com.google.protobuf.Value> fields =
        stdout(hcm(http).getAccessLog(0)).getLogFormat().getJsonFormat().getFieldsMap();
    assertThat(fields)
        .containsKeys(
            "start_time",
            "client",
            "method",
            "path",
            "status",
            "response_flags",
            "upstream_host",
            "duration_ms",
            "request_id",
            "trace_id",
            "traceparent");
    assertThat(fields.get("request_id").getStringValue()).isEqualTo("%REQ(X-REQUEST-ID)%");
    assertThat(fields.get("trace_id").getStringValue()).isEqualTo("%TRACE_ID%");
    TcpProxy tcp =
        unpack(
            listener(r, "demo/svc:5432").getFilterChains(0).getFilters(0).getTypedConfig(),
            TcpProxy.class);
    assertThat(stdout(tcp.getAccessLog(0)).getLogFormat().getJsonFormat().getFieldsMap())
        .containsKeys("client", "upstream_host", "response_flags", "duration_ms")
        .doesNotContainKey("method");

    // text: one line of key="value" pairs, newline-terminated
    XdsResources text =
        translate(
            "",
            "",
            HTTP_PORT,
            READY_3,
            SIDECAR,
            TranslationSettings.DEFAULT.withAccessLog(TranslationSettings.AccessLogFormat.TEXT));
    String line =
        stdout(hcm(serviceListener(text)).getAccessLog(0))
            .getLogFormat()
            .getTextFormatSource()
            .getInlineString();
    assertThat(line).contains("status=\"%RESPONSE_CODE%\"").endsWith("\n");

    // access-log off: nothing on the sidecar; on the gateway (one log for every Service) the
    // port's routes are marked and the log filters marked routes out
    XdsResources off =
        translate("fairlead.io/access-log: \"off\"", "", HTTP_PORT, READY_3, SIDECAR, JSON_LOGS);
    assertThat(hcm(serviceListener(off)).getAccessLogList()).isEmpty();
    XdsResources gatewayOff =
        translate("fairlead.io/access-log: \"off\"", "", HTTP_PORT, READY_3, GATEWAY, JSON_LOGS);
    io.envoyproxy.envoy.config.accesslog.v3.AccessLog gatewayLog =
        hcm(serviceListener(gatewayOff)).getAccessLog(0);
    assertThat(gatewayLog.getFilter().getExtensionFilter().getName())
        .isEqualTo(Telemetry.CEL_FILTER);
    assertThat(
            unpack(
                    gatewayLog.getFilter().getExtensionFilter().getTypedConfig(),
                    io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter
                        .class)
                .getExpression())
        .isEqualTo(
            "!has(xds.route_metadata) || !(\"fairlead.access_log_off\" in"
                + " xds.route_metadata.filter_metadata)");
    assertThat(gatewayOff.routes().get(0).getVirtualHosts(0).getRoutesList())
        .allSatisfy(
            route ->
                assertThat(route.getMetadata().getFilterMetadataMap())
                    .containsKey(Telemetry.UNLOGGED_ROUTE));
    assertThat(gatewayOff.diagnostics())
        .noneSatisfy(
            d -> assertThat(d.subject().key()).isEqualTo(AnnotationRegistry.ACCESS_LOG.fullName()));
    // a gateway whose ports all log: no filter, no marks
    XdsResources gatewayOn = translate("", "", HTTP_PORT, READY_3, GATEWAY, JSON_LOGS);
    assertThat(hcm(serviceListener(gatewayOn)).getAccessLog(0).hasFilter()).isFalse();
    assertThat(gatewayOn.routes().get(0).getVirtualHosts(0).getRoutes(0).hasMetadata()).isFalse();

    // the library default, and --access-log off: no access log anywhere
    assertThat(hcm(serviceListener(translate("", HTTP_PORT, READY_3, SIDECAR))).getAccessLogList())
        .isEmpty();
  }

  private static Listener listener(XdsResources r, String name) {
    return r.listeners().stream().filter(l -> l.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void tracingAddsTheOtelProviderAndAnHttp2CollectorClusterToEveryConnectionManager()
      throws Exception {
    TranslationSettings traced =
        TranslationSettings.DEFAULT.withTracing(
            Optional.of(new TranslationSettings.Tracing("otel.observability", 4317, 5)));
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      XdsResources r = translate("", "", HTTP_PORT, READY_3, ctx, traced);
      HttpConnectionManager.Tracing tracing = hcm(serviceListener(r)).getTracing();
      assertThat(tracing.getProvider().getName()).isEqualTo(Telemetry.OTEL_TRACER);
      assertThat(tracing.getRandomSampling().getValue()).isEqualTo(5.0);
      OpenTelemetryConfig otel =
          unpack(tracing.getProvider().getTypedConfig(), OpenTelemetryConfig.class);
      assertThat(otel.getGrpcService().getEnvoyGrpc().getClusterName())
          .isEqualTo(Telemetry.COLLECTOR_CLUSTER);
      Cluster collector =
          r.clusters().stream()
              .filter(c -> c.getName().equals(Telemetry.COLLECTOR_CLUSTER))
              .findFirst()
              .orElseThrow();
      assertThat(collector.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
      // OTLP/gRPC needs HTTP/2 to the collector.
      assertThat(
              unpack(
                      collector.getTypedExtensionProtocolOptionsOrThrow(
                          ClusterBuilder.HTTP_PROTOCOL_OPTIONS),
                      io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class)
                  .getExplicitHttpConfig()
                  .hasHttp2ProtocolOptions())
          .isTrue();
    }
    TranslationSettings byAddress =
        TranslationSettings.DEFAULT.withTracing(
            Optional.of(new TranslationSettings.Tracing("10.1.2.3", 4317, 100)));
    assertThat(
            translate("", "", HTTP_PORT, READY_3, SIDECAR, byAddress).clusters().stream()
                .filter(c -> c.getName().equals(Telemetry.COLLECTOR_CLUSTER))
                .map(Cluster::getType))
        .containsExactly(Cluster.DiscoveryType.STATIC);
    // Proxyless clients make no spans: no cluster, nothing else.
    XdsResources proxyless = translate("", "", HTTP_PORT, READY_3, GRPC_JAVA, traced);
    assertThat(proxyless.clusters())
        .extracting(Cluster::getName)
        .doesNotContain(Telemetry.COLLECTOR_CLUSTER);
  }

  // ---- splits (envoy-semantics.md#split-weights, #split-stickiness, #split-grpc) ----

  /** Root cart splitting over cart-v1 and cart-v2 (all port http 8080), translated for ctx. */
  private static XdsResources split(String split, String hashOn, ProxyContext ctx)
      throws Exception {
    StringBuilder yaml = new StringBuilder();
    for (String name : List.of("cart", "cart-v1", "cart-v2")) {
      String annotations =
          "    fairlead.io/gateway-host: "
              + name
              + ".example.com\n"
              + (name.equals("cart")
                  ? "    fairlead.io/split: "
                      + split
                      + "\n"
                      + (hashOn.isEmpty() ? "" : "    fairlead.io/hash-on: " + hashOn + "\n")
                  : "");
      yaml.append(
          """
          apiVersion: v1
          kind: Service
          metadata:
            name: %s
            namespace: demo
            annotations:
          %s
          spec:
            clusterIP: 10.96.0.%d
            ports:
            - {name: http, port: 8080}
          ---
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata:
            name: %s-1
            namespace: demo
            labels: {kubernetes.io/service-name: %s}
          addressType: IPv4
          ports: [{name: http, port: 8080}]
          endpoints:
          - addresses: [10.1.0.%d]
          ---
          """
              .formatted(
                  name,
                  annotations.stripTrailing(),
                  yaml.length() % 200 + 1,
                  name,
                  name,
                  yaml.length() % 200 + 1));
    }
    KubeYaml.Parsed parsed = KubeYaml.parse("split.yaml", yaml.toString());
    XdsResources r =
        XdsTranslator.translate(
            KubeModelBuilder.build(
                KubeState.of(parsed.services(), parsed.endpointSlices(), parsed.pods())),
            ctx);
    assertThat(VALIDATOR.validate(r, java.util.Set.of())).as("Envoy validation").isEmpty();
    return r;
  }

  /** The root's split route (the last route of cart's port), whatever the role. */
  private static RouteAction splitAction(XdsResources r) throws Exception {
    List<io.envoyproxy.envoy.config.route.v3.RouteConfiguration> configs =
        new java.util.ArrayList<>(r.routes());
    for (Listener l : r.listeners()) {
      if (l.hasApiListener()) {
        configs.add(
            l.getApiListener()
                .getApiListener()
                .unpack(HttpConnectionManager.class)
                .getRouteConfig());
      }
    }
    return configs.stream()
        .flatMap(c -> c.getVirtualHostsList().stream())
        .flatMap(v -> v.getRoutesList().stream())
        .filter(rt -> rt.getRoute().hasWeightedClusters())
        .reduce((a, b) -> b)
        .orElseThrow()
        .getRoute();
  }

  /** {@code use_hash_policy} (field 5 of WeightedCluster), read back from the unknown fields. */
  private static Optional<Boolean> useHashPolicy(RouteAction a) throws Exception {
    var field =
        a.getWeightedClusters().getUnknownFields().getField(RouteBuilder.USE_HASH_POLICY_FIELD);
    if (field.getLengthDelimitedList().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        com.google.protobuf.BoolValue.parseFrom(field.getLengthDelimitedList().get(0)).getValue());
  }

  /**
   * Envoy's pick (WeightedClusterSpecifierPlugin::pickWeightedCluster): value modulo the total,
   * then the cluster whose cumulative range holds it, in list order.
   */
  private static String envoyPick(long value, RouteAction a) {
    var clusters = a.getWeightedClusters().getClustersList();
    long total = clusters.stream().mapToLong(c -> c.getWeight().getValue()).sum();
    long selected = Long.remainderUnsigned(value, total);
    long begin = 0;
    for (var c : clusters) {
      long end = begin + c.getWeight().getValue();
      if (selected >= begin && selected < end) {
        return c.getName();
      }
      begin = end;
    }
    throw new AssertionError("no range holds " + selected);
  }

  /** A uniform 64-bit hash of a key, standing in for Envoy's xxHash64 of the header value. */
  private static long hash(String key) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.nio.ByteBuffer.wrap(d).getLong();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void splitWeightsAreSortedByNameAndScaledToOneTotal() throws Exception {
    RouteAction written = splitAction(split("cart-v2=1,cart-v1=9", "", SIDECAR));
    RouteAction percent = splitAction(split("cart-v1=90,cart-v2=10", "", SIDECAR));
    assertThat(written).isEqualTo(percent);
    assertThat(percent.getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight().getValue())
        .containsExactly("demo/cart-v1:8080=9000", "demo/cart-v2:8080=1000");
    RouteAction thirds = splitAction(split("cart=1,cart-v1=1,cart-v2=1", "", GATEWAY));
    assertThat(thirds.getWeightedClusters().getClustersList())
        .extracting(c -> c.getWeight().getValue())
        .containsExactly(3334, 3333, 3333);
    assertThat(RouteBuilder.scale(new int[] {0, 7, 3})).containsExactly(0, 7000, 3000);
    assertThat(RouteBuilder.scale(new int[] {1, 1, 1, 1, 1, 1, 1}))
        .satisfies(w -> assertThat(java.util.Arrays.stream(w).sum()).isEqualTo(10_000));
  }

  @Test
  void aHashingSplitSendsUseHashPolicyToEnvoyOnly() throws Exception {
    for (ProxyContext envoy : List.of(SIDECAR, GATEWAY)) {
      RouteAction a = splitAction(split("cart-v1=90,cart-v2=10", "header:x-user", envoy));
      assertThat(useHashPolicy(a)).as(envoy.role().name()).contains(true);
      assertThat(a.getHashPolicyList()).as("the hash it uses").hasSize(1);
      // on the wire: the tag of field 5, length-delimited (5 << 3 | 2 = 42), then BoolValue(true)
      assertThat(a.getWeightedClusters().toByteString().toByteArray())
          .containsSubsequence(new byte[] {42, 2, 8, 1});
      assertThat(useHashPolicy(splitAction(split("cart-v1=90,cart-v2=10", "", envoy))))
          .as("no hash key, no use_hash_policy")
          .isEmpty();
    }
    for (ProxyContext grpc : List.of(GRPC_JAVA, GRPC_NODE)) {
      XdsResources r = split("cart-v1=90,cart-v2=10", "header:x-user", grpc);
      assertThat(useHashPolicy(splitAction(r))).as(grpc.client().name()).isEmpty();
      assertThat(r.diagnostics())
          .filteredOn(d -> d.key().equals(AnnotationRegistry.SPLIT.fullName()))
          .singleElement()
          .satisfies(d -> assertThat(d.message()).contains("at random per RPC"));
    }
  }

  @Test
  void changingTheWeightsMovesOnlyTheNeededShareOfKeys() throws Exception {
    RouteAction before = splitAction(split("cart-v1=90,cart-v2=10", "header:x-user", SIDECAR));
    RouteAction after = splitAction(split("cart-v1=80,cart-v2=20", "header:x-user", SIDECAR));
    RouteAction rewritten = splitAction(split("cart-v2=2,cart-v1=18", "header:x-user", SIDECAR));
    int keys = 10_000;
    int moved = 0;
    int onV2 = 0;
    for (int i = 0; i < keys; i++) {
      long h = hash("user-" + i);
      String was = envoyPick(h, before);
      String is = envoyPick(h, after);
      onV2 += was.equals("demo/cart-v2:8080") ? 1 : 0;
      if (!was.equals(is)) {
        moved++;
        assertThat(was + " -> " + is)
            .as("a key moves only from the shrinking to the growing version")
            .isEqualTo("demo/cart-v1:8080 -> demo/cart-v2:8080");
      }
      assertThat(envoyPick(h, rewritten)).as("the same weights written otherwise").isEqualTo(was);
    }
    assertThat(onV2).as("keys on cart-v2 at 90/10").isBetween(900, 1100);
    assertThat(moved).as("keys moved by 90/10 -> 80/20 (10% expected)").isBetween(900, 1100);
  }

  // Client-side weighted round-robin (ORCA) ------------------------------------------------------

  private static final String WRR = "fairlead.io/lb-policy: weighted-round-robin";

  private static io.envoyproxy.envoy.extensions.load_balancing_policies
          .client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin
      cswrr(io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig e) {
    assertThat(e.getName())
        .isEqualTo("envoy.load_balancing_policies.client_side_weighted_round_robin");
    return unpack(
        e.getTypedConfig(),
        io.envoyproxy.envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3
            .ClientSideWeightedRoundRobin.class);
  }

  @Test
  void weightedRoundRobinSendsOnlyTheWrittenTuning() throws Exception {
    for (ProxyContext ctx : List.of(SIDECAR, GATEWAY)) {
      Cluster plain = serviceCluster(translate(WRR, HTTP_PORT, READY_3, ctx));
      assertThat(plain.getLoadBalancingPolicy().getPoliciesList()).hasSize(1);
      var defaults = cswrr(plain.getLoadBalancingPolicy().getPolicies(0).getTypedExtensionConfig());
      // Envoy's defaults (10s, 3m, 1s) stay Envoy's; the penalty is always sent, since Envoy reads
      // an unset one as 0 rather than the documented 1.0.
      assertThat(defaults.hasBlackoutPeriod()).isFalse();
      assertThat(defaults.hasWeightExpirationPeriod()).isFalse();
      assertThat(defaults.hasWeightUpdatePeriod()).isFalse();
      assertThat(defaults.getErrorUtilizationPenalty().getValue()).isEqualTo(1.0f);
      assertThat(defaults.hasEnableOobLoadReport()).isFalse();
      assertThat(defaults.getMetricNamesForComputingUtilizationList()).isEmpty();
    }
    var tuned =
        cswrr(
            serviceCluster(
                    translate(
                        WRR
                            + "\nfairlead.io/weighted-round-robin: blackout-period=2s,weight-expiration-period=1m,"
                            + "weight-update-period=250ms,error-utilization-penalty=0.5,"
                            + "utilization-metrics=named_metrics.gpu|cpu_utilization",
                        HTTP_PORT,
                        READY_3,
                        SIDECAR))
                .getLoadBalancingPolicy()
                .getPolicies(0)
                .getTypedExtensionConfig());
    assertThat(tuned.getBlackoutPeriod().getSeconds()).isEqualTo(2);
    assertThat(tuned.getWeightExpirationPeriod().getSeconds()).isEqualTo(60);
    assertThat(tuned.getWeightUpdatePeriod().getNanos()).isEqualTo(250_000_000);
    assertThat(tuned.getErrorUtilizationPenalty().getValue()).isEqualTo(0.5f);
    assertThat(tuned.getMetricNamesForComputingUtilizationList())
        .containsExactly("named_metrics.gpu", "cpu_utilization");
  }

  @Test
  void weightedRoundRobinIsNotSentForTcpPorts() throws Exception {
    XdsResources r = translate(WRR, "- name: db\n  port: 5432", READY_3, SIDECAR);
    var policy =
        serviceCluster(r).getLoadBalancingPolicy().getPolicies(0).getTypedExtensionConfig();
    assertThat(policy.getName()).isEqualTo("envoy.load_balancing_policies.round_robin");
    assertThat(r.diagnostics())
        .extracting(Diagnostic::message)
        .anyMatch(m -> m.contains("is tcp: weighted-round-robin"));
  }

  @Test
  void weightedRoundRobinReachesGrpcJavaInsideWrrLocality() throws Exception {
    XdsResources r =
        translate(
            WRR + "\nfairlead.io/weighted-round-robin: blackout-period=1s",
            "- name: grpc\n  port: 9090",
            READY_3,
            GRPC_JAVA);
    Cluster c = serviceCluster(r);
    assertThat(r.diagnostics()).isEmpty();
    // The legacy enum stays round-robin for a client that reads no typed policy.
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(c.getLoadBalancingPolicy().getPoliciesList()).hasSize(1);
    var outer = c.getLoadBalancingPolicy().getPolicies(0).getTypedExtensionConfig();
    assertThat(outer.getName()).isEqualTo("envoy.load_balancing_policies.wrr_locality");
    var locality =
        unpack(
            outer.getTypedConfig(),
            io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality
                .class);
    var picking = locality.getEndpointPickingPolicy().getPoliciesList();
    assertThat(picking).hasSize(2);
    assertThat(cswrr(picking.get(0).getTypedExtensionConfig()).getBlackoutPeriod().getSeconds())
        .isEqualTo(1);
    assertThat(picking.get(1).getTypedExtensionConfig().getName())
        .isEqualTo("envoy.load_balancing_policies.round_robin");
    // Other policies still go as the legacy enum alone.
    assertThat(
            serviceCluster(translate("", "- name: grpc\n  port: 9090", READY_3, GRPC_JAVA))
                .hasLoadBalancingPolicy())
        .isFalse();
  }

  @Test
  void grpcNodeGetsRoundRobinForWeightedRoundRobin() throws Exception {
    XdsResources r = translate(WRR, "- name: grpc\n  port: 9090", READY_3, GRPC_NODE);
    Cluster c = serviceCluster(r);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(c.hasLoadBalancingPolicy()).isFalse();
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo(io.fairlead.policies.Reason.CLIENT_DOWNGRADE);
              assertThat(d.key()).isEqualTo("fairlead.io/lb-policy");
              assertThat(d.message()).contains("grpc-node", "round-robin is sent instead");
            });
  }

  // Endpoint weights (docs/envoy-semantics.md#endpoint-weight) ---------------------------------

  /** Two ready endpoints in zone-a (Pods p1 weight 3, p2 unannotated), one in zone-b (p3). */
  private static final String WEIGHTED =
      """
      - {addresses: [10.0.1.1], zone: zone-a, conditions: {ready: true}, targetRef: {kind: Pod, name: p1}}
      - {addresses: [10.0.1.2], zone: zone-a, conditions: {ready: true}, targetRef: {kind: Pod, name: p2}}
      - {addresses: [10.0.2.1], zone: zone-b, conditions: {ready: true}, targetRef: {kind: Pod, name: p3}}
      - {addresses: [10.0.2.2], zone: zone-b, conditions: {ready: false}, targetRef: {kind: Pod, name: p4}}
      ---
      {apiVersion: v1, kind: Pod, metadata: {name: p1, namespace: demo, annotations: {fairlead.io/weight: '3'}}}
      ---
      {apiVersion: v1, kind: Pod, metadata: {name: p2, namespace: demo}}
      ---
      {apiVersion: v1, kind: Pod, metadata: {name: p3, namespace: demo, annotations: {fairlead.io/weight: '5'}}}
      ---
      {apiVersion: v1, kind: Pod, metadata: {name: p4, namespace: demo, annotations: {fairlead.io/weight: '9'}}}
      """;

  private static Map<String, Integer> endpointWeights(ClusterLoadAssignment cla) {
    Map<String, Integer> out = new java.util.TreeMap<>();
    cla.getEndpointsList()
        .forEach(
            l ->
                l.getLbEndpointsList()
                    .forEach(
                        e ->
                            out.put(
                                e.getEndpoint().getAddress().getSocketAddress().getAddress(),
                                e.hasLoadBalancingWeight()
                                    ? e.getLoadBalancingWeight().getValue()
                                    : 0)));
    return out;
  }

  @Test
  void podWeightsBecomeEndpointWeightsAndLocalitySums() throws Exception {
    for (String policy : List.of("round-robin", "least-request", "ring-hash", "maglev")) {
      ClusterLoadAssignment cla =
          translate("fairlead.io/lb-policy: " + policy, HTTP_PORT, WEIGHTED, SIDECAR)
              .endpoints()
              .get(0);
      // every endpoint of the port carries a weight once one Pod has one; unannotated Pods get 1
      assertThat(endpointWeights(cla))
          .as(policy)
          .containsExactlyInAnyOrderEntriesOf(Map.of("10.0.1.1", 3, "10.0.1.2", 1, "10.0.2.1", 5));
      // a locality's weight is the sum of its ready endpoints' weights (p4 is not ready)
      assertThat(weights(cla))
          .as(policy)
          .containsExactlyInAnyOrderEntriesOf(Map.of("zone-a", 4, "zone-b", 5));
    }
  }

  @Test
  void withoutWeightedPodsNothingChanges() throws Exception {
    String unweighted = WEIGHTED.replaceAll("fairlead.io/weight: '\\d'", "x: y");
    ClusterLoadAssignment cla = translate("", HTTP_PORT, unweighted, SIDECAR).endpoints().get(0);
    assertThat(endpointWeights(cla)).containsOnlyKeys("10.0.1.1", "10.0.1.2", "10.0.2.1");
    assertThat(endpointWeights(cla).values()).containsOnly(0); // not set at all
    assertThat(weights(cla)).containsExactlyInAnyOrderEntriesOf(Map.of("zone-a", 2, "zone-b", 1));
  }

  @Test
  void aBadWeightIsAnErrorOnThePodAndCountsAsOne() throws Exception {
    XdsResources r = translate("", HTTP_PORT, WEIGHTED.replace("'3'", "'0'"), SIDECAR);
    assertThat(endpointWeights(r.endpoints().get(0)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("10.0.1.1", 1, "10.0.1.2", 1, "10.0.2.1", 5));
    assertThat(r.diagnostics())
        .anySatisfy(
            d -> {
              assertThat(d.severity()).isEqualTo(io.fairlead.policies.Severity.ERROR);
              assertThat(d.reason()).isEqualTo(io.fairlead.policies.Reason.INVALID_VALUE);
              assertThat(d.object()).isEqualTo("demo/p1");
              assertThat(d.key()).isEqualTo("fairlead.io/weight");
            });
  }

  @Test
  void randomWithWeightsIsAWarning() throws Exception {
    XdsResources r = translate("fairlead.io/lb-policy: random", HTTP_PORT, WEIGHTED, SIDECAR);
    assertThat(r.diagnostics())
        .anySatisfy(
            d -> {
              assertThat(d.reason()).isEqualTo(io.fairlead.policies.Reason.NO_EFFECT);
              assertThat(d.key()).isEqualTo("fairlead.io/lb-policy");
              assertThat(d.message()).contains("random", "fairlead.io/weight");
            });
    assertThat(translate("", HTTP_PORT, WEIGHTED, SIDECAR).diagnostics())
        .noneMatch(d -> d.reason() == io.fairlead.policies.Reason.NO_EFFECT);
  }

  @Test
  void weightedRoundRobinWithPodWeightsIsAWarning() throws Exception {
    XdsResources r = translate(WRR, HTTP_PORT, WEIGHTED, SIDECAR);
    assertThat(r.diagnostics())
        .anySatisfy(
            d -> {
              assertThat(d.reason()).isEqualTo(io.fairlead.policies.Reason.NO_EFFECT);
              assertThat(d.key()).isEqualTo("fairlead.io/lb-policy");
              assertThat(d.message()).contains("weighted-round-robin", "fairlead.io/weight");
            });
    // without weighted Pods the same policy says nothing of weights
    assertThat(translate(WRR, HTTP_PORT, READY_3, SIDECAR).diagnostics())
        .noneMatch(d -> d.reason() == io.fairlead.policies.Reason.NO_EFFECT);
  }

  @Test
  void grpcGetsWeightsWithRingHashOnly() throws Exception {
    for (ProxyContext ctx : List.of(GRPC_JAVA, GRPC_NODE)) {
      XdsResources hashed =
          translate(
              "fairlead.io/lb-policy: ring-hash\nfairlead.io/hash-on: header:x-user",
              HTTP_PORT,
              WEIGHTED,
              ctx);
      assertThat(endpointWeights(hashed.endpoints().get(0)))
          .containsExactlyInAnyOrderEntriesOf(Map.of("10.0.1.1", 3, "10.0.1.2", 1, "10.0.2.1", 5));
      assertThat(hashed.diagnostics()).noneMatch(d -> d.key().equals("fairlead.io/weight"));
      for (String policy : List.of("round-robin", "least-request")) {
        XdsResources r = translate("fairlead.io/lb-policy: " + policy, HTTP_PORT, WEIGHTED, ctx);
        assertThat(endpointWeights(r.endpoints().get(0)).values()).as(policy).containsOnly(0);
        assertThat(weights(r.endpoints().get(0)))
            .as(policy)
            .containsExactlyInAnyOrderEntriesOf(Map.of("zone-a", 2, "zone-b", 1));
        assertThat(r.diagnostics())
            .as(policy)
            .anySatisfy(
                d -> {
                  assertThat(d.reason()).isEqualTo(io.fairlead.policies.Reason.CLIENT_DOWNGRADE);
                  assertThat(d.key()).isEqualTo("fairlead.io/weight");
                });
      }
    }
  }

  // --- on-demand clusters (envoy-semantics.md#on-demand-http, #on-demand-tcp) -----------------

  private static final ProxyContext ON_DEMAND = SIDECAR.withOnDemand(true);

  @Test
  void anOnDemandSidecarsConnectionManagersAskForTheirClusterJustBeforeTheRouter()
      throws Exception {
    // With rate limits and sessions the chain has other filters: on_demand must follow them and
    // precede the router, which is the only filter that needs the cluster to exist.
    String a = "fairlead.io/rate-limit: 10/s\nfairlead.io/session-persistence: cookie:sid";
    HttpConnectionManager usual = hcm(serviceListener(translate(a, HTTP_PORT, READY_3, SIDECAR)));
    HttpConnectionManager onDemand =
        hcm(serviceListener(translate(a, HTTP_PORT, READY_3, ON_DEMAND)));
    List<String> expected = new java.util.ArrayList<>(filterNames(usual));
    expected.add(expected.size() - 1, OnDemand.FILTER);
    assertThat(filterNames(onDemand)).isEqualTo(expected);
    io.envoyproxy.envoy.extensions.filters.http.on_demand.v3.OnDemand config =
        unpack(
            onDemand.getHttpFilters(expected.size() - 2).getTypedConfig(),
            io.envoyproxy.envoy.extensions.filters.http.on_demand.v3.OnDemand.class);
    assertThat(config.getOdcds().getSource().hasAds())
        .as("fetched over the ADS stream, which the bootstrap makes delta")
        .isTrue();
    assertThat(config.getOdcds().getTimeout().getSeconds()).isEqualTo(5);
    assertThat(filterNames(usual)).doesNotContain(OnDemand.FILTER);
  }

  @Test
  void anOnDemandSidecarsTcpProxiesAndPassthroughFetchTheirClusterToo() throws Exception {
    XdsResources r = translate("", "- name: db\n  port: 5432", READY_3, ON_DEMAND);
    TcpProxy db =
        unpack(
            serviceListener(r).getFilterChains(0).getFilters(0).getTypedConfig(), TcpProxy.class);
    assertThat(db.getOnDemand().getOdcdsConfig().hasAds()).isTrue();
    assertThat(db.getOnDemand().getTimeout().getSeconds()).isEqualTo(5);
    Listener capture =
        r.listeners().stream()
            .filter(l -> l.getName().equals(ResourceNames.OUTBOUND_CAPTURE_LISTENER))
            .findFirst()
            .orElseThrow();
    TcpProxy passthrough =
        unpack(capture.getFilterChains(0).getFilters(0).getTypedConfig(), TcpProxy.class);
    assertThat(passthrough.getOnDemand().getOdcdsConfig().hasAds())
        .as("no CDS wildcard: even passthrough arrives on demand")
        .isTrue();
    // Every cluster stays in the group's snapshot: the proxy picks by name.
    assertThat(r.clusters()).extracting(Cluster::getName).contains("passthrough", "demo/svc:5432");
    XdsResources usual = translate("", "- name: db\n  port: 5432", READY_3, SIDECAR);
    assertThat(usual.listeners())
        .allSatisfy(l -> assertThat(l.toString()).doesNotContain("on_demand"));
    assertThat(
            unpack(
                    serviceListener(usual).getFilterChains(0).getFilters(0).getTypedConfig(),
                    TcpProxy.class)
                .hasOnDemand())
        .isFalse();
  }

  @Test
  void anOnDemandSidecarWithTracingIsWarnedThatItsSpansAreDropped() throws Exception {
    XdsResources r =
        translate(
            "",
            "",
            HTTP_PORT,
            READY_3,
            ON_DEMAND,
            TranslationSettings.DEFAULT.withTracing(
                Optional.of(new TranslationSettings.Tracing("collector.obs", 4317, 1.0))));
    assertThat(r.diagnostics())
        .filteredOn(d -> d.key().equals(ProxyDiagnostics.ON_DEMAND_KEY))
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains("spans are dropped"));
  }
}
