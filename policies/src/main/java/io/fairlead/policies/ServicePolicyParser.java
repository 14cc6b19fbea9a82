package io.fairlead.policies;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a Service's annotations and native fields into the effective policy of each port.
 *
 * <p>Precedence per setting: per-port annotation ({@code fairlead.io/KEY.PORTNAME}), Service
 * annotation, native Service field, default. An invalid value is an error diagnostic and that
 * setting falls through to the next source; the rest of the Service still applies.
 */
public final class ServicePolicyParser {

  /** No Fairlead annotation needs more; a longer value is refused before it is parsed. */
  public static final int MAX_VALUE_LENGTH = 2048;

  private ServicePolicyParser() {}

  public static ParsedService parse(
      ObjectRef object,
      Map<String, String> annotations,
      NativeFields nativeFields,
      List<PortSpec> ports) {
    Set<Diagnostic> diagnostics = new TreeSet<>();
    checkKeys(object, annotations, ports, diagnostics);
    List<PortPolicy> policies = new ArrayList<>();
    for (PortSpec port : ports) {
      Resolver r = new Resolver(object, annotations, port, diagnostics);
      policies.add(new PortParser(object, nativeFields, port, r, diagnostics).parse());
    }
    checkPortAffinity(object, policies, diagnostics);
    // Service-wide keys: resolved without a port name, so only the plain key is read.
    Resolver serviceWide =
        new Resolver(
            object, annotations, new PortSpec("", 0, "TCP", Optional.empty()), diagnostics);
    ExportTo exportTo =
        serviceWide
            .get(AnnotationRegistry.EXPORT_TO)
            .map(Resolved::value)
            .orElse(ExportTo.EVERYONE);
    return new ParsedService(List.copyOf(policies), exportTo, List.copyOf(diagnostics));
  }

  /** A subject of the Service as a whole. */
  private static Subject at(ObjectRef object, String key) {
    return Subject.of(object, key);
  }

  /** A subject of one port; an unnamed single port is named by its number. */
  private static Subject at(ObjectRef object, PortSpec port, String key) {
    return port.port() == 0 ? Subject.of(object, key) : Subject.of(object, port.label(), key);
  }

  /** Unknown keys and unknown port suffixes are warnings that name what was probably meant. */
  private static void checkKeys(
      ObjectRef object,
      Map<String, String> annotations,
      List<PortSpec> ports,
      Set<Diagnostic> out) {
    Set<String> portNames =
        ports.stream()
            .map(PortSpec::name)
            .filter(n -> !n.isEmpty())
            .collect(Collectors.toCollection(TreeSet::new));
    for (String key : new TreeSet<>(annotations.keySet())) {
      if (!key.startsWith(AnnotationRegistry.PREFIX)) {
        continue;
      }
      String rest = key.substring(AnnotationRegistry.PREFIX.length());
      int dot = rest.indexOf('.');
      String base = dot < 0 ? rest : rest.substring(0, dot);
      if (AnnotationRegistry.find(base).isEmpty()
          && AnnotationRegistry.podKeys().stream().anyMatch(k -> k.name().equals(base))) {
        out.add(
            Diagnostic.warning(
                Reason.NO_EFFECT,
                at(object, key),
                "a Pod annotation; on a Service it has no effect (annotate the Pods instead)"));
        continue;
      }
      if (AnnotationRegistry.find(base).isEmpty()) {
        out.add(
            Diagnostic.warning(
                Reason.UNKNOWN_ANNOTATION,
                at(object, key),
                "unknown annotation; did you mean "
                    + AnnotationRegistry.closest(base).fullName()
                    + "?"));
        continue;
      }
      if (dot >= 0
          && AnnotationRegistry.SERVICE_WIDE.contains(AnnotationRegistry.find(base).get())) {
        out.add(
            Diagnostic.warning(
                Reason.SERVICE_WIDE,
                at(object, key),
                "applies to the whole Service; use "
                    + AnnotationRegistry.PREFIX
                    + base
                    + "; ignored"));
        continue;
      }
      if (dot >= 0) {
        String port = rest.substring(dot + 1);
        if (!portNames.contains(port)) {
          out.add(
              Diagnostic.warning(
                  Reason.UNKNOWN_PORT,
                  at(object, key),
                  "no port named '"
                      + port
                      + "'; "
                      + (portNames.isEmpty()
                          ? "the Service has no named ports"
                          : "ports: " + String.join(", ", portNames))));
        }
      }
    }
  }

  /**
   * {@code port-affinity: all-ports} lands one client on one pod only if every port of the group
   * hashes the same key the same way. A subnet key on HTTP ports next to a TCP port (which can only
   * hash the whole address), or different keys or algorithms, split the client.
   */
  private static void checkPortAffinity(
      ObjectRef object, List<PortPolicy> policies, Set<Diagnostic> out) {
    List<PortPolicy> group = policies.stream().filter(p -> p.affinity().portAffinity()).toList();
    if (group.size() < 2) {
      return;
    }
    Set<Object> hashing = new java.util.HashSet<>();
    group.forEach(p -> hashing.add(List.of(p.balancing().algorithm(), p.affinity().hashKeys())));
    if (hashing.size() > 1) {
      StringBuilder ports = new StringBuilder();
      for (PortPolicy p : group) {
        ports
            .append(ports.length() == 0 ? "" : "; ")
            .append(p.port().label())
            .append(": ")
            .append(describeHashing(p));
      }
      out.add(
          Diagnostic.warning(
              Reason.CONFLICT,
              at(object, AnnotationRegistry.PORT_AFFINITY.fullName()),
              "the ports hash differently, so one client can reach different pods on different ports ("
                  + ports
                  + "); give them the same hash-on, lb-policy and source-ip-prefix (TCP ports hash the whole client address)"));
    }
  }

  private static String describeHashing(PortPolicy p) {
    LoadBalancing lb = p.balancing().algorithm();
    String algorithm =
        lb instanceof LoadBalancing.RingHash rh
            ? "ring-hash " + rh.minRingSize() + "-" + rh.maxRingSize()
            : lb instanceof LoadBalancing.Maglev m ? "maglev " + m.tableSize() : lb.keyword();
    return algorithm
        + " on "
        + p.affinity().hashKeys().stream().map(HashKey::describe).collect(Collectors.joining(","));
  }

  /**
   * One effective value and where it came from.
   *
   * @param annotation the setting it is the value of
   * @param key the annotation key as written (with its port suffix when per-port), for diagnostics
   */
  record Resolved<T>(T value, Provenance provenance, AnnotationKey<T> annotation, String key) {}

  /** Looks a key up per-port first, then Service-wide, reporting invalid values. */
  static final class Resolver {
    private final ObjectRef object;
    private final Map<String, String> annotations;
    private final PortSpec port;
    private final Set<Diagnostic> diagnostics;

    Resolver(
        ObjectRef object,
        Map<String, String> annotations,
        PortSpec port,
        Set<Diagnostic> diagnostics) {
      this.object = object;
      this.annotations = annotations;
      this.port = port;
      this.diagnostics = diagnostics;
    }

    private Subject at(String key) {
      return ServicePolicyParser.at(object, port, key);
    }

    <T> Optional<Resolved<T>> get(AnnotationKey<T> key) {
      if (!port.name().isEmpty()) {
        Optional<Resolved<T>> perPort =
            read(key, key.fullName() + "." + port.name(), Provenance.PORT_ANNOTATION);
        if (perPort.isPresent()) {
          return perPort;
        }
      }
      return read(key, key.fullName(), Provenance.ANNOTATION);
    }

    private <T> Optional<Resolved<T>> read(
        AnnotationKey<T> key, String fullKey, Provenance provenance) {
      String raw = annotations.get(fullKey);
      if (raw == null) {
        return Optional.empty();
      }
      ParseResult<T> parsed =
          raw.length() > MAX_VALUE_LENGTH
              ? ParseResult.err(
                  "the value is "
                      + raw.length()
                      + " characters long; at most "
                      + MAX_VALUE_LENGTH
                      + " are read")
              : key.parse(raw);
      if (parsed instanceof ParseResult.Ok<T> ok) {
        return Optional.of(new Resolved<>(ok.value(), provenance, key, fullKey));
      }
      diagnostics.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              at(fullKey),
              ((ParseResult.Err<T>) parsed).message() + "; using " + fallbackWords(provenance)));
      return Optional.empty();
    }

    private static String fallbackWords(Provenance p) {
      return p == Provenance.PORT_ANNOTATION ? "the Service-wide value or default" : "the default";
    }
  }

  /** Parses one port; cross-checks between settings live here. */
  private static final class PortParser {
    private final ObjectRef object;
    private final NativeFields nativeFields;
    private final PortSpec port;
    private final Resolver r;
    private final Set<Diagnostic> diagnostics;
    private final Map<AnnotationKey<?>, Provenance> provenance = new HashMap<>();

    /** hash-on as annotated, resolved once: both the keys and the lb-policy check read it. */
    private Optional<Resolved<List<HashKey>>> hashOn = Optional.empty();

    PortParser(
        ObjectRef object,
        NativeFields nativeFields,
        PortSpec port,
        Resolver r,
        Set<Diagnostic> diagnostics) {
      this.object = object;
      this.nativeFields = nativeFields;
      this.port = port;
      this.r = r;
      this.diagnostics = diagnostics;
    }

    private Subject at(String key) {
      return ServicePolicyParser.at(object, port, key);
    }

    PortPolicy parse() {
      Protocol protocol = protocol();
      List<HashKey> hashKeys = hashKeys(protocol);
      LoadBalancing lb = loadBalancing(hashKeys, protocol);
      if (!lb.isHashing()) {
        hashKeys = List.of();
      }
      boolean portAffinity =
          flag(AnnotationRegistry.PORT_AFFINITY, lb.isHashing(), "a hashing lb-policy");
      Optional<Integer> balance =
          onlyIf(AnnotationRegistry.HASH_BALANCE_FACTOR, lb.isHashing(), "a hashing lb-policy");
      Optional<SessionPersistence> persistence = sessionPersistence(protocol);
      Optional<SlowStart> slowStart = slowStart(lb);
      Optional<Duration> maxConn = value(AnnotationRegistry.MAX_CONNECTION_DURATION);
      Optional<HealthCheck> health = healthCheck(protocol);
      Optional<OutlierDetection> outlier = value(AnnotationRegistry.OUTLIER_DETECTION);
      Optional<CircuitBreakers> breakers = value(AnnotationRegistry.CIRCUIT_BREAKERS);
      Optional<RetryPolicy> retries =
          onlyIf(AnnotationRegistry.RETRIES, protocol.isHttp(), "an HTTP-family protocol");
      Optional<ConnectionPool> pool = connectionPool(protocol);
      Optional<Duration> timeout =
          onlyIf(AnnotationRegistry.TIMEOUT, protocol.isHttp(), "an HTTP-family protocol");
      Optional<GatewayExposure> gateway = gateway(protocol);
      Duration idleTimeout =
          value(AnnotationRegistry.IDLE_TIMEOUT).orElse(PortPolicy.DEFAULT_IDLE_TIMEOUT);
      int panicThreshold = value(AnnotationRegistry.PANIC_THRESHOLD).orElse(0);
      Optional<RateLimit> rateLimit =
          onlyIf(AnnotationRegistry.RATE_LIMIT, protocol.isHttp(), "an HTTP-family protocol");
      Optional<RateLimit> perClient =
          onlyIf(
              AnnotationRegistry.RATE_LIMIT_PER_CLIENT,
              protocol.isHttp() && gateway.isPresent(),
              protocol.isHttp()
                  ? "gateway exposure (fairlead.io/gateway-host, gateway-path or gateway): sidecars"
                      + " do not apply it"
                  : "an HTTP-family protocol");
      RateLimits limits = RateLimits.NONE.withPerProxy(rateLimit).withPerClient(perClient);
      Optional<AccessLog> accessLog = value(AnnotationRegistry.ACCESS_LOG);
      Optional<TrafficSplit> split = split(protocol, hashKeys);
      return new PortPolicy(
          port,
          protocol,
          PortPolicy.Balancing.of(lb)
              .withHashBalanceFactor(balance)
              .withSlowStart(slowStart.map(SlowStart::window))
              .withSlowStartCurve(
                  slowStart.flatMap(SlowStart::aggression),
                  slowStart.flatMap(SlowStart::minWeightPercent))
              .withPanicThreshold(Optional.of(panicThreshold)),
          PortPolicy.Affinity.NONE
              .withHashKeys(hashKeys)
              .withPortAffinity(portAffinity)
              .withSessionPersistence(persistence),
          PortPolicy.Resilience.NONE
              .withHealthCheck(health)
              .withOutlierDetection(outlier)
              .withCircuitBreakers(breakers)
              .withRetries(retries)
              .withConnectionPool(pool),
          PortPolicy.Timeouts.NONE
              .withRequest(timeout)
              .withIdle(Optional.of(idleTimeout))
              .withMaxConnectionDuration(maxConn),
          PortPolicy.Topology.ANY
              .withPreferClose(nativeFields.preferClose())
              .withNodeLocal(nativeFields.internalLocal())
              .withFailover(value(AnnotationRegistry.FAILOVER)),
          gateway,
          PortPolicy.Traffic.NONE
              .withRateLimits(limits.isEmpty() ? Optional.empty() : Optional.of(limits))
              .withAccessLog(accessLog)
              .withSplit(split),
          provenance);
    }

    /**
     * The split and its match rules (HTTP-family ports only: a tcp connection has no headers).
     * Whether the backends exist is decided against the other Services, when the model is built.
     */
    private Optional<TrafficSplit> split(Protocol protocol, List<HashKey> hashKeys) {
      Optional<Resolved<TrafficSplit>> split = r.get(AnnotationRegistry.SPLIT);
      Optional<Resolved<List<TrafficSplit.Match>>> matches = r.get(AnnotationRegistry.SPLIT_MATCH);
      if (split.isEmpty()) {
        matches.ifPresent(m -> unused(m.key(), AnnotationRegistry.SPLIT.fullName()));
        return Optional.empty();
      }
      if (!protocol.isHttp()) {
        matches.ifPresent(
            m -> unused(m.key(), "an HTTP-family protocol (a tcp connection has no headers)"));
        matches = Optional.empty();
        if (!hashKeys.isEmpty() && split.get().value().backends().size() > 1) {
          diagnostics.add(
              Diagnostic.warning(
                  Reason.NO_EFFECT,
                  at(split.get().key()),
                  "port "
                      + port.label()
                      + " is tcp: Envoy's tcp_proxy picks the split's backend at random per connection, so source-ip keeps a client on one endpoint of a version, not on one version"));
        }
      }
      TrafficSplit value = note(split.get());
      if (matches.isPresent()) {
        value = value.withMatches(note(matches.get()));
      }
      return Optional.of(value);
    }

    private Protocol protocol() {
      Optional<Resolved<Protocol>> annotated = r.get(AnnotationRegistry.PROTOCOL);
      if (annotated.isPresent()) {
        return note(annotated.get());
      }
      if (port.appProtocol().isPresent()) {
        Optional<Protocol> p = fromAppProtocol(port.appProtocol().get());
        if (p.isPresent()) {
          provenance.put(AnnotationRegistry.PROTOCOL, Provenance.NATIVE_FIELD);
          return p.get();
        }
        diagnostics.add(
            Diagnostic.info(
                Reason.NATIVE_FIELD,
                at("spec.ports[" + port.label() + "].appProtocol"),
                "appProtocol '"
                    + port.appProtocol().get()
                    + "' is not an HTTP family protocol; the port is proxied as tcp"));
        provenance.put(AnnotationRegistry.PROTOCOL, Provenance.NATIVE_FIELD);
        return Protocol.TCP;
      }
      Optional<Protocol> byName = fromPortName(port.name());
      if (byName.isPresent()) {
        provenance.put(AnnotationRegistry.PROTOCOL, Provenance.NATIVE_FIELD);
        return byName.get();
      }
      return Protocol.TCP;
    }

    private List<HashKey> hashKeys(Protocol protocol) {
      Optional<Resolved<List<HashKey>>> annotated = r.get(AnnotationRegistry.HASH_ON);
      hashOn = annotated;
      List<HashKey> keys;
      if (annotated.isPresent()) {
        keys = note(annotated.get());
      } else if (nativeFields.clientIpAffinity()) {
        keys = List.of(new HashKey.SourceIp(32, 128));
        provenance.put(AnnotationRegistry.HASH_ON, Provenance.NATIVE_FIELD);
      } else {
        keys = List.of();
      }
      keys = applyCookieSettings(keys);
      keys = applySourceIpPrefix(keys, protocol);
      if (!protocol.isHttp()) {
        List<HashKey> tcpKeys = keys.stream().filter(k -> k instanceof HashKey.SourceIp).toList();
        if (tcpKeys.size() != keys.size()) {
          diagnostics.add(
              Diagnostic.warning(
                  Reason.NO_EFFECT,
                  at(annotated.map(Resolved::key).orElse(AnnotationRegistry.HASH_ON.fullName())),
                  "port "
                      + port.label()
                      + " is tcp: only source-ip can be hashed there; the other keys are ignored"));
        }
        keys = tcpKeys;
      }
      return keys;
    }

    private List<HashKey> applyCookieSettings(List<HashKey> keys) {
      Optional<Resolved<Duration>> ttl = r.get(AnnotationRegistry.COOKIE_TTL);
      Optional<Resolved<String>> path = r.get(AnnotationRegistry.COOKIE_PATH);
      boolean hasCookie = keys.stream().anyMatch(k -> k instanceof HashKey.Cookie);
      if (!hasCookie) {
        ttl.ifPresent(t -> unused(t.key(), "a cookie hash key in hash-on"));
        path.ifPresent(p -> unused(p.key(), "a cookie hash key in hash-on"));
        return keys;
      }
      ttl.ifPresent(this::note);
      path.ifPresent(this::note);
      return keys.stream()
          .map(
              k ->
                  k instanceof HashKey.Cookie c
                      ? (HashKey)
                          new HashKey.Cookie(
                              c.name(),
                              ttl.map(Resolved::value).orElse(Duration.ZERO),
                              path.map(Resolved::value))
                      : k)
          .toList();
    }

    private List<HashKey> applySourceIpPrefix(List<HashKey> keys, Protocol protocol) {
      Optional<Resolved<SourceIpPrefix>> prefix = r.get(AnnotationRegistry.SOURCE_IP_PREFIX);
      if (prefix.isEmpty()) {
        return keys;
      }
      if (keys.stream().noneMatch(k -> k instanceof HashKey.SourceIp)) {
        unused(
            prefix.get().key(),
            "a source-ip hash key (hash-on source-ip or sessionAffinity: ClientIP)");
        return keys;
      }
      if (!protocol.isHttp()) {
        diagnostics.add(
            Diagnostic.warning(
                Reason.NO_EFFECT,
                at(prefix.get().key()),
                "port "
                    + port.label()
                    + " is tcp: Envoy's tcp_proxy hashes the whole client address, so subnet granularity cannot apply"));
        return keys;
      }
      SourceIpPrefix p = note(prefix.get());
      return keys.stream()
          .map(
              k ->
                  k instanceof HashKey.SourceIp
                      ? (HashKey) new HashKey.SourceIp(p.v4(), p.v6())
                      : k)
          .toList();
    }

    private LoadBalancing loadBalancing(List<HashKey> hashKeys, Protocol protocol) {
      Optional<Resolved<LbKind>> annotated = r.get(AnnotationRegistry.LB_POLICY);
      LbKind kind;
      if (annotated.isPresent()) {
        kind = note(annotated.get());
        if (!kind.hashing() && !hashKeys.isEmpty()) {
          if (provenance.get(AnnotationRegistry.HASH_ON) == Provenance.NATIVE_FIELD) {
            diagnostics.add(
                Diagnostic.warning(
                    Reason.CONFLICT,
                    at(annotated.get().key()),
                    "lb-policy "
                        + kind.keyword()
                        + " overrides sessionAffinity: ClientIP; requests are not pinned"));
          } else {
            diagnostics.add(
                Diagnostic.error(
                    Reason.CONFLICT,
                    at(hashOn.map(Resolved::key).orElse(AnnotationRegistry.HASH_ON.fullName())),
                    "hash-on needs a hashing lb-policy (ring-hash or maglev), but port "
                        + port.label()
                        + " uses "
                        + kind.keyword()
                        + "; ignored"));
          }
          provenance.remove(AnnotationRegistry.HASH_ON);
        }
        if (kind == LbKind.WEIGHTED_ROUND_ROBIN && !protocol.isHttp()) {
          diagnostics.add(
              Diagnostic.warning(
                  Reason.NO_EFFECT,
                  at(annotated.get().key()),
                  "port "
                      + port.label()
                      + " is tcp: weighted-round-robin weighs endpoints by the load reports they attach to responses, which a tcp connection does not carry; round-robin is used"));
          kind = LbKind.ROUND_ROBIN;
        }
      } else if (!hashKeys.isEmpty()) {
        kind = LbKind.RING_HASH;
        provenance.put(AnnotationRegistry.LB_POLICY, provenance.get(AnnotationRegistry.HASH_ON));
      } else {
        kind = LbKind.ROUND_ROBIN;
      }
      Optional<RingSize> ring =
          onlyIf(AnnotationRegistry.RING_SIZE, kind == LbKind.RING_HASH, "lb-policy ring-hash");
      Optional<Long> table =
          onlyIf(AnnotationRegistry.MAGLEV_TABLE_SIZE, kind == LbKind.MAGLEV, "lb-policy maglev");
      Optional<Integer> choices =
          onlyIf(
              AnnotationRegistry.LEAST_REQUEST_CHOICES,
              kind == LbKind.LEAST_REQUEST,
              "lb-policy least-request");
      Optional<WrrTuning> wrr =
          onlyIf(
              AnnotationRegistry.WEIGHTED_ROUND_ROBIN,
              kind == LbKind.WEIGHTED_ROUND_ROBIN,
              "lb-policy weighted-round-robin");
      return switch (kind) {
        case ROUND_ROBIN -> new LoadBalancing.RoundRobin();
        case WEIGHTED_ROUND_ROBIN ->
            new LoadBalancing.WeightedRoundRobin(wrr.orElse(WrrTuning.DEFAULTS));
        case LEAST_REQUEST ->
            new LoadBalancing.LeastRequest(
                choices.orElse(LoadBalancing.DEFAULT_LEAST_REQUEST_CHOICES));
        case RANDOM -> new LoadBalancing.Random();
        case RING_HASH ->
            ring.map(s -> new LoadBalancing.RingHash(s.min(), s.max()))
                .orElse(
                    new LoadBalancing.RingHash(
                        LoadBalancing.DEFAULT_RING_MIN, LoadBalancing.DEFAULT_RING_MAX));
        case MAGLEV -> new LoadBalancing.Maglev(table.orElse(LoadBalancing.DEFAULT_MAGLEV_TABLE));
      };
    }

    private Optional<SessionPersistence> sessionPersistence(Protocol protocol) {
      Optional<Resolved<SessionPersistence>> sp = r.get(AnnotationRegistry.SESSION_PERSISTENCE);
      Optional<Resolved<Duration>> timeout = r.get(AnnotationRegistry.PERSISTENCE_TIMEOUT);
      if (sp.isPresent() && !protocol.isHttp()) {
        diagnostics.add(
            Diagnostic.error(
                Reason.CONFLICT,
                at(sp.get().key()),
                "port "
                    + port.label()
                    + " is tcp: session persistence needs an HTTP-family protocol; ignored"));
        sp = Optional.empty();
      }
      if (sp.isEmpty()) {
        timeout.ifPresent(t -> unused(t.key(), "session-persistence"));
        return Optional.empty();
      }
      SessionPersistence value = note(sp.get());
      if (timeout.isPresent()) {
        if (value instanceof SessionPersistence.Cookie c) {
          value = new SessionPersistence.Cookie(c.name(), note(timeout.get()), c.path());
        } else {
          unused(
              timeout.get().key(), "cookie session persistence (a header session has no lifetime)");
        }
      }
      return Optional.of(value);
    }

    private Optional<SlowStart> slowStart(LoadBalancing lb) {
      Optional<Resolved<SlowStart>> ss = r.get(AnnotationRegistry.SLOW_START);
      if (ss.isPresent()
          && !(lb instanceof LoadBalancing.RoundRobin
              || lb instanceof LoadBalancing.LeastRequest)) {
        diagnostics.add(
            Diagnostic.error(
                Reason.CONFLICT,
                at(ss.get().key()),
                "slow-start works with round-robin and least-request only, but port "
                    + port.label()
                    + " uses "
                    + lb.keyword()
                    + "; ignored"));
        return Optional.empty();
      }
      return ss.map(this::note);
    }

    /** HTTP-family ports only; max-concurrent-streams needs HTTP/2 to the endpoints. */
    private Optional<ConnectionPool> connectionPool(Protocol protocol) {
      Optional<ConnectionPool> pool =
          onlyIf(AnnotationRegistry.CONNECTION_POOL, protocol.isHttp(), "an HTTP-family protocol");
      if (pool.isPresent()
          && pool.get().maxConcurrentStreams().isPresent()
          && !protocol.isHttp2()) {
        diagnostics.add(
            Diagnostic.warning(
                Reason.NO_EFFECT,
                at(r.get(AnnotationRegistry.CONNECTION_POOL).map(Resolved::key).orElseThrow()),
                "max-concurrent-streams has no effect on port "
                    + port.label()
                    + ", which speaks HTTP/1 to its endpoints (one request per connection); ignored"));
        return Optional.of(pool.get().withoutMaxConcurrentStreams()).filter(c -> !c.isEmpty());
      }
      return pool;
    }

    /** Envoy speaks gRPC health checking over HTTP/2 only. */
    private Optional<HealthCheck> healthCheck(Protocol protocol) {
      Optional<Resolved<HealthCheck>> hc = r.get(AnnotationRegistry.HEALTH_CHECK);
      if (hc.isPresent()
          && hc.get().value().kind() == HealthCheck.Kind.GRPC
          && !protocol.isHttp2()) {
        diagnostics.add(
            Diagnostic.error(
                Reason.CONFLICT,
                at(hc.get().key()),
                "grpc health checks need an http2 or grpc port, but port "
                    + port.label()
                    + " is "
                    + protocol.name().toLowerCase(Locale.ROOT)
                    + "; ignored"));
        return Optional.empty();
      }
      return hc.map(this::note);
    }

    private Optional<GatewayExposure> gateway(Protocol protocol) {
      Optional<Resolved<List<String>>> hosts = r.get(AnnotationRegistry.GATEWAY_HOST);
      Optional<Resolved<String>> path = r.get(AnnotationRegistry.GATEWAY_PATH);
      Optional<Resolved<String>> group = r.get(AnnotationRegistry.GATEWAY);
      if (hosts.isEmpty() && path.isEmpty() && group.isEmpty()) {
        return Optional.empty();
      }
      if (!protocol.isHttp()) {
        String key =
            hosts
                .map(Resolved::key)
                .or(() -> path.map(Resolved::key))
                .orElseGet(() -> group.get().key());
        diagnostics.add(
            Diagnostic.warning(
                Reason.NO_EFFECT,
                at(key),
                "port "
                    + port.label()
                    + " is tcp: gateways expose HTTP-family ports only; not exposed"));
        return Optional.empty();
      }
      return Optional.of(
          new GatewayExposure(
              hosts.map(this::note).orElse(List.of("*")),
              path.map(this::note).orElse("/"),
              group.map(this::note).orElse(GatewayExposure.DEFAULT_GROUP)));
    }

    private <T> Optional<T> value(AnnotationKey<T> key) {
      return r.get(key).map(this::note);
    }

    private boolean flag(AnnotationKey<Boolean> key, boolean applies, String needs) {
      return onlyIf(key, applies, needs).orElse(false);
    }

    /** The value when it applies to this port; otherwise a warning that it is ignored. */
    private <T> Optional<T> onlyIf(AnnotationKey<T> key, boolean applies, String needs) {
      Optional<Resolved<T>> v = r.get(key);
      if (v.isPresent() && !applies) {
        unused(v.get().key(), needs);
        return Optional.empty();
      }
      return v.map(this::note);
    }

    private void unused(String key, String needs) {
      diagnostics.add(
          Diagnostic.warning(
              Reason.NO_EFFECT,
              at(key),
              "has no effect on port " + port.label() + " without " + needs + "; ignored"));
    }

    private <T> T note(Resolved<T> resolved) {
      provenance.put(resolved.annotation(), resolved.provenance());
      return resolved.value();
    }
  }

  static Optional<Protocol> fromAppProtocol(String appProtocol) {
    return switch (appProtocol.toLowerCase(Locale.ROOT)) {
      case "http", "http1", "http/1.1", "kubernetes.io/ws", "grpc-web" ->
          Optional.of(Protocol.HTTP);
      case "http2", "h2c", "kubernetes.io/h2c" -> Optional.of(Protocol.HTTP2);
      case "grpc" -> Optional.of(Protocol.GRPC);
      case "tcp" -> Optional.of(Protocol.TCP);
      default -> Optional.empty();
    };
  }

  static Optional<Protocol> fromPortName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (var e :
        List.of(
            Map.entry("grpc", Protocol.GRPC),
            Map.entry("http2", Protocol.HTTP2),
            Map.entry("h2c", Protocol.HTTP2),
            Map.entry("http", Protocol.HTTP))) {
      if (n.equals(e.getKey()) || n.startsWith(e.getKey() + "-")) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }
}
