package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parser's cross-checks, one behaviour per test: which settings apply where, what each "no
 * effect" and conflict diagnostic names, and the parsed values that reach {@link PortPolicy}.
 */
class ServicePolicyRulesTest {

  private static final ObjectRef SVC = ObjectRef.parse("ns/svc");
  private static final PortSpec HTTP = new PortSpec("http", 80, "TCP", Optional.empty());
  private static final PortSpec GRPC = new PortSpec("grpc", 9090, "TCP", Optional.empty());
  private static final PortSpec DB = new PortSpec("db", 5432, "TCP", Optional.empty());
  private static final PortSpec UNNAMED = new PortSpec("", 8080, "TCP", Optional.of("http"));

  private static ParsedService parse(Map<String, String> annotations, PortSpec... ports) {
    return parse(annotations, NativeFields.NONE, ports);
  }

  private static ParsedService parse(
      Map<String, String> annotations, NativeFields nativeFields, PortSpec... ports) {
    return ServicePolicyParser.parse(SVC, annotations, nativeFields, List.of(ports));
  }

  private static PortPolicy port(Map<String, String> annotations, PortSpec port) {
    return parse(annotations, port).ports().get(0);
  }

  private static Diagnostic only(ParsedService p) {
    assertThat(p.diagnostics()).hasSize(1);
    return p.diagnostics().get(0);
  }

  @Test
  void resilienceSettingsReachThePortPolicy() {
    PortPolicy p =
        port(
            Map.of(
                "fairlead.io/health-check", "http:/ready,interval=3s,unhealthy=2",
                "fairlead.io/outlier-detection", "consecutive-5xx=2",
                "fairlead.io/circuit-breakers", "max-requests=100,max-retries=5",
                "fairlead.io/retries", "attempts=4,on=reset"),
            HTTP);
    assertThat(p.resilience().healthCheck())
        .contains(
            new HealthCheck(
                HealthCheck.Kind.HTTP,
                Optional.of("/ready"),
                Optional.empty(),
                Duration.ofSeconds(3),
                Duration.ofSeconds(1),
                2,
                1));
    assertThat(p.resilience().outlierDetection())
        .contains(new OutlierDetection(2, Duration.ofSeconds(10), Duration.ofSeconds(30), 50));
    assertThat(p.resilience().circuitBreakers())
        .contains(
            new CircuitBreakers(
                Optional.empty(), Optional.empty(), Optional.of(100), Optional.of(5)));
    assertThat(p.resilience().retries())
        .contains(new RetryPolicy(4, List.of("reset"), Optional.empty()));
    for (AnnotationKey<?> k :
        List.of(
            AnnotationRegistry.HEALTH_CHECK,
            AnnotationRegistry.OUTLIER_DETECTION,
            AnnotationRegistry.CIRCUIT_BREAKERS,
            AnnotationRegistry.RETRIES)) {
      assertThat(p.sourceOf(k)).as(k.name()).isEqualTo(Provenance.ANNOTATION);
    }
  }

  @Test
  void timeoutsAndSlowStartReachThePortPolicy() {
    PortPolicy p =
        port(
            Map.of(
                "fairlead.io/slow-start", "45s",
                "fairlead.io/max-connection-duration", "10m",
                "fairlead.io/timeout", "3s",
                "fairlead.io/idle-timeout", "0s"),
            HTTP);
    assertThat(p.balancing().slowStart()).contains(Duration.ofSeconds(45));
    assertThat(p.sourceOf(AnnotationRegistry.SLOW_START)).isEqualTo(Provenance.ANNOTATION);
    assertThat(p.timeouts().maxConnectionDuration()).contains(Duration.ofMinutes(10));
    assertThat(p.timeouts().request()).contains(Duration.ofSeconds(3));
    assertThat(p.timeouts().idle()).contains(Duration.ZERO);
  }

  @Test
  void slowStartWorksWithLeastRequestToo() {
    PortPolicy p =
        port(
            Map.of("fairlead.io/slow-start", "30s", "fairlead.io/lb-policy", "least-request"),
            HTTP);
    assertThat(p.balancing().slowStart()).contains(Duration.ofSeconds(30));
    assertThat(p.balancing().algorithm()).isEqualTo(new LoadBalancing.LeastRequest(2));
  }

  @ParameterizedTest
  @CsvSource({"random", "ring-hash", "maglev", "weighted-round-robin"})
  void slowStartWithAnotherAlgorithmIsAnErrorAndDropped(String lb) {
    ParsedService p =
        parse(Map.of("fairlead.io/slow-start", "30s", "fairlead.io/lb-policy", lb), HTTP);
    assertThat(p.ports().get(0).balancing().slowStart()).isEmpty();
    Diagnostic d = only(p);
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.reason()).isEqualTo(Reason.CONFLICT);
    assertThat(d.message()).contains("round-robin and least-request only", "uses " + lb);
  }

  @Test
  void portAffinityNeedsAHashingPolicy() {
    PortPolicy hashing =
        port(
            Map.of("fairlead.io/port-affinity", "all-ports", "fairlead.io/hash-on", "header:u"),
            HTTP);
    assertThat(hashing.affinity().portAffinity()).isTrue();
    assertThat(hashing.sourceOf(AnnotationRegistry.PORT_AFFINITY)).isEqualTo(Provenance.ANNOTATION);
    ParsedService plain = parse(Map.of("fairlead.io/port-affinity", "all-ports"), HTTP);
    assertThat(plain.ports().get(0).affinity().portAffinity()).isFalse();
    Diagnostic d = only(plain);
    assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.message())
        .isEqualTo("has no effect on port http without a hashing lb-policy; ignored");
    assertThat(port(Map.of("fairlead.io/port-affinity", "none"), HTTP).affinity().portAffinity())
        .isFalse();
  }

  @Test
  void portAffinityGroupsOnlyThePortsThatAskForIt() {
    // The db port hashes differently but is not in the group: no warning.
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/hash-on", "source-ip",
                "fairlead.io/source-ip-prefix.http", "24",
                "fairlead.io/source-ip-prefix.grpc", "24",
                "fairlead.io/port-affinity.http", "all-ports",
                "fairlead.io/port-affinity.grpc", "all-ports"),
            HTTP,
            GRPC,
            DB);
    assertThat(p.diagnostics()).isEmpty();
    // One port alone is no group.
    ParsedService single =
        parse(
            Map.of("fairlead.io/hash-on", "source-ip", "fairlead.io/port-affinity.db", "all-ports"),
            HTTP,
            DB);
    assertThat(single.diagnostics()).isEmpty();
  }

  @Test
  void portAffinityNamesMaglevTableSizesWhenTheyDiffer() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/hash-on", "header:u",
                "fairlead.io/lb-policy", "maglev",
                "fairlead.io/maglev-table-size.grpc", "131",
                "fairlead.io/port-affinity", "all-ports"),
            HTTP,
            GRPC);
    assertThat(only(p).message())
        .contains("(http: maglev 65537 on header:u; grpc: maglev 131 on header:u)");
  }

  @Test
  void portAffinityComparesAlgorithmsNotOnlyKeys() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/hash-on", "header:u",
                "fairlead.io/lb-policy.grpc", "maglev",
                "fairlead.io/port-affinity", "all-ports"),
            HTTP,
            GRPC);
    assertThat(only(p).message())
        .contains("http: ring-hash 1024-8388608 on header:u; grpc: maglev 65537 on header:u");
  }

  @Test
  void sourceIpPrefixWithoutASourceIpKeyKeepsTheKeysAndWarns() {
    ParsedService p =
        parse(
            Map.of("fairlead.io/hash-on", "header:u", "fairlead.io/source-ip-prefix", "24"), HTTP);
    assertThat(p.ports().get(0).affinity().hashKeys()).containsExactly(new HashKey.Header("u"));
    assertThat(p.ports().get(0).sourceOf(AnnotationRegistry.SOURCE_IP_PREFIX))
        .isEqualTo(Provenance.DEFAULT);
    Diagnostic d = only(p);
    assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
    assertThat(d.key()).isEqualTo("fairlead.io/source-ip-prefix");
    assertThat(d.message()).contains("without a source-ip hash key");
  }

  @Test
  void sourceIpPrefixOnATcpPortWarnsAndHashesTheWholeAddress() {
    ParsedService p =
        parse(Map.of("fairlead.io/hash-on", "source-ip", "fairlead.io/source-ip-prefix", "24"), DB);
    assertThat(p.ports().get(0).affinity().hashKeys())
        .containsExactly(new HashKey.SourceIp(32, 128));
    assertThat(only(p).message()).contains("port db is tcp", "subnet granularity cannot apply");
  }

  @Test
  void cookieSettingsWithoutACookieKeyWarnEach() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/hash-on", "header:u",
                "fairlead.io/cookie-ttl", "1h",
                "fairlead.io/cookie-path", "/shop"),
            HTTP);
    assertThat(p.ports().get(0).affinity().hashKeys()).containsExactly(new HashKey.Header("u"));
    assertThat(p.diagnostics())
        .extracting(Diagnostic::key)
        .containsExactly("fairlead.io/cookie-path", "fairlead.io/cookie-ttl");
    assertThat(p.diagnostics())
        .allSatisfy(
            d -> {
              assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
              assertThat(d.message()).contains("without a cookie hash key in hash-on");
            });
  }

  @Test
  void cookieSettingsOnACookieKeyAreNoted() {
    PortPolicy p =
        port(
            Map.of(
                "fairlead.io/hash-on", "cookie:sid,header:u",
                "fairlead.io/cookie-ttl", "1h",
                "fairlead.io/cookie-path", "/shop"),
            HTTP);
    assertThat(p.affinity().hashKeys())
        .containsExactly(
            new HashKey.Cookie("sid", Duration.ofHours(1), Optional.of("/shop")),
            new HashKey.Header("u"));
    assertThat(p.sourceOf(AnnotationRegistry.COOKIE_TTL)).isEqualTo(Provenance.ANNOTATION);
    assertThat(p.sourceOf(AnnotationRegistry.COOKIE_PATH)).isEqualTo(Provenance.ANNOTATION);
  }

  @Test
  void persistenceTimeoutNeedsACookieSession() {
    ParsedService none = parse(Map.of("fairlead.io/persistence-timeout", "1h"), HTTP);
    assertThat(only(none).message()).contains("without session-persistence");
    ParsedService header =
        parse(
            Map.of(
                "fairlead.io/session-persistence", "header:x-s",
                "fairlead.io/persistence-timeout", "1h"),
            HTTP);
    assertThat(header.ports().get(0).affinity().sessionPersistence())
        .contains(new SessionPersistence.Header("x-s"));
    assertThat(only(header).message()).contains("a header session has no lifetime");
  }

  @Test
  void hashOnWithANonHashingPolicyIsAnErrorNamingTheKey() {
    ParsedService p =
        parse(
            Map.of("fairlead.io/hash-on.http", "header:u", "fairlead.io/lb-policy", "random"),
            HTTP);
    Diagnostic d = only(p);
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.key()).isEqualTo("fairlead.io/hash-on.http");
    assertThat(d.message()).contains("uses random");
    assertThat(p.ports().get(0).sourceOf(AnnotationRegistry.HASH_ON)).isEqualTo(Provenance.DEFAULT);
  }

  @Test
  void aNonHashingPolicyOverClientIpIsOnlyAWarning() {
    ParsedService p =
        parse(
            Map.of("fairlead.io/lb-policy", "least-request"),
            new NativeFields(Optional.of("ClientIP"), Optional.empty(), Optional.empty()),
            HTTP);
    Diagnostic d = only(p);
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.key()).isEqualTo("fairlead.io/lb-policy");
    assertThat(d.message()).contains("overrides sessionAffinity: ClientIP");
    assertThat(p.ports().get(0).affinity().hashKeys()).isEmpty();
  }

  @Test
  void hashKeysWithoutAnLbPolicyChooseRingHashFromTheirSource() {
    PortPolicy p = port(Map.of("fairlead.io/hash-on", "header:u"), HTTP);
    assertThat(p.balancing().algorithm()).isEqualTo(new LoadBalancing.RingHash(1024, 8388608));
    assertThat(p.sourceOf(AnnotationRegistry.LB_POLICY)).isEqualTo(Provenance.ANNOTATION);
    PortPolicy native_ =
        parse(
                Map.of(),
                new NativeFields(Optional.of("ClientIP"), Optional.empty(), Optional.empty()),
                HTTP)
            .ports()
            .get(0);
    assertThat(native_.sourceOf(AnnotationRegistry.LB_POLICY)).isEqualTo(Provenance.NATIVE_FIELD);
  }

  @Test
  void tuningKeysApplyToTheirAlgorithmOnly() {
    assertThat(
            port(
                    Map.of(
                        "fairlead.io/lb-policy",
                        "least-request",
                        "fairlead.io/least-request-choices",
                        "5"),
                    HTTP)
                .balancing()
                .algorithm())
        .isEqualTo(new LoadBalancing.LeastRequest(5));
    assertThat(
            port(
                    Map.of(
                        "fairlead.io/lb-policy", "maglev", "fairlead.io/maglev-table-size", "131"),
                    HTTP)
                .balancing()
                .algorithm())
        .isEqualTo(new LoadBalancing.Maglev(131));
    assertThat(
            port(
                    Map.of("fairlead.io/lb-policy", "ring-hash", "fairlead.io/ring-size", "8-16"),
                    HTTP)
                .balancing()
                .algorithm())
        .isEqualTo(new LoadBalancing.RingHash(8, 16));
    ParsedService p = parse(Map.of("fairlead.io/ring-size", "8-16"), HTTP);
    assertThat(p.ports().get(0).balancing().algorithm()).isEqualTo(new LoadBalancing.RoundRobin());
    assertThat(only(p).message())
        .isEqualTo("has no effect on port http without lb-policy ring-hash; ignored");
    PortPolicy balanced =
        port(
            Map.of("fairlead.io/hash-on", "header:u", "fairlead.io/hash-balance-factor", "150"),
            HTTP);
    assertThat(balanced.balancing().hashBalanceFactor()).contains(150);
  }

  @Test
  void grpcHealthChecksNeedAnHttp2Port() {
    PortPolicy ok = port(Map.of("fairlead.io/health-check", "grpc"), GRPC);
    assertThat(ok.resilience().healthCheck().orElseThrow().kind()).isEqualTo(HealthCheck.Kind.GRPC);
    ParsedService p = parse(Map.of("fairlead.io/health-check", "grpc"), HTTP);
    assertThat(p.ports().get(0).resilience().healthCheck()).isEmpty();
    assertThat(only(p).message())
        .isEqualTo("grpc health checks need an http2 or grpc port, but port http is http; ignored");
  }

  @Test
  void gatewayKeysExposeHttpPortsWithDefaults() {
    PortPolicy onlyGroup = port(Map.of("fairlead.io/gateway", "edge"), HTTP);
    assertThat(onlyGroup.gateway()).contains(new GatewayExposure(List.of("*"), "/", "edge"));
    PortPolicy onlyPath = port(Map.of("fairlead.io/gateway-path", "/api"), HTTP);
    assertThat(onlyPath.gateway())
        .contains(new GatewayExposure(List.of("*"), "/api", GatewayExposure.DEFAULT_GROUP));
    PortPolicy hosts = port(Map.of("fairlead.io/gateway-host", "a.example"), HTTP);
    assertThat(hosts.gateway())
        .contains(new GatewayExposure(List.of("a.example"), "/", GatewayExposure.DEFAULT_GROUP));
    assertThat(port(Map.of(), HTTP).gateway()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "fairlead.io/gateway, edge",
    "fairlead.io/gateway-path, /api",
    "fairlead.io/gateway-host, a.example"
  })
  void gatewayKeysOnATcpPortAreNotExposed(String key, String value) {
    ParsedService p = parse(Map.of(key, value), DB);
    assertThat(p.ports().get(0).gateway()).isEmpty();
    Diagnostic d = only(p);
    assertThat(d.key()).isEqualTo(key);
    assertThat(d.message())
        .isEqualTo("port db is tcp: gateways expose HTTP-family ports only; not exposed");
  }

  @Test
  void requestSettingsOfHttpOnlyApplyToHttpPorts() {
    ParsedService p =
        parse(Map.of("fairlead.io/retries", "attempts=2", "fairlead.io/timeout", "1s"), DB);
    assertThat(p.ports().get(0).resilience().retries()).isEmpty();
    assertThat(p.ports().get(0).timeouts().request()).isEmpty();
    assertThat(p.diagnostics())
        .extracting(Diagnostic::message)
        .containsOnly("has no effect on port db without an HTTP-family protocol; ignored");
    assertThat(p.diagnostics()).hasSize(2);
  }

  @Test
  void anUnnamedPortIsNamedByItsNumberAndDiagnosticsCarryNoPort() {
    ParsedService p = parse(Map.of("fairlead.io/ring-size", "8"), UNNAMED);
    Diagnostic d = only(p);
    assertThat(d.message()).contains("on port 8080");
    assertThat(((Subject.Kube) d.subject()).port()).contains("8080");
    ParsedService named = parse(Map.of("fairlead.io/ring-size", "8"), HTTP);
    assertThat(((Subject.Kube) only(named).subject()).port()).contains("http");
  }

  @Test
  void aValueAtTheLengthCapIsReadOnePastIsNot() {
    String atCap = "/" + "a".repeat(ServicePolicyParser.MAX_VALUE_LENGTH - 1);
    PortPolicy p = port(Map.of("fairlead.io/gateway-path", atCap), HTTP);
    assertThat(p.gateway().orElseThrow().pathPrefix()).isEqualTo(atCap);
    ParsedService past = parse(Map.of("fairlead.io/gateway-path", atCap + "a"), HTTP);
    assertThat(only(past).message())
        .isEqualTo("the value is 2049 characters long; at most 2048 are read; using the default");
  }

  @Test
  void anInvalidPerPortValueSaysTheServiceWideValueIsUsed() {
    ParsedService p = parse(Map.of("fairlead.io/timeout.http", "soon"), HTTP);
    assertThat(only(p).message()).endsWith("; using the Service-wide value or default");
    ParsedService wide = parse(Map.of("fairlead.io/timeout", "soon"), HTTP);
    assertThat(only(wide).message()).endsWith("; using the default");
  }

  @Test
  void unknownPortSuffixesNameThePorts() {
    ParsedService p = parse(Map.of("fairlead.io/timeout.web", "1s"), HTTP, GRPC);
    Diagnostic d = only(p);
    assertThat(d.reason()).isEqualTo(Reason.UNKNOWN_PORT);
    assertThat(d.message()).isEqualTo("no port named 'web'; ports: grpc, http");
    ParsedService unnamed = parse(Map.of("fairlead.io/timeout.web", "1s"), UNNAMED);
    assertThat(only(unnamed).message())
        .isEqualTo("no port named 'web'; the Service has no named ports");
  }

  @Test
  void serviceWideKeysWithAPortSuffixAreIgnored() {
    ParsedService p = parse(Map.of("fairlead.io/export-to.http", "shop"), HTTP);
    assertThat(p.exportTo()).isEqualTo(ExportTo.EVERYONE);
    Diagnostic d = only(p);
    assertThat(d.reason()).isEqualTo(Reason.SERVICE_WIDE);
    assertThat(d.message())
        .isEqualTo("applies to the whole Service; use fairlead.io/export-to; ignored");
  }

  @Test
  void keysOutsideThePrefixAreNotFairleads() {
    assertThat(
            parse(Map.of("example.com/lb-policy", "x", "fairlead.io.other/x", "y"), HTTP)
                .diagnostics())
        .isEmpty();
    ParsedService unknown = parse(Map.of("fairlead.io/lb-polcy.http", "maglev"), HTTP);
    assertThat(only(unknown).reason()).isEqualTo(Reason.UNKNOWN_ANNOTATION);
    assertThat(only(unknown).message())
        .isEqualTo("unknown annotation; did you mean fairlead.io/lb-policy?");
  }

  /** A key with nothing before its port suffix names no key; the hint is for the empty name. */
  @Test
  void aKeyThatIsOnlyAPortSuffixIsUnknown() {
    ParsedService p = parse(Map.of("fairlead.io/.timeout", "1s"), HTTP);
    assertThat(only(p).reason()).isEqualTo(Reason.UNKNOWN_ANNOTATION);
    // the nearest key to the empty name is the shortest one, not "timeout"
    assertThat(only(p).message()).isEqualTo("unknown annotation; did you mean fairlead.io/split?");
  }

  @ParameterizedTest
  @CsvSource({"PreferClose,true", "PreferSameZone,true", "PreferSameNode,false", "Other,false"})
  void trafficDistributionMeansPreferClose(String value, boolean preferClose) {
    NativeFields f = new NativeFields(Optional.empty(), Optional.of(value), Optional.empty());
    assertThat(f.preferClose()).isEqualTo(preferClose);
    assertThat(parse(Map.of(), f, HTTP).ports().get(0).topology().preferClose())
        .isEqualTo(preferClose);
    assertThat(NativeFields.NONE.preferClose()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"Local,true", "Cluster,false"})
  void internalTrafficPolicyLocalMeansNodeLocal(String value, boolean local) {
    NativeFields f = new NativeFields(Optional.empty(), Optional.empty(), Optional.of(value));
    assertThat(f.internalLocal()).isEqualTo(local);
    assertThat(parse(Map.of(), f, HTTP).ports().get(0).topology().nodeLocal()).isEqualTo(local);
  }

  @Test
  void protocolFromAnUnknownAppProtocolIsTcpWithAnInfo() {
    PortSpec ws = new PortSpec("web", 80, "TCP", Optional.of("kubernetes.io/wss"));
    ParsedService p = parse(Map.of(), ws);
    assertThat(p.ports().get(0).protocol()).isEqualTo(Protocol.TCP);
    assertThat(p.ports().get(0).sourceOf(AnnotationRegistry.PROTOCOL))
        .isEqualTo(Provenance.NATIVE_FIELD);
    Diagnostic d = only(p);
    assertThat(d.severity()).isEqualTo(Severity.INFO);
    assertThat(d.key()).isEqualTo("spec.ports[web].appProtocol");
  }

  @ParameterizedTest
  @CsvSource({
    "grpc,GRPC",
    "grpc-api,GRPC",
    "http2-x,HTTP2",
    "h2c,HTTP2",
    "http,HTTP",
    "http-web,HTTP",
    "https,TCP",
    "grpcx,TCP"
  })
  void protocolFromThePortName(String name, Protocol protocol) {
    assertThat(ServicePolicyParser.fromPortName(name).orElse(Protocol.TCP)).isEqualTo(protocol);
  }

  @ParameterizedTest
  @CsvSource({
    "HTTP/1.1,HTTP",
    "kubernetes.io/ws,HTTP",
    "grpc-web,HTTP",
    "kubernetes.io/h2c,HTTP2",
    "grpc,GRPC",
    "tcp,TCP"
  })
  void protocolFromAppProtocol(String appProtocol, Protocol protocol) {
    assertThat(ServicePolicyParser.fromAppProtocol(appProtocol)).contains(protocol);
  }
}
