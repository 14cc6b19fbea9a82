package io.fairlead.policies;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One parser per annotation grammar. Each returns a value or a one-line reason; none throws. */
final class SettingParsers {

  private SettingParsers() {}

  static ParseResult<LbKind> lbPolicy(String text) {
    return LbKind.of(text.trim())
        .<ParseResult<LbKind>>map(ParseResult::ok)
        .orElseGet(
            () ->
                ParseResult.err(
                    "'"
                        + text
                        + "' is not an lb-policy; expected round-robin, least-request, random, ring-hash, maglev or weighted-round-robin"));
  }

  static ParseResult<List<HashKey>> hashOn(String text) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    Set<HashKey> keys = new LinkedHashSet<>();
    for (String item : ((ParseResult.Ok<List<String>>) items).value()) {
      ParseResult<HashKey> key = hashKey(item);
      if (key instanceof ParseResult.Err<HashKey> e) {
        return ParseResult.err(e.message());
      }
      if (!keys.add(((ParseResult.Ok<HashKey>) key).value())) {
        return ParseResult.err("hash key '" + item + "' is given twice");
      }
    }
    return ParseResult.ok(List.copyOf(keys));
  }

  private static ParseResult<HashKey> hashKey(String item) {
    if (item.equals("source-ip")) {
      return ParseResult.ok(new HashKey.SourceIp(32, 128));
    }
    int colon = item.indexOf(':');
    String kind = colon < 0 ? item : item.substring(0, colon);
    String name = colon < 0 ? "" : item.substring(colon + 1);
    return switch (kind) {
      case "header" -> Values.headerName(name).map(HashKey.Header::new);
      case "cookie" ->
          Values.token(name, "cookie name")
              .map(n -> new HashKey.Cookie(n, Duration.ZERO, Optional.empty()));
      case "query" -> Values.token(name, "query parameter name").map(HashKey.Query::new);
      default ->
          ParseResult.err(
              "'"
                  + item
                  + "' is not a hash key; expected header:NAME, cookie:NAME, source-ip or query:NAME");
    };
  }

  static ParseResult<SourceIpPrefix> sourceIpPrefix(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length > 2) {
      return ParseResult.err(
          "'" + text + "' is not a prefix; expected e.g. 24 or 24,64 (IPv4,IPv6)");
    }
    ParseResult<Long> v4 = Values.integer(parts[0], 0, 32);
    if (v4 instanceof ParseResult.Err<Long> e) {
      return ParseResult.err("IPv4 prefix " + e.message());
    }
    long v6 = 128;
    if (parts.length == 2) {
      ParseResult<Long> p6 = Values.integer(parts[1], 0, 128);
      if (p6 instanceof ParseResult.Err<Long> e) {
        return ParseResult.err("IPv6 prefix " + e.message());
      }
      v6 = ((ParseResult.Ok<Long>) p6).value();
    }
    return ParseResult.ok(
        new SourceIpPrefix(((ParseResult.Ok<Long>) v4).value().intValue(), (int) v6));
  }

  static ParseResult<Boolean> portAffinity(String text) {
    return switch (text.trim()) {
      case "all-ports" -> ParseResult.ok(true);
      case "none" -> ParseResult.ok(false);
      default ->
          ParseResult.err("'" + text + "' is not a port affinity; expected all-ports or none");
    };
  }

  private static final java.util.regex.Pattern RATE_LIMIT =
      java.util.regex.Pattern.compile("(\\d{1,10})\\s*/\\s*(s|m)(?:\\s+burst\\s+(\\d{1,10}))?");

  /** {@code N/s} or {@code N/m}, then optionally {@code burst M} with M at least N. */
  static ParseResult<RateLimit> rateLimit(String text) {
    java.util.regex.Matcher m = RATE_LIMIT.matcher(text.trim());
    if (!m.matches()) {
      return ParseResult.err(
          "'"
              + text
              + "' is not a rate limit; expected N/s or N/m, optionally followed by burst M");
    }
    long requests = Long.parseLong(m.group(1));
    long burst = m.group(3) == null ? requests : Long.parseLong(m.group(3));
    if (requests < 1 || requests > RateLimit.MAX) {
      return ParseResult.err(
          "rate " + requests + " is out of range; expected 1 to " + RateLimit.MAX);
    }
    if (burst < requests || burst > RateLimit.MAX) {
      return ParseResult.err(
          "burst "
              + burst
              + " is out of range; expected "
              + requests
              + " (the rate) to "
              + RateLimit.MAX);
    }
    RateLimit.Unit unit = m.group(2).equals("s") ? RateLimit.Unit.SECOND : RateLimit.Unit.MINUTE;
    return ParseResult.ok(new RateLimit(requests, unit, burst));
  }

  static ParseResult<AccessLog> accessLog(String text) {
    return switch (text.trim()) {
      case "on" -> ParseResult.ok(AccessLog.ON);
      case "off" -> ParseResult.ok(AccessLog.OFF);
      default -> ParseResult.err("'" + text + "' is not an access-log setting; expected on or off");
    };
  }

  static ParseResult<RingSize> ringSize(String text) {
    String[] parts = text.trim().split("-", -1);
    if (parts.length > 2) {
      return ParseResult.err("'" + text + "' is not a ring size; expected MIN or MIN-MAX");
    }
    ParseResult<Long> min = Values.integer(parts[0], 1, LoadBalancing.RING_LIMIT);
    if (min instanceof ParseResult.Err<Long> e) {
      return ParseResult.err("minimum ring size " + e.message());
    }
    long lo = ((ParseResult.Ok<Long>) min).value();
    long hi = Math.max(lo, LoadBalancing.DEFAULT_RING_MAX);
    if (parts.length == 2) {
      ParseResult<Long> max = Values.integer(parts[1], 1, LoadBalancing.RING_LIMIT);
      if (max instanceof ParseResult.Err<Long> e) {
        return ParseResult.err("maximum ring size " + e.message());
      }
      hi = ((ParseResult.Ok<Long>) max).value();
      if (hi < lo) {
        return ParseResult.err("minimum ring size " + lo + " is larger than the maximum " + hi);
      }
    }
    return ParseResult.ok(new RingSize(lo, hi));
  }

  static ParseResult<Long> maglevTableSize(String text) {
    ParseResult<Long> n = Values.integer(text, 2, LoadBalancing.MAGLEV_TABLE_LIMIT);
    if (n instanceof ParseResult.Ok<Long> ok && !Values.isPrime(ok.value())) {
      return ParseResult.err(
          "'" + text + "' is not a prime number; Envoy needs a prime table size, e.g. 65537");
    }
    return n;
  }

  static ParseResult<Integer> percent(String text) {
    return Values.integer(
            text.trim().endsWith("%") ? text.trim().substring(0, text.trim().length() - 1) : text,
            0,
            100)
        .map(Long::intValue);
  }

  static ParseResult<Integer> atLeast(String text, int min) {
    return Values.integer(text, min, Integer.MAX_VALUE).map(Long::intValue);
  }

  static ParseResult<SessionPersistence> sessionPersistence(String text) {
    String t = text.trim();
    int colon = t.indexOf(':');
    String kind = colon < 0 ? t : t.substring(0, colon);
    String name = colon < 0 ? "" : t.substring(colon + 1);
    return switch (kind) {
      case "cookie" ->
          Values.token(name, "cookie name")
              .map(n -> new SessionPersistence.Cookie(n, Duration.ZERO, "/"));
      case "header" -> Values.headerName(name).map(SessionPersistence.Header::new);
      default ->
          ParseResult.err(
              "'" + text + "' is not a session persistence; expected cookie:NAME or header:NAME");
    };
  }

  static ParseResult<SlowStart> slowStart(String text) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    List<String> parts = ((ParseResult.Ok<List<String>>) items).value();
    ParseResult<Duration> window = Values.positiveDuration(parts.get(0));
    if (window instanceof ParseResult.Err<Duration> e) {
      return ParseResult.err(e.message());
    }
    ParseResult<Map<String, String>> kv =
        Values.keyValues(text, parts.subList(1, parts.size()), List.of("aggression", "min-weight"));
    if (kv instanceof ParseResult.Err<Map<String, String>> e) {
      return ParseResult.err(e.message());
    }
    Map<String, String> m = ((ParseResult.Ok<Map<String, String>>) kv).value();
    Optional<Double> aggression = Optional.empty();
    if (m.containsKey("aggression")) {
      String a = m.get("aggression").trim();
      double v = a.matches("[0-9]{1,3}(\\.[0-9]{1,3})?") ? Double.parseDouble(a) : -1;
      if (!(v > 0 && v <= 100)) {
        return ParseResult.err(
            "aggression: '" + a + "' is not a number greater than 0 and at most 100, e.g. 1.5");
      }
      aggression = Optional.of(v);
    }
    Fields f = new Fields(m);
    Optional<Integer> minWeight = f.optionalPercent("min-weight");
    Optional<Double> aggressionValue = aggression;
    return f.error()
        .<ParseResult<SlowStart>>map(ParseResult::err)
        .orElseGet(
            () ->
                ParseResult.ok(
                    new SlowStart(
                        ((ParseResult.Ok<Duration>) window).value(), aggressionValue, minWeight)));
  }

  /** ORCA metric names as Envoy and grpc-java read them. */
  private static final java.util.regex.Pattern ORCA_METRIC =
      java.util.regex.Pattern.compile(
          "cpu_utilization|mem_utilization|application_utilization|(named_metrics|utilization)\\.[A-Za-z0-9_.\\-]+");

  static ParseResult<WrrTuning> weightedRoundRobin(String text) {
    ParseResult<Map<String, String>> kv =
        keyValues(
            text,
            List.of(
                "blackout-period",
                "weight-expiration-period",
                "weight-update-period",
                "error-utilization-penalty",
                "utilization-metrics"));
    if (kv instanceof ParseResult.Err<Map<String, String>> e) {
      return ParseResult.err(e.message());
    }
    Map<String, String> m = ((ParseResult.Ok<Map<String, String>>) kv).value();
    Fields f = new Fields(m);
    Optional<Duration> blackout =
        m.containsKey("blackout-period")
            ? Optional.ofNullable(f.duration("blackout-period"))
            : Optional.empty();
    Optional<Duration> expiration =
        m.containsKey("weight-expiration-period")
            ? Optional.of(f.positiveDuration("weight-expiration-period", Duration.ZERO))
            : Optional.empty();
    Optional<Duration> update =
        m.containsKey("weight-update-period")
            ? Optional.of(f.positiveDuration("weight-update-period", Duration.ZERO))
            : Optional.empty();
    if (f.error().isPresent()) {
      return ParseResult.err(f.error().get());
    }
    if (update.isPresent() && update.get().compareTo(WrrTuning.MIN_UPDATE_PERIOD) < 0) {
      return ParseResult.err(
          "weight-update-period: '"
              + m.get("weight-update-period").trim()
              + "' is below 100ms, which Envoy and gRPC raise to 100ms");
    }
    Optional<Double> penalty = Optional.empty();
    if (m.containsKey("error-utilization-penalty")) {
      String a = m.get("error-utilization-penalty").trim();
      double v = a.matches("[0-9]{1,3}(\\.[0-9]{1,3})?") ? Double.parseDouble(a) : -1;
      if (!(v >= 0 && v <= WrrTuning.MAX_ERROR_PENALTY)) {
        return ParseResult.err(
            "error-utilization-penalty: '"
                + a
                + "' is not a number from 0 to "
                + WrrTuning.MAX_ERROR_PENALTY
                + ", e.g. 1.5");
      }
      penalty = Optional.of(v);
    }
    List<String> metrics = List.of();
    if (m.containsKey("utilization-metrics")) {
      Set<String> names = new LinkedHashSet<>();
      for (String raw : m.get("utilization-metrics").split("\\|", -1)) {
        String name = raw.trim();
        if (!ORCA_METRIC.matcher(name).matches()) {
          return ParseResult.err(
              "utilization-metrics: '"
                  + name
                  + "' is not an ORCA metric; expected named_metrics.KEY, utilization.KEY, cpu_utilization, mem_utilization or application_utilization, separated by |");
        }
        if (name.length() - name.indexOf('.') - 1 > Values.MAX_NAME_LENGTH) {
          return ParseResult.err(
              "utilization-metrics: a metric key of more than "
                  + Values.MAX_NAME_LENGTH
                  + " characters");
        }
        names.add(name);
      }
      if (names.size() > WrrTuning.MAX_METRICS) {
        return ParseResult.err(
            "utilization-metrics: " + names.size() + " names; at most " + WrrTuning.MAX_METRICS);
      }
      metrics = List.copyOf(names);
    }
    return ParseResult.ok(new WrrTuning(blackout, expiration, update, penalty, metrics));
  }

  static ParseResult<Protocol> protocol(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "http" -> ParseResult.ok(Protocol.HTTP);
      case "http2", "h2c" -> ParseResult.ok(Protocol.HTTP2);
      case "grpc" -> ParseResult.ok(Protocol.GRPC);
      case "tcp" -> ParseResult.ok(Protocol.TCP);
      default ->
          ParseResult.err("'" + text + "' is not a protocol; expected http, http2, grpc or tcp");
    };
  }

  static ParseResult<HealthCheck> healthCheck(String text) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    List<String> parts = ((ParseResult.Ok<List<String>>) items).value();
    String head = parts.get(0);
    HealthCheck.Kind kind;
    Optional<String> pathValue = Optional.empty();
    if (head.startsWith("http:")) {
      ParseResult<String> p = Values.path(head.substring(5));
      if (p instanceof ParseResult.Err<String> e) {
        return ParseResult.err("health-check " + e.message());
      }
      kind = HealthCheck.Kind.HTTP;
      pathValue = Optional.of(((ParseResult.Ok<String>) p).value());
    } else if (head.equals("grpc")) {
      kind = HealthCheck.Kind.GRPC;
    } else if (head.equals("tcp")) {
      kind = HealthCheck.Kind.TCP;
    } else {
      return ParseResult.err(
          "'" + head + "' is not a health check; expected http:/PATH, grpc or tcp");
    }
    ParseResult<Map<String, String>> kv =
        Values.keyValues(
            text,
            parts.subList(1, parts.size()),
            List.of("interval", "timeout", "unhealthy", "healthy", "host", "method", "expected"));
    if (kv instanceof ParseResult.Err<Map<String, String>> e) {
      return ParseResult.err(e.message());
    }
    Map<String, String> m = ((ParseResult.Ok<Map<String, String>>) kv).value();
    Fields f = new Fields(m);
    Optional<String> path = pathValue;
    Duration interval = f.positiveDuration("interval", HealthCheck.DEFAULT_INTERVAL);
    Duration timeout = f.positiveDuration("timeout", HealthCheck.DEFAULT_TIMEOUT);
    int unhealthy = f.count("unhealthy", HealthCheck.DEFAULT_UNHEALTHY, 1);
    int healthy = f.count("healthy", HealthCheck.DEFAULT_HEALTHY, 1);
    Optional<String> host = f.optionalHost("host");
    if (host.isPresent() && kind == HealthCheck.Kind.TCP) {
      return ParseResult.err("host: a tcp health check sends no Host header");
    }
    if (kind != HealthCheck.Kind.HTTP && (m.containsKey("method") || m.containsKey("expected"))) {
      return ParseResult.err(
          (m.containsKey("method") ? "method" : "expected")
              + ": only http health checks have a method and HTTP statuses");
    }
    Optional<String> method = Optional.empty();
    if (m.containsKey("method")) {
      String v = m.get("method").trim().toUpperCase(Locale.ROOT);
      if (!HealthCheck.METHODS.contains(v)) {
        return ParseResult.err(
            "method: '"
                + m.get("method")
                + "' is not a health-check method; expected one of "
                + String.join(", ", HealthCheck.METHODS));
      }
      method = Optional.of(v);
    }
    Optional<List<HealthCheck.StatusRange>> expected = Optional.empty();
    if (m.containsKey("expected")) {
      List<HealthCheck.StatusRange> ranges = new ArrayList<>();
      for (String item : m.get("expected").split("\\|", -1)) {
        String[] ends = item.trim().split("-", -1);
        ParseResult<Long> from = Values.integer(ends[0], 100, 599);
        ParseResult<Long> to = ends.length == 2 ? Values.integer(ends[1], 100, 599) : from;
        if (ends.length > 2
            || from instanceof ParseResult.Err<Long>
            || to instanceof ParseResult.Err<Long>) {
          return ParseResult.err(
              "expected: '"
                  + item
                  + "' is not an HTTP status or range from 100 to 599, e.g. 200-299");
        }
        int a = ((ParseResult.Ok<Long>) from).value().intValue();
        int b = ((ParseResult.Ok<Long>) to).value().intValue();
        if (b < a) {
          return ParseResult.err("expected: range '" + item + "' ends before it starts");
        }
        ranges.add(new HealthCheck.StatusRange(a, b));
      }
      expected = Optional.of(List.copyOf(ranges));
    }
    Optional<String> methodValue = method;
    Optional<List<HealthCheck.StatusRange>> expectedValue = expected;
    return f.error()
        .<ParseResult<HealthCheck>>map(ParseResult::err)
        .orElseGet(
            () ->
                ParseResult.ok(
                    new HealthCheck(
                        kind,
                        path,
                        host,
                        interval,
                        timeout,
                        unhealthy,
                        healthy,
                        methodValue,
                        expectedValue)));
  }

  static ParseResult<OutlierDetection> outlierDetection(String text) {
    if (text.trim().equals("default")) {
      return ParseResult.ok(OutlierDetection.DEFAULTS);
    }
    ParseResult<Map<String, String>> kv =
        keyValues(
            text,
            List.of(
                "consecutive-5xx",
                "interval",
                "base-ejection-time",
                "max-ejection-percent",
                "gateway-failure",
                "local-origin",
                "success-rate",
                "failure-percentage",
                "failure-percentage-enforcing",
                "min-hosts",
                "request-volume"));
    if (kv instanceof ParseResult.Err<Map<String, String>> e) {
      return ParseResult.err(e.message());
    }
    Map<String, String> m = ((ParseResult.Ok<Map<String, String>>) kv).value();
    Fields f = new Fields(m);
    OutlierDetection d = OutlierDetection.DEFAULTS;
    int c5xx = f.count("consecutive-5xx", d.consecutive5xx(), 1);
    Duration interval = f.positiveDuration("interval", d.interval());
    Duration base = f.positiveDuration("base-ejection-time", d.baseEjectionTime());
    int maxPct = f.percent("max-ejection-percent", d.maxEjectionPercent());
    Optional<Integer> gateway = f.optionalCount("gateway-failure", 1);
    Optional<Integer> local = f.optionalCount("local-origin", 1);
    Optional<Integer> successRate = f.optionalPercent("success-rate");
    Optional<Integer> failureThreshold = f.optionalPercent("failure-percentage");
    Optional<Integer> failureEnforcing = f.optionalPercent("failure-percentage-enforcing");
    Optional<Integer> minHosts = f.optionalCount("min-hosts", 1);
    Optional<Integer> volume = f.optionalCount("request-volume", 1);
    if (f.error().isPresent()) {
      return ParseResult.err(f.error().get());
    }
    if (failureEnforcing.isPresent() && failureThreshold.isEmpty()) {
      return ParseResult.err(
          "failure-percentage-enforcing needs failure-percentage=THRESHOLD, which turns that mode on");
    }
    return ParseResult.ok(
        new OutlierDetection(
            c5xx,
            interval,
            base,
            maxPct,
            gateway,
            local,
            successRate,
            failureThreshold,
            failureThreshold.isPresent()
                ? failureEnforcing.or(() -> Optional.of(100))
                : failureEnforcing,
            minHosts,
            volume));
  }

  static ParseResult<CircuitBreakers> circuitBreakers(String text) {
    ParseResult<Map<String, String>> kv =
        keyValues(
            text,
            List.of("max-connections", "max-pending-requests", "max-requests", "max-retries"));
    if (kv instanceof ParseResult.Err<Map<String, String>> e) {
      return ParseResult.err(e.message());
    }
    Fields f = new Fields(((ParseResult.Ok<Map<String, String>>) kv).value());
    CircuitBreakers b =
        new CircuitBreakers(
            f.optionalCount("max-connections"),
            f.optionalCount("max-pending-requests"),
            f.optionalCount("max-requests"),
            f.optionalCount("max-retries"));
    return f.error()
        .<ParseResult<CircuitBreakers>>map(ParseResult::err)
        .orElseGet(() -> ParseResult.ok(b));
  }

  static ParseResult<ConnectionPool> connectionPool(String text) {
    ParseResult<Map<String, String>> kv =
        keyValues(
            text, List.of("idle-timeout", "max-requests-per-connection", "max-concurrent-streams"));
    if (kv instanceof ParseResult.Err<Map<String, String>> e) {
      return ParseResult.err(e.message());
    }
    Map<String, String> m = ((ParseResult.Ok<Map<String, String>>) kv).value();
    Fields f = new Fields(m);
    Optional<Duration> idle =
        m.containsKey("idle-timeout")
            ? Optional.ofNullable(f.duration("idle-timeout"))
            : Optional.empty();
    ConnectionPool pool =
        new ConnectionPool(
            idle,
            f.optionalCount("max-requests-per-connection", 1),
            f.optionalCount("max-concurrent-streams", 1));
    return f.error()
        .<ParseResult<ConnectionPool>>map(ParseResult::err)
        .orElseGet(() -> ParseResult.ok(pool));
  }

  static ParseResult<RetryPolicy> retries(String text) {
    ParseResult<Map<String, String>> kv =
        keyValues(
            text, List.of("attempts", "on", "per-try-timeout", "backoff", "status", "retry-host"));
    if (kv instanceof ParseResult.Err<Map<String, String>> e) {
      return ParseResult.err(e.message());
    }
    Map<String, String> m = ((ParseResult.Ok<Map<String, String>>) kv).value();
    Fields f = new Fields(m);
    int attempts = f.count("attempts", 1, 1);
    List<String> on = new ArrayList<>(RetryPolicy.DEFAULT_ON);
    if (m.containsKey("on")) {
      on.clear();
      for (String cond : m.get("on").split("\\|", -1)) {
        String c = cond.trim();
        if (!RetryPolicy.HTTP_CONDITIONS.contains(c) && !RetryPolicy.GRPC_CONDITIONS.contains(c)) {
          return ParseResult.err(
              "'"
                  + c
                  + "' is not a retry condition; expected e.g. 5xx|reset|connect-failure|gateway-error|unavailable");
        }
        if (!on.contains(c)) {
          on.add(c);
        }
      }
    }
    Optional<Duration> perTry =
        m.containsKey("per-try-timeout")
            ? Optional.of(f.positiveDuration("per-try-timeout", Duration.ZERO))
            : Optional.empty();
    Optional<RetryPolicy.Backoff> backoff = Optional.empty();
    if (m.containsKey("backoff")) {
      ParseResult<RetryPolicy.Backoff> b = backoff(m.get("backoff"));
      if (b instanceof ParseResult.Err<RetryPolicy.Backoff> e) {
        return ParseResult.err("backoff: " + e.message());
      }
      backoff = Optional.of(((ParseResult.Ok<RetryPolicy.Backoff>) b).value());
    }
    Optional<List<Integer>> statuses = Optional.empty();
    if (m.containsKey("status")) {
      Set<Integer> codes = new java.util.TreeSet<>();
      for (String code : m.get("status").split("\\|", -1)) {
        ParseResult<Long> c = Values.integer(code, 100, 599);
        if (c instanceof ParseResult.Err<Long> e) {
          return ParseResult.err("status: HTTP status " + e.message());
        }
        codes.add(((ParseResult.Ok<Long>) c).value().intValue());
      }
      statuses = Optional.of(List.copyOf(codes));
    }
    Optional<RetryPolicy.RetryHost> host = Optional.empty();
    if (m.containsKey("retry-host")) {
      switch (m.get("retry-host").trim()) {
        case "other" -> host = Optional.of(RetryPolicy.RetryHost.OTHER);
        case "any" -> host = Optional.of(RetryPolicy.RetryHost.ANY);
        default -> {
          return ParseResult.err(
              "retry-host: '"
                  + m.get("retry-host")
                  + "' is not a retry host; expected other or any");
        }
      }
    }
    RetryPolicy policy =
        new RetryPolicy(attempts, List.copyOf(on), perTry, backoff, statuses, host);
    return f.error()
        .<ParseResult<RetryPolicy>>map(ParseResult::err)
        .orElseGet(() -> ParseResult.ok(policy));
  }

  /** {@code BASE} or {@code BASE-MAX}; MAX defaults to 10 × BASE, as in Envoy and gRPC. */
  private static ParseResult<RetryPolicy.Backoff> backoff(String text) {
    String[] parts = text.trim().split("-", -1);
    if (parts.length > 2) {
      return ParseResult.err("'" + text + "' is not a back-off; expected BASE or BASE-MAX");
    }
    ParseResult<Duration> base = Values.positiveDuration(parts[0]);
    if (base instanceof ParseResult.Err<Duration> e) {
      return ParseResult.err("base " + e.message());
    }
    Duration b = ((ParseResult.Ok<Duration>) base).value();
    if (b.compareTo(Duration.ofMillis(1)) < 0) {
      return ParseResult.err("base " + text + " is below 1ms, which Envoy refuses");
    }
    Duration max = b.multipliedBy(10);
    if (parts.length == 2) {
      ParseResult<Duration> mx = Values.positiveDuration(parts[1]);
      if (mx instanceof ParseResult.Err<Duration> e) {
        return ParseResult.err("max " + e.message());
      }
      max = ((ParseResult.Ok<Duration>) mx).value();
      if (max.compareTo(b) < 0) {
        return ParseResult.err("max " + parts[1] + " is shorter than the base " + parts[0]);
      }
    }
    return ParseResult.ok(new RetryPolicy.Backoff(b, max));
  }

  static ParseResult<ExportTo> exportTo(String text) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    List<String> list = ((ParseResult.Ok<List<String>>) items).value();
    if (list.contains("*")) {
      return list.size() == 1
          ? ParseResult.ok(ExportTo.EVERYONE)
          : ParseResult.err("'*' exports to every namespace; it cannot be combined with others");
    }
    boolean own = false;
    java.util.SortedSet<String> namespaces = new java.util.TreeSet<>();
    for (String item : list) {
      if (item.equals(".")) {
        own = true;
        continue;
      }
      ParseResult<String> ns = Values.dnsLabel(item);
      if (ns instanceof ParseResult.Err<String> e) {
        return ParseResult.err("namespace " + e.message() + "; expected *, . or namespace names");
      }
      namespaces.add(((ParseResult.Ok<String>) ns).value());
    }
    return ParseResult.ok(new ExportTo(false, own, namespaces));
  }

  static ParseResult<List<String>> zones(String text) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    Set<String> zones = new LinkedHashSet<>();
    for (String item : ((ParseResult.Ok<List<String>>) items).value()) {
      ParseResult<String> z = Values.labelValue(item, "zone name");
      if (z instanceof ParseResult.Err<String> e) {
        return ParseResult.err(e.message());
      }
      if (!zones.add(((ParseResult.Ok<String>) z).value())) {
        return ParseResult.err("zone '" + item + "' is given twice");
      }
    }
    return ParseResult.ok(List.copyOf(zones));
  }

  static ParseResult<List<String>> hosts(String text) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    Set<String> hosts = new LinkedHashSet<>();
    for (String item : ((ParseResult.Ok<List<String>>) items).value()) {
      ParseResult<String> h = Values.host(item);
      if (h instanceof ParseResult.Err<String> e) {
        return ParseResult.err(e.message());
      }
      hosts.add(((ParseResult.Ok<String>) h).value());
    }
    return ParseResult.ok(List.copyOf(hosts));
  }

  private static ParseResult<Map<String, String>> keyValues(String text, List<String> allowed) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    return Values.keyValues(text, ((ParseResult.Ok<List<String>>) items).value(), allowed);
  }

  /** Reads typed fields of a key=value map, remembering the first error. */
  private static final class Fields {
    private final Map<String, String> values;
    private String error;

    Fields(Map<String, String> values) {
      this.values = values;
    }

    Optional<String> error() {
      return Optional.ofNullable(error);
    }

    Duration positiveDuration(String key, Duration fallback) {
      return read(key, fallback, Values.positiveDuration(values.getOrDefault(key, "")));
    }

    Duration duration(String key) {
      return read(key, null, Values.duration(values.getOrDefault(key, "")));
    }

    int count(String key, int fallback, int min) {
      return read(
          key,
          fallback,
          Values.integer(values.getOrDefault(key, ""), min, Integer.MAX_VALUE).map(Long::intValue));
    }

    int percent(String key, int fallback) {
      return read(
          key, fallback, Values.integer(values.getOrDefault(key, ""), 0, 100).map(Long::intValue));
    }

    Optional<String> optionalHost(String key) {
      return values.containsKey(key)
          ? Optional.ofNullable(read(key, null, Values.plainHost(values.get(key))))
          : Optional.empty();
    }

    Optional<Integer> optionalCount(String key) {
      return optionalCount(key, 0);
    }

    Optional<Integer> optionalCount(String key, int min) {
      return values.containsKey(key) ? Optional.of(count(key, 0, min)) : Optional.empty();
    }

    Optional<Integer> optionalPercent(String key) {
      return values.containsKey(key) ? Optional.of(percent(key, 0)) : Optional.empty();
    }

    private <T> T read(String key, T fallback, ParseResult<T> parsed) {
      if (!values.containsKey(key)) {
        return fallback;
      }
      if (parsed instanceof ParseResult.Ok<T> ok) {
        return ok.value();
      }
      if (error == null) {
        error = key + ": " + ((ParseResult.Err<T>) parsed).message();
      }
      return fallback;
    }
  }

  /** {@code SERVICE=WEIGHT,...}: distinct DNS-label names, weights 0 to 10000, not all zero. */
  static ParseResult<TrafficSplit> split(String text) {
    ParseResult<List<String>> items = Values.list(text);
    if (items instanceof ParseResult.Err<List<String>> e) {
      return ParseResult.err(e.message());
    }
    List<String> list = ((ParseResult.Ok<List<String>>) items).value();
    if (list.size() > TrafficSplit.MAX_BACKENDS) {
      return ParseResult.err(
          list.size() + " backends; a split names at most " + TrafficSplit.MAX_BACKENDS);
    }
    java.util.TreeMap<String, Integer> backends = new java.util.TreeMap<>();
    for (String item : list) {
      int eq = item.indexOf('=');
      if (eq <= 0 || eq == item.length() - 1) {
        return ParseResult.err("'" + item + "' is not SERVICE=WEIGHT");
      }
      ParseResult<String> name = Values.dnsLabel(item.substring(0, eq));
      if (name instanceof ParseResult.Err<String> e) {
        return ParseResult.err("backend " + e.message());
      }
      ParseResult<Long> weight = Values.integer(item.substring(eq + 1), 0, TrafficSplit.MAX_WEIGHT);
      if (weight instanceof ParseResult.Err<Long> e) {
        return ParseResult.err("weight " + e.message());
      }
      String service = ((ParseResult.Ok<String>) name).value();
      if (backends.put(service, ((ParseResult.Ok<Long>) weight).value().intValue()) != null) {
        return ParseResult.err("backend '" + service + "' is named twice");
      }
    }
    if (backends.values().stream().mapToInt(Integer::intValue).sum() == 0) {
      return ParseResult.err("every weight is 0; at least one backend needs a positive weight");
    }
    List<TrafficSplit.Backend> out = new ArrayList<>();
    backends.forEach((k, v) -> out.add(new TrafficSplit.Backend(k, v)));
    return ParseResult.ok(new TrafficSplit(out, List.of()));
  }

  /**
   * Rules separated by {@code ;}, each {@code header:NAME=VALUE->SERVICE} or {@code
   * header:NAME->SERVICE} (present); {@code →} may stand for {@code ->}.
   */
  static ParseResult<List<TrafficSplit.Match>> splitMatch(String text) {
    List<TrafficSplit.Match> out = new ArrayList<>();
    String[] rules = text.replace("\u2192", "->").split(";", -1);
    if (rules.length > TrafficSplit.MAX_BACKENDS) {
      return ParseResult.err(
          rules.length + " rules; at most " + TrafficSplit.MAX_BACKENDS + " are allowed");
    }
    for (String raw : rules) {
      String rule = raw.trim();
      if (rule.isEmpty()) {
        return ParseResult.err("'" + text + "' has an empty rule");
      }
      int arrow = rule.lastIndexOf("->");
      if (arrow < 0) {
        return ParseResult.err("'" + rule + "' has no '->SERVICE'");
      }
      ParseResult<String> service = Values.dnsLabel(rule.substring(arrow + 2));
      if (service instanceof ParseResult.Err<String> e) {
        return ParseResult.err("target " + e.message());
      }
      String condition = rule.substring(0, arrow).trim();
      if (!condition.startsWith("header:")) {
        return ParseResult.err(
            "'" + condition + "' is not a condition; expected header:NAME or header:NAME=VALUE");
      }
      String body = condition.substring("header:".length());
      int eq = body.indexOf('=');
      ParseResult<String> header = Values.headerName(eq < 0 ? body : body.substring(0, eq));
      if (header instanceof ParseResult.Err<String> e) {
        return ParseResult.err(e.message());
      }
      Optional<String> value = Optional.empty();
      if (eq >= 0) {
        String v = body.substring(eq + 1).trim();
        if (v.isEmpty()
            || v.length() > Values.MAX_NAME_LENGTH
            || !v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
          return ParseResult.err(
              "header value '"
                  + v
                  + "' must be 1 to "
                  + Values.MAX_NAME_LENGTH
                  + " visible ASCII characters");
        }
        value = Optional.of(v);
      }
      String name = ((ParseResult.Ok<String>) header).value();
      if (name.startsWith(":") || name.equals("host")) {
        return ParseResult.err("'" + name + "' cannot be matched; use an ordinary request header");
      }
      out.add(new TrafficSplit.Match(name, value, ((ParseResult.Ok<String>) service).value()));
    }
    return ParseResult.ok(List.copyOf(out));
  }
}
