package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.LocalRateLimitDescriptor;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.XRateLimitHeadersRFCVersion;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSession;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.TokenBucket;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.Protocol;
import io.fairlead.policies.RateLimit;
import io.fairlead.policies.RateLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP filter chain of an HTTP connection manager. Optional filters are present only when a
 * route behind the manager needs them; routes switch them on through per-route config or metadata,
 * so one chain serves many Services on a gateway.
 */
final class HttpFilters {

  static final String LOCAL_RATE_LIMIT = "envoy.filters.http.local_ratelimit";
  static final String LUA = "envoy.filters.http.lua";
  static final String STATEFUL_SESSION = "envoy.filters.http.stateful_session";
  static final String ROUTER = "envoy.filters.http.router";

  /** The header the subnet-affinity script writes and masked source-IP routes hash on. */
  static final String SUBNET_HEADER = "x-fairlead-client-subnet";

  static final String SUBNET_SCRIPT = readScript();

  private HttpFilters() {}

  static List<HttpFilter> forPolicies(Collection<PortPolicy> policies, ClientAddress address) {
    List<HttpFilter> filters = new ArrayList<>();
    if (policies.stream().anyMatch(p -> rateLimit(p, address).isPresent())) {
      // First, so a limited request costs nothing else. Without a bucket it passes everything:
      // each limited route turns it on with its own per-route config.
      filters.add(
          HttpFilter.newBuilder()
              .setName(LOCAL_RATE_LIMIT)
              .setTypedConfig(
                  Any.pack(LocalRateLimit.newBuilder().setStatPrefix(RATE_LIMIT_STATS).build()))
              .build());
    }
    if (policies.stream().anyMatch(p -> needsSubnetHeader(p, address))) {
      filters.add(
          HttpFilter.newBuilder()
              .setName(LUA)
              .setTypedConfig(
                  Any.pack(
                      Lua.newBuilder()
                          .setDefaultSourceCode(
                              DataSource.newBuilder().setInlineString(SUBNET_SCRIPT))
                          .build()))
              .build());
    }
    if (policies.stream().anyMatch(p -> p.affinity().sessionPersistence().isPresent())) {
      // Empty here: each route that wants a session turns it on with its own per-route config.
      filters.add(
          HttpFilter.newBuilder()
              .setName(STATEFUL_SESSION)
              .setTypedConfig(Any.pack(StatefulSession.getDefaultInstance()))
              .build());
    }
    filters.add(router());
    return filters;
  }

  static HttpFilter router() {
    return HttpFilter.newBuilder()
        .setName(ROUTER)
        .setTypedConfig(Any.pack(Router.getDefaultInstance()))
        .build();
  }

  static final String RATE_LIMIT_STATS = "fairlead_rate_limit";

  /** How many client addresses a gateway route tracks at once, each with its own bucket. */
  static final int MAX_CLIENT_BUCKETS = 10_000;

  static final String REMOTE_ADDRESS = "remote_address";

  /**
   * The route's local rate limit config, when the port has a limit that applies here: the per-proxy
   * bucket everywhere, the per-client buckets on gateways only (whose client address is derived
   * with {@code use_remote_address}; a sidecar's clients are all its own pod).
   */
  static Optional<LocalRateLimit> rateLimit(PortPolicy p, ClientAddress address) {
    Optional<RateLimit> perProxy = p.traffic().rateLimits().flatMap(RateLimits::perProxy);
    Optional<RateLimit> perClient =
        p.traffic()
            .rateLimits()
            .flatMap(RateLimits::perClient)
            .filter(x -> address == ClientAddress.DERIVED);
    if (perProxy.isEmpty() && perClient.isEmpty()) {
      return Optional.empty();
    }
    FractionalPercent all =
        FractionalPercent.newBuilder()
            .setNumerator(100)
            .setDenominator(FractionalPercent.DenominatorType.HUNDRED)
            .build();
    LocalRateLimit.Builder config =
        LocalRateLimit.newBuilder()
            .setStatPrefix(RATE_LIMIT_STATS)
            // Absent, these make the filter count nothing and reject nothing.
            .setFilterEnabled(RuntimeFractionalPercent.newBuilder().setDefaultValue(all))
            .setFilterEnforced(RuntimeFractionalPercent.newBuilder().setDefaultValue(all))
            .setEnableXRatelimitHeaders(XRateLimitHeadersRFCVersion.DRAFT_VERSION_03)
            // gRPC callers see RESOURCE_EXHAUSTED rather than the UNAVAILABLE a 429 maps to.
            .setRateLimitedAsResourceExhausted(p.protocol() == Protocol.GRPC)
            // A per-route config must have a bucket: the port's, else the per-client one, which
            // then only meets requests without an IP address.
            .setTokenBucket(bucket(perProxy.orElseGet(perClient::orElseThrow)));
    perClient.ifPresent(
        c -> {
          config
              .addDescriptors(
                  LocalRateLimitDescriptor.newBuilder()
                      // An empty value is a wildcard: one bucket per distinct client address.
                      .addEntries(
                          RateLimitDescriptor.Entry.newBuilder()
                              .setKey(REMOTE_ADDRESS)
                              .setValue(""))
                      .setTokenBucket(bucket(c)))
              .setMaxDynamicDescriptors(Protos.uint32(MAX_CLIENT_BUCKETS))
              .addRateLimits(
                  io.envoyproxy.envoy.config.route.v3.RateLimit.newBuilder()
                      .addActions(
                          io.envoyproxy.envoy.config.route.v3.RateLimit.Action.newBuilder()
                              .setRemoteAddress(
                                  io.envoyproxy.envoy.config.route.v3.RateLimit.Action.RemoteAddress
                                      .getDefaultInstance())));
          if (perProxy.isEmpty()) {
            // The default bucket stands in for requests without an address only.
            config.setAlwaysConsumeDefaultTokenBucket(BoolValue.of(false));
          }
        });
    return Optional.of(config.build());
  }

  private static TokenBucket bucket(RateLimit r) {
    return TokenBucket.newBuilder()
        .setMaxTokens((int) r.burst())
        .setTokensPerFill(Protos.uint32(r.requests()))
        .setFillInterval(Protos.duration(r.unit().interval()))
        .build();
  }

  /**
   * Whether source-ip hashing goes through the script's header: for a subnet, which Envoy cannot
   * mask, and on sidecars, where Envoy's own source_ip would read X-Forwarded-For.
   */
  static boolean needsSubnetHeader(PortPolicy p, ClientAddress address) {
    return p.affinity().hashKeys().stream()
        .anyMatch(
            k ->
                k instanceof HashKey.SourceIp s && (s.isMasked() || address == ClientAddress.PEER));
  }

  private static String readScript() {
    try (InputStream in = HttpFilters.class.getResourceAsStream("subnet-affinity.lua")) {
      if (in == null) {
        throw new IllegalStateException("subnet-affinity.lua is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
