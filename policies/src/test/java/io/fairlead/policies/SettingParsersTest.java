package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What each annotation grammar parses to, and the reason it gives when it refuses a value. */
class SettingParsersTest {

  private static <T> T ok(AnnotationKey<T> key, String value) {
    ParseResult<T> r = key.parse(value);
    assertThat(r).as(key.name() + ": " + value).isInstanceOf(ParseResult.Ok.class);
    return ((ParseResult.Ok<T>) r).value();
  }

  private static String err(AnnotationKey<?> key, String value) {
    ParseResult<?> r = key.parse(value);
    assertThat(r).as(key.name() + ": " + value).isInstanceOf(ParseResult.Err.class);
    return ((ParseResult.Err<?>) r).message();
  }

  @Test
  void healthCheckReadsEveryField() {
    assertThat(
            ok(
                AnnotationRegistry.HEALTH_CHECK,
                "http:/healthz, interval=5s, timeout=2s, unhealthy=4, healthy=2, host=Shop.Example.com"))
        .isEqualTo(
            new HealthCheck(
                HealthCheck.Kind.HTTP,
                Optional.of("/healthz"),
                Optional.of("shop.example.com"),
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                4,
                2));
  }

  @Test
  void healthCheckDefaultsAreEnvoysUsualOnes() {
    assertThat(ok(AnnotationRegistry.HEALTH_CHECK, "grpc"))
        .isEqualTo(
            new HealthCheck(
                HealthCheck.Kind.GRPC,
                Optional.empty(),
                Optional.empty(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                3,
                1));
    assertThat(ok(AnnotationRegistry.HEALTH_CHECK, "tcp").kind()).isEqualTo(HealthCheck.Kind.TCP);
  }

  @Test
  void healthCheckRefusals() {
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "http:healthz"))
        .startsWith("health-check ")
        .contains("not a path");
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "udp")).contains("'udp' is not a health check");
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "tcp,host=a.example"))
        .isEqualTo("host: a tcp health check sends no Host header");
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "grpc,host=*.example.com"))
        .startsWith("host: ")
        .contains("wildcard");
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "grpc,interval=0s"))
        .startsWith("interval: ")
        .contains("greater than zero");
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "grpc,period=1s")).contains("unknown key");
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "grpc,,interval=1s")).contains("empty item");
    // the first error is the one reported
    assertThat(err(AnnotationRegistry.HEALTH_CHECK, "tcp,interval=x,timeout=y"))
        .startsWith("interval: ");
  }

  @Test
  void outlierDetectionReadsEveryFieldAndDefaults() {
    assertThat(ok(AnnotationRegistry.OUTLIER_DETECTION, "default"))
        .isEqualTo(OutlierDetection.DEFAULTS)
        .isEqualTo(new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofSeconds(30), 50));
    assertThat(
            ok(
                AnnotationRegistry.OUTLIER_DETECTION,
                "consecutive-5xx=3,interval=2s,base-ejection-time=1m,max-ejection-percent=100"))
        .isEqualTo(new OutlierDetection(3, Duration.ofSeconds(2), Duration.ofMinutes(1), 100));
    assertThat(ok(AnnotationRegistry.OUTLIER_DETECTION, "consecutive-5xx=7"))
        .isEqualTo(new OutlierDetection(7, Duration.ofSeconds(10), Duration.ofSeconds(30), 50));
    assertThat(err(AnnotationRegistry.OUTLIER_DETECTION, "max-ejection-percent=101"))
        .startsWith("max-ejection-percent: ")
        .contains("out of range");
    assertThat(err(AnnotationRegistry.OUTLIER_DETECTION, "consecutive-5xx")).contains("key=value");
    assertThat(err(AnnotationRegistry.OUTLIER_DETECTION, "")).contains("empty item");
  }

  @Test
  void circuitBreakersKeepOnlyTheLimitsGiven() {
    assertThat(ok(AnnotationRegistry.CIRCUIT_BREAKERS, "max-requests=10"))
        .isEqualTo(
            new CircuitBreakers(
                Optional.empty(), Optional.empty(), Optional.of(10), Optional.empty()));
    assertThat(
            ok(
                AnnotationRegistry.CIRCUIT_BREAKERS,
                "max-connections=1,max-pending-requests=2,max-requests=3,max-retries=0"))
        .isEqualTo(
            new CircuitBreakers(Optional.of(1), Optional.of(2), Optional.of(3), Optional.of(0)));
    assertThat(err(AnnotationRegistry.CIRCUIT_BREAKERS, "max-requests=-1"))
        .startsWith("max-requests: ");
    assertThat(err(AnnotationRegistry.CIRCUIT_BREAKERS, "max-requests=1,max-requests=2"))
        .contains("given twice");
    assertThat(err(AnnotationRegistry.CIRCUIT_BREAKERS, "max-streams=1")).contains("unknown key");
    assertThat(err(AnnotationRegistry.CIRCUIT_BREAKERS, "max-requests=1,")).contains("empty item");
  }

  @Test
  void retriesOnReplacesTheDefaultConditions() {
    assertThat(ok(AnnotationRegistry.RETRIES, "attempts=3,on=gateway-error|unavailable"))
        .isEqualTo(new RetryPolicy(3, List.of("gateway-error", "unavailable"), Optional.empty()));
    assertThat(ok(AnnotationRegistry.RETRIES, "attempts=2"))
        .isEqualTo(
            new RetryPolicy(2, List.of("5xx", "reset", "connect-failure"), Optional.empty()));
    assertThat(ok(AnnotationRegistry.RETRIES, "on=5xx|5xx").on()).containsExactly("5xx");
    assertThat(ok(AnnotationRegistry.RETRIES, "per-try-timeout=250ms"))
        .isEqualTo(new RetryPolicy(1, RetryPolicy.DEFAULT_ON, Optional.of(Duration.ofMillis(250))));
    assertThat(err(AnnotationRegistry.RETRIES, "on=5xx|teapot"))
        .startsWith("'teapot' is not a retry condition");
    assertThat(err(AnnotationRegistry.RETRIES, "per-try-timeout=0s"))
        .startsWith("per-try-timeout: ");
    assertThat(err(AnnotationRegistry.RETRIES, "attempts=0")).startsWith("attempts: ");
    assertThat(err(AnnotationRegistry.RETRIES, "tries=2")).contains("unknown key");
  }

  @Test
  void durations() {
    assertThat(ok(AnnotationRegistry.SLOW_START, "1m30s"))
        .isEqualTo(
            new SlowStart(
                Duration.ofSeconds(90), java.util.Optional.empty(), java.util.Optional.empty()));
    assertThat(ok(AnnotationRegistry.MAX_CONNECTION_DURATION, "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(err(AnnotationRegistry.SLOW_START, "0s"))
        .isEqualTo("'0s' must be greater than zero");
    assertThat(err(AnnotationRegistry.MAX_CONNECTION_DURATION, "0ms"))
        .contains("greater than zero");
    assertThat(err(AnnotationRegistry.SLOW_START, "soon")).contains("not a duration");
    assertThat(ok(AnnotationRegistry.TIMEOUT, "0s")).isEqualTo(Duration.ZERO);
    assertThat(err(AnnotationRegistry.TIMEOUT, " ")).startsWith("empty duration");
    assertThat(err(AnnotationRegistry.TIMEOUT, "99999999999999999999s")).contains("too large");
    // hours and minutes are counted up to 100 years (the exact limit in ms still passes the count)
    assertThat(ok(AnnotationRegistry.TIMEOUT, "876000h")).isEqualTo(Duration.ofHours(876000));
    assertThat(err(AnnotationRegistry.TIMEOUT, "876001h")).contains("at most 100 years");
    assertThat(err(AnnotationRegistry.TIMEOUT, "3153600000000m")).contains("at most 100 years");
    assertThat(err(AnnotationRegistry.TIMEOUT, "3153600001000ms")).contains("too large");
  }

  @ParameterizedTest
  @CsvSource({"all-ports,true", "none,false", "' all-ports ',true"})
  void portAffinity(String value, boolean expected) {
    assertThat(ok(AnnotationRegistry.PORT_AFFINITY, value)).isEqualTo(expected);
  }

  @Test
  void portAffinityRefusesOtherWords() {
    assertThat(err(AnnotationRegistry.PORT_AFFINITY, "all"))
        .isEqualTo("'all' is not a port affinity; expected all-ports or none");
  }

  @Test
  void sourceIpPrefix() {
    assertThat(ok(AnnotationRegistry.SOURCE_IP_PREFIX, "24"))
        .isEqualTo(new SourceIpPrefix(24, 128));
    assertThat(ok(AnnotationRegistry.SOURCE_IP_PREFIX, "16,48"))
        .isEqualTo(new SourceIpPrefix(16, 48));
    assertThat(err(AnnotationRegistry.SOURCE_IP_PREFIX, "24,64,8")).contains("not a prefix");
    assertThat(err(AnnotationRegistry.SOURCE_IP_PREFIX, "33")).startsWith("IPv4 prefix ");
    assertThat(err(AnnotationRegistry.SOURCE_IP_PREFIX, "24,129")).startsWith("IPv6 prefix ");
  }

  @Test
  void ringSize() {
    assertThat(ok(AnnotationRegistry.RING_SIZE, "2048")).isEqualTo(new RingSize(2048, 8388608));
    assertThat(ok(AnnotationRegistry.RING_SIZE, "64-128")).isEqualTo(new RingSize(64, 128));
    assertThat(ok(AnnotationRegistry.RING_SIZE, "64-64")).isEqualTo(new RingSize(64, 64));
    assertThat(err(AnnotationRegistry.RING_SIZE, "128-64"))
        .isEqualTo("minimum ring size 128 is larger than the maximum 64");
    assertThat(err(AnnotationRegistry.RING_SIZE, "1-2-3")).contains("MIN or MIN-MAX");
    assertThat(err(AnnotationRegistry.RING_SIZE, "x")).startsWith("minimum ring size ");
    assertThat(err(AnnotationRegistry.RING_SIZE, "1-x")).startsWith("maximum ring size ");
  }

  @ParameterizedTest
  @ValueSource(longs = {2, 3, 65537, 5000011})
  void maglevTableSizesArePrimes(long prime) {
    assertThat(ok(AnnotationRegistry.MAGLEV_TABLE_SIZE, Long.toString(prime))).isEqualTo(prime);
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 65536, 5000009})
  void maglevTableSizesThatAreNotPrimeAreRefused(long composite) {
    assertThat(err(AnnotationRegistry.MAGLEV_TABLE_SIZE, Long.toString(composite)))
        .contains("not a prime number");
  }

  @Test
  void isPrime() {
    assertThat(Values.isPrime(2)).isTrue();
    assertThat(Values.isPrime(1)).isFalse();
    assertThat(Values.isPrime(0)).isFalse();
    assertThat(Values.isPrime(-7)).isFalse();
    assertThat(Values.isPrime(9)).isFalse();
  }

  @Test
  void panicThresholdTakesAPercentSign() {
    assertThat(ok(AnnotationRegistry.PANIC_THRESHOLD, "25%")).isEqualTo(25);
    assertThat(ok(AnnotationRegistry.PANIC_THRESHOLD, " 30 ")).isEqualTo(30);
    assertThat(err(AnnotationRegistry.PANIC_THRESHOLD, "101%")).contains("out of range");
  }

  @Test
  void integersOutsideTheirRangeSayWhatTheRangeIs() {
    assertThat(Values.integer("7", 0, 5))
        .isEqualTo(ParseResult.err("'7' is out of range; expected 0 to 5"));
    assertThat(Values.integer("-1", 0, Long.MAX_VALUE))
        .isEqualTo(ParseResult.err("'-1' is out of range; expected 0 or more"));
    assertThat(Values.integer("99999999999999999999", 0, Long.MAX_VALUE))
        .isInstanceOf(ParseResult.Err.class);
    assertThat(Values.integer("1.5", 0, 5)).isEqualTo(ParseResult.err("'1.5' is not an integer"));
    assertThat(Values.integer(" -3 ", -5, 5)).isEqualTo(ParseResult.ok(-3L));
  }

  @Test
  void hashKeys() {
    assertThat(ok(AnnotationRegistry.HASH_ON, "header:X-User, cookie:sid, query:u, source-ip"))
        .containsExactly(
            new HashKey.Header("x-user"),
            new HashKey.Cookie("sid", Duration.ZERO, Optional.empty()),
            new HashKey.Query("u"),
            new HashKey.SourceIp(32, 128));
    assertThat(err(AnnotationRegistry.HASH_ON, "header:a,header:A"))
        .isEqualTo("hash key 'header:A' is given twice");
    assertThat(err(AnnotationRegistry.HASH_ON, "ip")).contains("'ip' is not a hash key");
    assertThat(err(AnnotationRegistry.HASH_ON, "header:")).contains("not a valid HTTP header name");
    assertThat(err(AnnotationRegistry.HASH_ON, "cookie:a b")).contains("not a valid cookie name");
    assertThat(err(AnnotationRegistry.HASH_ON, "header:a,")).contains("empty item");
    assertThat(err(AnnotationRegistry.HASH_ON, "header:" + "h".repeat(257)))
        .isEqualTo("a header name of 257 characters; at most 256");
    assertThat(err(AnnotationRegistry.HASH_ON, "query:" + "q".repeat(257)))
        .isEqualTo("a query parameter name of 257 characters; at most 256");
  }

  @Test
  void sessionPersistence() {
    assertThat(ok(AnnotationRegistry.SESSION_PERSISTENCE, "cookie:sess"))
        .isEqualTo(new SessionPersistence.Cookie("sess", Duration.ZERO, "/"));
    assertThat(ok(AnnotationRegistry.SESSION_PERSISTENCE, " header:X-Session "))
        .isEqualTo(new SessionPersistence.Header("x-session"));
    assertThat(err(AnnotationRegistry.SESSION_PERSISTENCE, "cookie"))
        .contains("not a valid cookie name");
    assertThat(err(AnnotationRegistry.SESSION_PERSISTENCE, "sticky"))
        .contains("expected cookie:NAME or header:NAME");
  }

  @Test
  void protocols() {
    assertThat(ok(AnnotationRegistry.PROTOCOL, "HTTP")).isEqualTo(Protocol.HTTP);
    assertThat(ok(AnnotationRegistry.PROTOCOL, "h2c")).isEqualTo(Protocol.HTTP2);
    assertThat(ok(AnnotationRegistry.PROTOCOL, "http2")).isEqualTo(Protocol.HTTP2);
    assertThat(ok(AnnotationRegistry.PROTOCOL, "grpc")).isEqualTo(Protocol.GRPC);
    assertThat(ok(AnnotationRegistry.PROTOCOL, "tcp")).isEqualTo(Protocol.TCP);
    assertThat(err(AnnotationRegistry.PROTOCOL, "udp")).contains("not a protocol");
    assertThat(ok(AnnotationRegistry.LB_POLICY, " maglev ")).isEqualTo(LbKind.MAGLEV);
    assertThat(err(AnnotationRegistry.LB_POLICY, "fastest")).contains("not an lb-policy");
  }

  @Test
  void exportTo() {
    assertThat(ok(AnnotationRegistry.EXPORT_TO, "*")).isEqualTo(ExportTo.EVERYONE);
    ExportTo e = ok(AnnotationRegistry.EXPORT_TO, "shop, ., billing");
    assertThat(e.everyone()).isFalse();
    assertThat(e.ownNamespace()).isTrue();
    assertThat(e.namespaces()).containsExactly("billing", "shop");
    assertThat(e.describe()).isEqualTo(".,billing,shop");
    assertThat(ok(AnnotationRegistry.EXPORT_TO, "shop").describe()).isEqualTo("shop");
    assertThat(ok(AnnotationRegistry.EXPORT_TO, ".").describe()).isEqualTo(".");
    assertThat(ExportTo.EVERYONE.describe()).isEqualTo("*");
    assertThat(err(AnnotationRegistry.EXPORT_TO, "*,shop")).contains("cannot be combined");
    assertThat(err(AnnotationRegistry.EXPORT_TO, "Shop")).startsWith("namespace ");
    assertThat(err(AnnotationRegistry.EXPORT_TO, "a,,b")).contains("empty item");
  }

  @Test
  void exportToDecidesWhichProxiesSeeTheService() {
    ExportTo own = ok(AnnotationRegistry.EXPORT_TO, ".,billing");
    assertThat(own.allows("shop", Optional.of("shop"))).isTrue();
    assertThat(own.allows("shop", Optional.of("billing"))).isTrue();
    assertThat(own.allows("shop", Optional.of("other"))).isFalse();
    assertThat(own.allows("shop", Optional.empty())).isFalse();
    ExportTo others = ok(AnnotationRegistry.EXPORT_TO, "billing");
    assertThat(others.allows("shop", Optional.of("shop"))).isFalse();
    assertThat(ExportTo.EVERYONE.allows("shop", Optional.empty())).isTrue();
  }

  @Test
  void gatewayHostsAndPaths() {
    assertThat(
            ok(
                AnnotationRegistry.GATEWAY_HOST,
                "Shop.Example.com, *.example.com, shop.example.com"))
        .containsExactly("shop.example.com", "*.example.com");
    assertThat(err(AnnotationRegistry.GATEWAY_HOST, "shop..com")).contains("not a host name");
    assertThat(err(AnnotationRegistry.GATEWAY_HOST, "a,")).contains("empty item");
    assertThat(ok(AnnotationRegistry.GATEWAY_PATH, " /api ")).isEqualTo("/api");
    assertThat(err(AnnotationRegistry.GATEWAY_PATH, "api")).contains("must start with '/'");
    assertThat(ok(AnnotationRegistry.GATEWAY, "edge")).isEqualTo("edge");
    assertThat(err(AnnotationRegistry.GATEWAY, "Edge")).contains("not a DNS label");
    assertThat(ok(AnnotationRegistry.COOKIE_PATH, "/shop")).isEqualTo("/shop");
  }

  @Test
  void keyValuesNeedAKeyAndAValue() {
    assertThat(err(AnnotationRegistry.RETRIES, "=2")).contains("is not key=value");
    assertThat(err(AnnotationRegistry.RETRIES, "attempts=")).contains("is not key=value");
    assertThat(ok(AnnotationRegistry.RETRIES, "attempts=1").attempts()).isEqualTo(1);
  }
}
