package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServicePolicyParserTest {

  private static final PortSpec HTTP = new PortSpec("http", 80, "TCP", Optional.empty());
  private static final PortSpec ADMIN = new PortSpec("admin", 9000, "TCP", Optional.of("http"));
  private static final PortSpec DB = new PortSpec("db", 5432, "TCP", Optional.empty());

  private static ParsedService parse(
      Map<String, String> annotations, NativeFields nativeFields, PortSpec... ports) {
    return ServicePolicyParser.parse(
        ObjectRef.parse("ns/svc"), annotations, nativeFields, List.of(ports));
  }

  @Test
  void defaultsAreRoundRobinWithNoDiagnostics() {
    ParsedService p = parse(Map.of(), NativeFields.NONE, HTTP);
    PortPolicy port = p.ports().get(0);
    assertThat(port.balancing().algorithm()).isEqualTo(new LoadBalancing.RoundRobin());
    assertThat(port.protocol()).isEqualTo(Protocol.HTTP);
    assertThat(port.sourceOf(AnnotationRegistry.LB_POLICY)).isEqualTo(Provenance.DEFAULT);
    assertThat(p.diagnostics()).isEmpty();
  }

  @Test
  void perPortBeatsServiceBeatsNativeBeatsDefault() {
    Map<String, String> a =
        Map.of("fairlead.io/lb-policy", "least-request", "fairlead.io/lb-policy.admin", "random");
    ParsedService p = parse(a, clientIp(), HTTP, ADMIN);
    assertThat(p.ports().get(0).balancing().algorithm())
        .isEqualTo(new LoadBalancing.LeastRequest(2));
    assertThat(p.ports().get(0).sourceOf(AnnotationRegistry.LB_POLICY))
        .isEqualTo(Provenance.ANNOTATION);
    assertThat(p.ports().get(1).balancing().algorithm()).isEqualTo(new LoadBalancing.Random());
    assertThat(p.ports().get(1).sourceOf(AnnotationRegistry.LB_POLICY))
        .isEqualTo(Provenance.PORT_ANNOTATION);
    // ClientIP asked for hashing, but the annotation chose a non-hashing policy: a warning says so.
    assertThat(p.diagnostics()).extracting(Diagnostic::severity).containsOnly(Severity.WARNING);
  }

  @Test
  void clientIpAffinityMeansSourceIpRingHash() {
    PortPolicy p =
        parse(Map.of("fairlead.io/source-ip-prefix", "24,64"), clientIp(), HTTP).ports().get(0);
    assertThat(p.balancing().algorithm()).isInstanceOf(LoadBalancing.RingHash.class);
    assertThat(p.affinity().hashKeys()).containsExactly(new HashKey.SourceIp(24, 64));
    assertThat(p.sourceOf(AnnotationRegistry.HASH_ON)).isEqualTo(Provenance.NATIVE_FIELD);
  }

  @Test
  void invalidValueIsAnErrorAndOnlyThatSettingFallsBack() {
    Map<String, String> a =
        Map.of(
            "fairlead.io/lb-policy",
            "fastest",
            "fairlead.io/timeout",
            "5s",
            "fairlead.io/hash-on",
            "header:x-user");
    ParsedService p = parse(a, NativeFields.NONE, HTTP);
    PortPolicy port = p.ports().get(0);
    assertThat(port.balancing().algorithm()).isInstanceOf(LoadBalancing.RingHash.class);
    assertThat(port.timeouts().request()).contains(Duration.ofSeconds(5));
    assertThat(p.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.key()).isEqualTo("fairlead.io/lb-policy");
              assertThat(d.message()).contains("fastest");
            });
  }

  @Test
  void invalidPerPortValueFallsBackToServiceValue() {
    Map<String, String> a = Map.of("fairlead.io/timeout", "5s", "fairlead.io/timeout.http", "soon");
    ParsedService p = parse(a, NativeFields.NONE, HTTP);
    assertThat(p.ports().get(0).timeouts().request()).contains(Duration.ofSeconds(5));
    assertThat(p.diagnostics())
        .extracting(Diagnostic::key)
        .containsExactly("fairlead.io/timeout.http");
  }

  @Test
  void unknownKeyNamesTheClosestOne() {
    ParsedService p =
        parse(
            Map.of("fairlead.io/hash-onn", "source-ip", "other.io/x", "y"),
            NativeFields.NONE,
            HTTP);
    assertThat(p.diagnostics())
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains("fairlead.io/hash-on?"));
  }

  @Test
  void hashOnWithNonHashingPolicyIsAnErrorAndIgnored() {
    ParsedService p =
        parse(
            Map.of("fairlead.io/hash-on", "header:x", "fairlead.io/lb-policy", "round-robin"),
            NativeFields.NONE,
            HTTP);
    assertThat(p.ports().get(0).affinity().hashKeys()).isEmpty();
    assertThat(p.diagnostics()).extracting(Diagnostic::severity).containsExactly(Severity.ERROR);
  }

  @Test
  void tcpPortsKeepOnlySourceIpAndRejectSessions() {
    Map<String, String> a =
        Map.of(
            "fairlead.io/hash-on",
            "header:x,source-ip",
            "fairlead.io/session-persistence",
            "cookie:s");
    ParsedService p = parse(a, NativeFields.NONE, DB);
    assertThat(p.ports().get(0).protocol()).isEqualTo(Protocol.TCP);
    assertThat(p.ports().get(0).affinity().hashKeys())
        .containsExactly(new HashKey.SourceIp(32, 128));
    assertThat(p.ports().get(0).affinity().sessionPersistence()).isEmpty();
    assertThat(p.diagnostics())
        .extracting(Diagnostic::severity)
        .contains(Severity.ERROR, Severity.WARNING);
  }

  @Test
  void cookieSettingsApplyToCookieKeysAndPersistenceTimeoutToCookieSessions() {
    Map<String, String> a = new HashMap<>();
    a.put("fairlead.io/hash-on", "cookie:sid");
    a.put("fairlead.io/cookie-ttl", "1h");
    a.put("fairlead.io/cookie-path", "/shop");
    a.put("fairlead.io/session-persistence", "cookie:ep");
    a.put("fairlead.io/persistence-timeout", "30m");
    PortPolicy p = parse(a, NativeFields.NONE, HTTP).ports().get(0);
    assertThat(p.affinity().hashKeys())
        .containsExactly(new HashKey.Cookie("sid", Duration.ofHours(1), Optional.of("/shop")));
    assertThat(p.affinity().sessionPersistence())
        .contains(new SessionPersistence.Cookie("ep", Duration.ofMinutes(30), "/"));
  }

  @ParameterizedTest
  @CsvSource({
    "fairlead.io/maglev-table-size, 1000, not a prime",
    "fairlead.io/maglev-table-size, 5000012, out of range",
    "fairlead.io/ring-size, 10-5, larger than the maximum",
    "fairlead.io/ring-size, 9000000, out of range",
    "fairlead.io/least-request-choices, 1, out of range",
    "fairlead.io/hash-balance-factor, 99, out of range",
    "fairlead.io/slow-start, 0s, greater than zero",
    "fairlead.io/slow-start, '30s,aggression=0', greater than 0",
    "fairlead.io/slow-start, '30s,aggression=NaN', greater than 0",
    "fairlead.io/slow-start, '30s,aggression=101', at most 100",
    "fairlead.io/slow-start, '30s,min-weight=101', out of range",
    "fairlead.io/slow-start, '30s,speed=2', unknown key",
    "fairlead.io/cookie-ttl, 1d, not a duration",
    "fairlead.io/source-ip-prefix, '24,129', out of range",
    "fairlead.io/health-check, 'http:/x,interval=0s', greater than zero",
    "fairlead.io/retries, 'attempts=2,on=sometimes', not a retry condition",
    "fairlead.io/retries, 'backoff=0s', greater than zero",
    "fairlead.io/retries, 'backoff=500us', not a duration",
    "fairlead.io/retries, 'backoff=1s-100ms', shorter than the base",
    "fairlead.io/retries, 'backoff=1s-2s-3s', expected BASE or BASE-MAX",
    "fairlead.io/retries, 'status=503|99', out of range",
    "fairlead.io/retries, 'status=5xx', status",
    "fairlead.io/retries, 'retry-host=same', expected other or any",
    "fairlead.io/outlier-detection, 'gateway-failure=0', out of range",
    "fairlead.io/outlier-detection, 'success-rate=101', out of range",
    "fairlead.io/outlier-detection, 'failure-percentage=-5', out of range",
    "fairlead.io/outlier-detection, 'failure-percentage-enforcing=50', needs failure-percentage",
    "fairlead.io/outlier-detection, 'min-hosts=0', out of range",
    "fairlead.io/outlier-detection, 'local-origin=x', local-origin",
    "fairlead.io/circuit-breakers, 'max-everything=1', unknown key",
    "fairlead.io/connection-pool, 'idle-timeout=soon', not a duration",
    "fairlead.io/connection-pool, 'max-requests-per-connection=0', out of range",
    "fairlead.io/connection-pool, 'max-concurrent-streams=-1', out of range",
    "fairlead.io/connection-pool, 'max-connections=5', unknown key",
    "fairlead.io/gateway, Bad_Group, not a DNS label",
    "fairlead.io/hash-on, 'header:x,header:x', given twice",
    "fairlead.io/health-check, grpc, need an http2 or grpc port",
    "fairlead.io/health-check, 'http:/x,host=*.example.com', wildcard",
    "fairlead.io/health-check, 'tcp,host=a.example.com', sends no Host header",
    "fairlead.io/health-check, 'http:/x,method=CONNECT', not a health-check method",
    "fairlead.io/health-check, 'http:/x,expected=99', not an HTTP status",
    "fairlead.io/health-check, 'http:/x,expected=300-200', ends before it starts",
    "fairlead.io/health-check, 'http:/x,expected=200-600', not an HTTP status",
    "fairlead.io/health-check, 'tcp,method=GET', only http health checks",
    "fairlead.io/health-check, 'tcp,expected=200', only http health checks",
    "fairlead.io/panic-threshold, 101, out of range",
    "fairlead.io/panic-threshold, -1, out of range",
    "fairlead.io/idle-timeout, soon, not a duration",
    "fairlead.io/failover, 'zone-a,zone-a', given twice",
    "fairlead.io/failover, 'zone a', not a zone name",
    "fairlead.io/failover, '-zone', not a zone name",
    "fairlead.io/failover, 'zone-a,', empty",
  })
  void invalidValuesSayWhy(String key, String value, String reason) {
    ParsedService p = parse(Map.of(key, value), NativeFields.NONE, HTTP);
    assertThat(p.diagnostics())
        .filteredOn(d -> d.severity() == Severity.ERROR)
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains(reason));
  }

  @Test
  void protocolComesFromAnnotationThenAppProtocolThenPortName() {
    PortSpec grpcName = new PortSpec("grpc-api", 9090, "TCP", Optional.empty());
    PortSpec h2c = new PortSpec("web", 8080, "TCP", Optional.of("kubernetes.io/h2c"));
    ParsedService p =
        parse(Map.of("fairlead.io/protocol.db", "http"), NativeFields.NONE, grpcName, h2c, DB);
    assertThat(p.ports())
        .extracting(PortPolicy::protocol)
        .containsExactly(Protocol.GRPC, Protocol.HTTP2, Protocol.HTTP);
  }

  /** Envoy ejects only within max_ejection_percent; 10% would never eject one of 2 to 9 pods. */
  @Test
  void outlierDetectionDefaultsLetOneOfAFewPodsBeEjected() {
    OutlierDetection d =
        parse(Map.of("fairlead.io/outlier-detection", "default"), NativeFields.NONE, HTTP)
            .ports()
            .get(0)
            .resilience()
            .outlierDetection()
            .orElseThrow();
    assertThat(d.maxEjectionPercent()).isEqualTo(50);
    for (int pods = 2; pods <= 9; pods++) {
      assertThat(100.0 / pods)
          .as("one of %d pods", pods)
          .isLessThanOrEqualTo(d.maxEjectionPercent());
    }
  }

  @Test
  void exportToIsServiceWide() {
    assertThat(parse(Map.of(), NativeFields.NONE, HTTP).exportTo()).isEqualTo(ExportTo.EVERYONE);
    ExportTo own =
        parse(Map.of("fairlead.io/export-to", ".,payments"), NativeFields.NONE, HTTP).exportTo();
    assertThat(own.allows("shop", Optional.of("shop"))).isTrue();
    assertThat(own.allows("shop", Optional.of("payments"))).isTrue();
    assertThat(own.allows("shop", Optional.of("web"))).isFalse();
    assertThat(own.allows("shop", Optional.empty())).as("a proxy of unknown namespace").isFalse();
    assertThat(own.describe()).isEqualTo(".,payments");
    ParsedService perPort =
        parse(Map.of("fairlead.io/export-to.http", "."), NativeFields.NONE, HTTP);
    assertThat(perPort.exportTo()).isEqualTo(ExportTo.EVERYONE);
    assertThat(perPort.diagnostics())
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains("whole Service"));
    for (String bad : List.of("*,shop", "Shop", "a/b", "")) {
      ParsedService p = parse(Map.of("fairlead.io/export-to", bad), NativeFields.NONE, HTTP);
      assertThat(p.exportTo()).as(bad).isEqualTo(ExportTo.EVERYONE);
      assertThat(p.diagnostics())
          .as(bad)
          .extracting(Diagnostic::severity)
          .containsExactly(Severity.ERROR);
    }
  }

  @Test
  void panicModeIsOffUnlessAskedForAndTakesAPercent() {
    assertThat(parse(Map.of(), NativeFields.NONE, HTTP).ports().get(0).balancing().panicThreshold())
        .contains(0);
    assertThat(
            parse(Map.of("fairlead.io/panic-threshold", "100"), NativeFields.NONE, HTTP)
                .ports()
                .get(0)
                .balancing()
                .panicThreshold())
        .contains(100);
    ParsedService percent =
        parse(Map.of("fairlead.io/panic-threshold", "50%"), NativeFields.NONE, HTTP);
    assertThat(percent.ports().get(0).balancing().panicThreshold()).contains(50);
    assertThat(percent.ports().get(0).sourceOf(AnnotationRegistry.PANIC_THRESHOLD))
        .isEqualTo(Provenance.ANNOTATION);
    assertThat(percent.diagnostics()).isEmpty();
  }

  @Test
  void idleTimeoutDefaultsToAnHourAndZeroMeansNever() {
    assertThat(parse(Map.of(), NativeFields.NONE, HTTP, DB).ports())
        .extracting(p -> p.timeouts().idle())
        .containsOnly(Optional.of(Duration.ofHours(1)));
    ParsedService p =
        parse(
            Map.of("fairlead.io/idle-timeout.http", "0s", "fairlead.io/idle-timeout", "10m"),
            NativeFields.NONE,
            HTTP,
            DB);
    assertThat(p.ports())
        .extracting(q -> q.timeouts().idle())
        .containsExactly(Optional.of(Duration.ZERO), Optional.of(Duration.ofMinutes(10)));
  }

  @Test
  void healthCheckHostIsKeptAndUnsetMeansTheServiceName() {
    PortSpec h2 = new PortSpec("h2c", 8081, "TCP", Optional.empty());
    PortPolicy named =
        parse(
                Map.of("fairlead.io/health-check", "http:/ready,host=probe.internal:8081"),
                NativeFields.NONE,
                h2)
            .ports()
            .get(0);
    assertThat(named.resilience().healthCheck().orElseThrow().host())
        .contains("probe.internal:8081");
    PortPolicy unset =
        parse(Map.of("fairlead.io/health-check", "http:/ready"), NativeFields.NONE, h2)
            .ports()
            .get(0);
    assertThat(unset.resilience().healthCheck().orElseThrow().host()).isEmpty();
  }

  @Test
  void portAffinityWarnsWhenThePortsOfTheGroupHashDifferently() {
    Map<String, String> subnet =
        Map.of(
            "fairlead.io/hash-on",
            "source-ip",
            "fairlead.io/source-ip-prefix",
            "24",
            "fairlead.io/port-affinity",
            "all-ports");
    ParsedService mixed = parse(subnet, NativeFields.NONE, HTTP, DB);
    assertThat(mixed.diagnostics())
        .filteredOn(d -> d.key().equals("fairlead.io/port-affinity"))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.message())
                  .contains(
                      "http: ring-hash", "source-ip(/24,/128)", "db: ring-hash", "on source-ip)");
            });
    // Two HTTP ports with the same key and algorithm agree: no warning.
    ParsedService same = parse(subnet, NativeFields.NONE, HTTP, ADMIN);
    assertThat(same.diagnostics()).noneMatch(d -> d.key().equals("fairlead.io/port-affinity"));
    // Without a prefix, the TCP port hashes the whole address like the HTTP port does.
    ParsedService whole =
        parse(
            Map.of("fairlead.io/hash-on", "source-ip", "fairlead.io/port-affinity", "all-ports"),
            NativeFields.NONE,
            HTTP,
            DB);
    assertThat(whole.diagnostics()).noneMatch(d -> d.key().equals("fairlead.io/port-affinity"));
  }

  private static NativeFields clientIp() {
    return new NativeFields(Optional.of("ClientIP"), Optional.empty(), Optional.empty());
  }

  @Test
  void retriesReadBackoffStatusesAndRetryHost() {
    RetryPolicy r =
        parse(
                Map.of(
                    "fairlead.io/retries",
                    "attempts=2,status=504|503|503,backoff=10ms-2s,retry-host=any"),
                NativeFields.NONE,
                HTTP)
            .ports()
            .get(0)
            .resilience()
            .retries()
            .orElseThrow();
    assertThat(r.on()).isEqualTo(RetryPolicy.DEFAULT_ON);
    assertThat(r.retriableStatusCodes()).contains(List.of(503, 504));
    assertThat(r.backoff())
        .contains(new RetryPolicy.Backoff(Duration.ofMillis(10), Duration.ofSeconds(2)));
    assertThat(r.avoidsTriedHosts()).isFalse();
    RetryPolicy plain =
        parse(Map.of("fairlead.io/retries", "backoff=30ms"), NativeFields.NONE, HTTP)
            .ports()
            .get(0)
            .resilience()
            .retries()
            .orElseThrow();
    assertThat(plain.backoff())
        .contains(new RetryPolicy.Backoff(Duration.ofMillis(30), Duration.ofMillis(300)));
    assertThat(plain.avoidsTriedHosts()).isTrue();
  }

  @Test
  void outlierModesAreReadAndFailurePercentageIsEnforcedByDefault() {
    OutlierDetection o =
        parse(
                Map.of(
                    "fairlead.io/outlier-detection",
                    "gateway-failure=3,local-origin=4,failure-percentage=70,min-hosts=2"),
                NativeFields.NONE,
                HTTP)
            .ports()
            .get(0)
            .resilience()
            .outlierDetection()
            .orElseThrow();
    assertThat(o.consecutive5xx()).isEqualTo(5);
    assertThat(o.gatewayFailures()).contains(3);
    assertThat(o.localOriginFailures()).contains(4);
    assertThat(o.failurePercentageThreshold()).contains(70);
    assertThat(o.failurePercentageEnforcing()).contains(100);
    assertThat(o.successRateEnforcing()).isEmpty();
    assertThat(o.successRateOn()).isTrue();
    assertThat(o.minHosts()).contains(2);
    assertThat(o.hasStatisticalMode()).isTrue();
  }

  @Test
  void slowStartReadsItsCurve() {
    PortPolicy p =
        parse(
                Map.of("fairlead.io/slow-start", "45s,aggression=2.5,min-weight=5"),
                NativeFields.NONE,
                HTTP)
            .ports()
            .get(0);
    assertThat(p.balancing().slowStart()).contains(Duration.ofSeconds(45));
    assertThat(p.balancing().slowStartAggression()).contains(2.5);
    assertThat(p.balancing().slowStartMinWeight()).contains(5);
    PortPolicy plain =
        parse(Map.of("fairlead.io/slow-start", "45s"), NativeFields.NONE, HTTP).ports().get(0);
    assertThat(plain.balancing().slowStartAggression()).isEmpty();
  }

  @Test
  void healthCheckReadsMethodAndExpectedStatuses() {
    HealthCheck h =
        parse(
                Map.of("fairlead.io/health-check", "http:/ready,method=head,expected=200|204-206"),
                NativeFields.NONE,
                HTTP)
            .ports()
            .get(0)
            .resilience()
            .healthCheck()
            .orElseThrow();
    assertThat(h.method()).contains("HEAD");
    assertThat(h.expectedStatuses())
        .contains(
            List.of(new HealthCheck.StatusRange(200, 200), new HealthCheck.StatusRange(204, 206)));
  }

  @Test
  void connectionPoolAppliesToHttpPortsAndStreamsToHttp2Only() {
    PortSpec h2 = new PortSpec("grpc", 9090, "TCP", Optional.empty());
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/connection-pool",
                "idle-timeout=0s,max-requests-per-connection=10,max-concurrent-streams=8"),
            NativeFields.NONE,
            HTTP,
            h2,
            DB);
    assertThat(p.ports().get(0).resilience().connectionPool())
        .contains(
            new ConnectionPool(Optional.of(Duration.ZERO), Optional.of(10), Optional.empty()));
    assertThat(p.ports().get(1).resilience().connectionPool())
        .contains(new ConnectionPool(Optional.of(Duration.ZERO), Optional.of(10), Optional.of(8)));
    assertThat(p.ports().get(2).resilience().connectionPool()).isEmpty();
    assertThat(p.diagnostics())
        .extracting(Diagnostic::severity)
        .containsOnly(Severity.WARNING)
        .hasSize(2);
  }

  @Test
  void failoverKeepsTheZoneOrder() {
    PortPolicy p =
        parse(Map.of("fairlead.io/failover", "eu-west-1c, eu-west-1a"), NativeFields.NONE, HTTP)
            .ports()
            .get(0);
    assertThat(p.topology().failover()).contains(List.of("eu-west-1c", "eu-west-1a"));
    assertThat(p.sourceOf(AnnotationRegistry.FAILOVER)).isEqualTo(Provenance.ANNOTATION);
  }
}
