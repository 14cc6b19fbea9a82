package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** fairlead.io/rate-limit, rate-limit-per-client and access-log. */
class RateLimitAndAccessLogParserTest {

  private static final PortSpec HTTP = new PortSpec("http", 80, "TCP", Optional.empty());
  private static final PortSpec ADMIN = new PortSpec("admin", 9000, "TCP", Optional.of("http"));
  private static final PortSpec DB = new PortSpec("db", 5432, "TCP", Optional.empty());

  private static ParsedService parse(Map<String, String> annotations, PortSpec... ports) {
    return ServicePolicyParser.parse(
        ObjectRef.parse("ns/svc"), annotations, NativeFields.NONE, List.of(ports));
  }

  @Test
  void noAnnotationMeansNoLimitsAndTheControlPlanesAccessLog() {
    PortPolicy p = parse(Map.of(), HTTP).ports().get(0);
    assertThat(p.traffic().rateLimits()).isEmpty();
    assertThat(p.traffic().accessLog()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "2000/s, 2000, SECOND, 2000",
    "20/m, 20, MINUTE, 20",
    "'2000/s burst 4000', 2000, SECOND, 4000",
    "' 5 / m  burst 5 ', 5, MINUTE, 5",
    "4294967295/s, 4294967295, SECOND, 4294967295",
  })
  void rateLimitGrammar(String value, long requests, RateLimit.Unit unit, long burst) {
    ParsedService parsed = parse(Map.of("fairlead.io/rate-limit", value), HTTP);
    assertThat(parsed.diagnostics()).isEmpty();
    PortPolicy p = parsed.ports().get(0);
    assertThat(p.traffic().rateLimits().orElseThrow().perProxy())
        .contains(new RateLimit(requests, unit, burst));
    assertThat(p.traffic().rateLimits().orElseThrow().perClient()).isEmpty();
    assertThat(p.sourceOf(AnnotationRegistry.RATE_LIMIT)).isEqualTo(Provenance.ANNOTATION);
  }

  @ParameterizedTest
  @CsvSource({
    "fairlead.io/rate-limit, 2000, not a rate limit",
    "fairlead.io/rate-limit, 2000/h, not a rate limit",
    "fairlead.io/rate-limit, 0/s, out of range",
    "fairlead.io/rate-limit, -1/s, not a rate limit",
    "fairlead.io/rate-limit, 4294967296/s, out of range",
    "fairlead.io/rate-limit, '100/s burst 50', 'burst 50 is out of range'",
    "fairlead.io/rate-limit, '100/s burst', not a rate limit",
    "fairlead.io/rate-limit, '100/s, burst 200', not a rate limit",
    "fairlead.io/rate-limit-per-client, 20/d, not a rate limit",
    "fairlead.io/access-log, json, not an access-log setting",
  })
  void invalidValuesAreErrorsAndFallBack(String key, String value, String reason) {
    ParsedService parsed =
        parse(Map.of(key, value, "fairlead.io/gateway-host", "shop.example.com"), HTTP);
    assertThat(parsed.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.reason()).isEqualTo(Reason.INVALID_VALUE);
              assertThat(d.message()).contains(reason);
            });
    PortPolicy p = parsed.ports().get(0);
    assertThat(p.traffic().rateLimits()).isEmpty();
    assertThat(p.traffic().accessLog()).isEmpty();
  }

  @Test
  void anInvalidPerPortValueFallsBackToTheServiceValue() {
    ParsedService parsed =
        parse(
            Map.of("fairlead.io/rate-limit", "100/s", "fairlead.io/rate-limit.admin", "lots"),
            HTTP,
            ADMIN);
    assertThat(parsed.diagnostics()).extracting(Diagnostic::severity).containsOnly(Severity.ERROR);
    assertThat(parsed.ports().get(1).traffic().rateLimits().orElseThrow().perProxy())
        .contains(new RateLimit(100, RateLimit.Unit.SECOND, 100));
  }

  @Test
  void perClientLimitsNeedAGatewayExposure() {
    ParsedService sidecarOnly = parse(Map.of("fairlead.io/rate-limit-per-client", "20/s"), HTTP);
    assertThat(sidecarOnly.ports().get(0).traffic().rateLimits()).isEmpty();
    assertThat(sidecarOnly.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
              assertThat(d.message()).contains("sidecars do not apply it");
            });

    ParsedService exposed =
        parse(
            Map.of(
                "fairlead.io/rate-limit-per-client",
                "20/s burst 40",
                "fairlead.io/rate-limit",
                "2000/s",
                "fairlead.io/gateway-host",
                "shop.example.com"),
            HTTP);
    assertThat(exposed.diagnostics()).isEmpty();
    assertThat(exposed.ports().get(0).traffic().rateLimits())
        .contains(
            new RateLimits(
                Optional.of(new RateLimit(2000, RateLimit.Unit.SECOND, 2000)),
                Optional.of(new RateLimit(20, RateLimit.Unit.SECOND, 40))));
  }

  @Test
  void rateLimitsApplyToHttpFamilyPortsOnly() {
    ParsedService parsed =
        parse(
            Map.of("fairlead.io/rate-limit", "100/s", "fairlead.io/rate-limit-per-client", "10/s"),
            DB);
    assertThat(parsed.ports().get(0).traffic().rateLimits()).isEmpty();
    assertThat(parsed.diagnostics())
        .hasSize(2)
        .allSatisfy(
            d -> {
              assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
              assertThat(d.message()).contains("HTTP-family");
            });
  }

  @Test
  void accessLogOffOnTheServiceAndOnForOnePort() {
    ParsedService parsed =
        parse(
            Map.of("fairlead.io/access-log", "off", "fairlead.io/access-log.admin", "on"),
            HTTP,
            ADMIN,
            DB);
    assertThat(parsed.diagnostics()).isEmpty();
    assertThat(parsed.ports())
        .extracting(p -> p.traffic().accessLog())
        .containsExactly(
            Optional.of(AccessLog.OFF), Optional.of(AccessLog.ON), Optional.of(AccessLog.OFF));
  }

  @Test
  void aRateLimitPrintsAsItIsWritten() {
    assertThat(new RateLimit(2000, RateLimit.Unit.SECOND, 4000)).hasToString("2000/s burst 4000");
    assertThat(new RateLimit(20, RateLimit.Unit.MINUTE, 20)).hasToString("20/m");
  }
}
