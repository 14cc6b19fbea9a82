package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSession;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSessionPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.http.stateful_session.cookie.v3.CookieBasedSessionState;
import io.envoyproxy.envoy.extensions.http.stateful_session.header.v3.HeaderBasedSessionState;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.type.http.v3.Cookie;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.SessionPersistence;
import io.fairlead.translators.model.SplitTargets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The route to one Service port: hashing, retries, timeouts and sessions ride on it. */
final class RouteBuilder {

  private RouteBuilder() {}

  /** Split weights are scaled to this total (see envoy-semantics.md#split-weights). */
  static final int SPLIT_TOTAL_WEIGHT = 10_000;

  /**
   * {@code WeightedCluster.use_hash_policy}: field 5 of {@code
   * envoy.config.route.v3.WeightedCluster} (Envoy 1.36+), a {@code BoolValue}. java-control-plane
   * 1.0.49's API predates it, so it is written as an unknown field, which Envoy builds before 1.36
   * ignore.
   */
  static final int USE_HASH_POLICY_FIELD = 5;

  /**
   * The routes of one Service port: one per split-match rule, then the port's own route, which
   * splits over the backends when the port has a split.
   */
  static List<Route> routes(
      String name,
      String cluster,
      String prefix,
      PortPolicy p,
      Optional<SplitTargets> split,
      ClientCapabilities.Dialect dialect,
      ClientAddress address) {
    Route main = build(name, cluster, prefix, p, dialect, address);
    if (split.isEmpty()) {
      return List.of(main);
    }
    List<Route> out = new ArrayList<>();
    List<SplitTargets.MatchTarget> matches = split.get().matches();
    for (int i = 0; i < matches.size(); i++) {
      SplitTargets.MatchTarget m = matches.get(i);
      Route r =
          build(
              name + "/split-match-" + i,
              ResourceNames.cluster(m.service(), m.port().port()),
              prefix,
              p,
              dialect,
              address);
      HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(m.rule().header());
      if (m.rule().value().isPresent()) {
        h.setStringMatch(StringMatcher.newBuilder().setExact(m.rule().value().get()));
      } else {
        h.setPresentMatch(true);
      }
      out.add(r.toBuilder().setMatch(r.getMatch().toBuilder().addHeaders(h)).build());
    }
    RouteAction.Builder action = main.getRoute().toBuilder().clearCluster();
    action.setWeightedClusters(weightedClusters(split.get(), p, dialect));
    out.add(main.toBuilder().setRoute(action).build());
    return out;
  }

  /**
   * The backends in name order, weights scaled to {@link #SPLIT_TOTAL_WEIGHT} by largest remainder:
   * Envoy picks {@code value % total} in cumulative ranges, so a fixed order and total make a
   * weight change move only the keys that must move.
   */
  static WeightedCluster weightedClusters(
      SplitTargets split, PortPolicy p, ClientCapabilities.Dialect dialect) {
    List<SplitTargets.Backend> backends = split.backends();
    int[] scaled = scale(backends.stream().mapToInt(SplitTargets.Backend::weight).toArray());
    WeightedCluster.Builder wc = WeightedCluster.newBuilder();
    for (int i = 0; i < backends.size(); i++) {
      if (scaled[i] == 0) {
        continue;
      }
      SplitTargets.Backend b = backends.get(i);
      wc.addClusters(
          WeightedCluster.ClusterWeight.newBuilder()
              .setName(ResourceNames.cluster(b.service(), b.port().port()))
              .setWeight(UInt32Value.of(scaled[i])));
    }
    if (dialect.weightedClusterHashing() && !p.affinity().hashKeys().isEmpty()) {
      wc.setUnknownFields(
          UnknownFieldSet.newBuilder()
              .addField(
                  USE_HASH_POLICY_FIELD,
                  UnknownFieldSet.Field.newBuilder()
                      .addLengthDelimited(BoolValue.of(true).toByteString())
                      .build())
              .build());
    }
    return wc.build();
  }

  /**
   * A tcp port's split: the same names, order and scaled weights as an HTTP route's, for tcp_proxy,
   * which picks per connection at random (see envoy-semantics.md#split-tcp).
   */
  static TcpProxy.WeightedCluster tcpWeightedClusters(SplitTargets split) {
    TcpProxy.WeightedCluster.Builder wc = TcpProxy.WeightedCluster.newBuilder();
    List<SplitTargets.Backend> backends = split.backends();
    int[] scaled = scale(backends.stream().mapToInt(SplitTargets.Backend::weight).toArray());
    for (int i = 0; i < backends.size(); i++) {
      if (scaled[i] > 0) {
        SplitTargets.Backend b = backends.get(i);
        wc.addClusters(
            TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                .setName(ResourceNames.cluster(b.service(), b.port().port()))
                .setWeight(scaled[i]));
      }
    }
    return wc.build();
  }

  /**
   * Weights scaled to {@link #SPLIT_TOTAL_WEIGHT}, rounding by largest remainder, ties by order.
   */
  static int[] scale(int[] weights) {
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    int[] out = new int[weights.length];
    long[] remainders = new long[weights.length];
    int given = 0;
    for (int i = 0; i < weights.length; i++) {
      long exact = (long) weights[i] * SPLIT_TOTAL_WEIGHT;
      out[i] = (int) (exact / total);
      remainders[i] = exact % total;
      given += out[i];
    }
    for (int left = SPLIT_TOTAL_WEIGHT - given; left > 0; left--) {
      int best = -1;
      for (int i = 0; i < weights.length; i++) {
        if (weights[i] > 0 && (best < 0 || remainders[i] > remainders[best])) {
          best = i;
        }
      }
      out[best]++;
      remainders[best] = -1;
    }
    return out;
  }

  static Route build(
      String name,
      String cluster,
      String prefix,
      PortPolicy p,
      ClientCapabilities.Dialect dialect,
      ClientAddress address) {
    RouteAction.Builder action = RouteAction.newBuilder().setCluster(cluster);
    List<HashKey> keys = p.affinity().hashKeys();
    for (int i = 0; i < keys.size(); i++) {
      // Envoy and gRPC (gRFC A42) combine every policy that yields a hash unless one is terminal:
      // "the first key that yields a value" needs terminal on all but the last.
      action.addHashPolicy(
          hashPolicy(keys.get(i), dialect, address).toBuilder().setTerminal(i < keys.size() - 1));
    }
    p.resilience().retries().ifPresent(r -> action.setRetryPolicy(retryPolicy(r, dialect)));
    // Replaces the connection manager's 5-minute stream_idle_timeout for this route's streams.
    p.timeouts().idle().ifPresent(t -> action.setIdleTimeout(Protos.duration(t)));
    if (dialect.timeoutAsMaxStreamDuration()) {
      p.timeouts()
          .request()
          .ifPresent(
              t ->
                  action.setMaxStreamDuration(
                      RouteAction.MaxStreamDuration.newBuilder()
                          .setMaxStreamDuration(Protos.duration(t))));
    } else if (p.timeouts().request().isPresent()) {
      action.setTimeout(Protos.duration(p.timeouts().request().get()));
    } else if (p.protocol().isHttp2()) {
      // Long-lived gRPC and HTTP/2 streams must not be cut by Envoy's 15s default.
      action.setTimeout(Protos.duration(Duration.ZERO));
    }
    Route.Builder route = Route.newBuilder().setName(name).setMatch(match(prefix)).setRoute(action);
    if (dialect.httpFilters()) {
      p.affinity()
          .sessionPersistence()
          .ifPresent(
              s ->
                  route.putTypedPerFilterConfig(
                      HttpFilters.STATEFUL_SESSION, Any.pack(session(s))));
      HttpFilters.rateLimit(p, address)
          .ifPresent(
              limit ->
                  route.putTypedPerFilterConfig(HttpFilters.LOCAL_RATE_LIMIT, Any.pack(limit)));
      if (HttpFilters.needsSubnetHeader(p, address)) {
        route.setMetadata(subnetMetadata(p, address));
      }
    }
    return route.build();
  }

  /** {@code /api} matches {@code /api} and {@code /api/...}, not {@code /apiary}. */
  private static RouteMatch match(String prefix) {
    RouteMatch.Builder m = RouteMatch.newBuilder();
    return prefix.isEmpty() || prefix.endsWith("/")
        ? m.setPrefix(prefix).build()
        : m.setPathSeparatedPrefix(prefix).build();
  }

  private static RouteAction.HashPolicy hashPolicy(
      HashKey k, ClientCapabilities.Dialect dialect, ClientAddress address) {
    RouteAction.HashPolicy.Builder h = RouteAction.HashPolicy.newBuilder();
    if (k instanceof HashKey.Header header) {
      h.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(header.name()));
    } else if (k instanceof HashKey.Cookie c) {
      RouteAction.HashPolicy.Cookie.Builder cookie =
          RouteAction.HashPolicy.Cookie.newBuilder()
              .setName(c.name())
              .setTtl(Protos.duration(c.ttl()));
      c.path().ifPresent(cookie::setPath);
      h.setCookie(cookie);
    } else if (k instanceof HashKey.SourceIp s
        && (s.isMasked() || address == ClientAddress.PEER)
        && dialect.httpFilters()) {
      h.setHeader(
          RouteAction.HashPolicy.Header.newBuilder().setHeaderName(HttpFilters.SUBNET_HEADER));
    } else if (k instanceof HashKey.SourceIp) {
      h.setConnectionProperties(
          RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
    } else if (k instanceof HashKey.Query q) {
      h.setQueryParameter(RouteAction.HashPolicy.QueryParameter.newBuilder().setName(q.name()));
    } else {
      h.setFilterState(
          RouteAction.HashPolicy.FilterState.newBuilder().setKey("io.grpc.channel_id"));
    }
    return h.build();
  }

  /** How many hosts Envoy may try per retry to find one not tried before. */
  static final int HOST_SELECTION_ATTEMPTS = 5;

  static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";

  private static RetryPolicy retryPolicy(
      io.fairlead.policies.RetryPolicy r, ClientCapabilities.Dialect dialect) {
    RetryPolicy.Builder b =
        RetryPolicy.newBuilder()
            .setRetryOn(String.join(",", r.on()))
            .setNumRetries(Protos.uint32(r.attempts()));
    r.perTryTimeout().ifPresent(t -> b.setPerTryTimeout(Protos.duration(t)));
    r.backoff()
        .ifPresent(
            o ->
                b.setRetryBackOff(
                    RetryPolicy.RetryBackOff.newBuilder()
                        .setBaseInterval(Protos.duration(o.base()))
                        .setMaxInterval(Protos.duration(o.max()))));
    r.retriableStatusCodes()
        .ifPresent(
            codes -> {
              // Envoy reads the list only under this condition (RetryStateImpl).
              b.setRetryOn(
                  b.getRetryOn() + "," + io.fairlead.policies.RetryPolicy.RETRIABLE_STATUS_CODES);
              codes.forEach(b::addRetriableStatusCodes);
            });
    if (dialect.retryHostPredicates() && r.avoidsTriedHosts()) {
      // A retry goes to another endpoint, also when the key hashes to the one that failed.
      b.addRetryHostPredicate(
              RetryPolicy.RetryHostPredicate.newBuilder()
                  .setName(PREVIOUS_HOSTS)
                  .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())))
          .setHostSelectionRetryMaxAttempts(HOST_SELECTION_ATTEMPTS);
    }
    return b.build();
  }

  private static StatefulSessionPerRoute session(SessionPersistence s) {
    var state =
        s instanceof SessionPersistence.Cookie c
            ? Protos.extension(
                "envoy.http.stateful_session.cookie",
                CookieBasedSessionState.newBuilder()
                    .setCookie(
                        Cookie.newBuilder()
                            .setName(c.name())
                            .setPath(c.path())
                            .setTtl(Protos.duration(c.ttl())))
                    .build())
            : Protos.extension(
                "envoy.http.stateful_session.header",
                HeaderBasedSessionState.newBuilder().setName(s.name()).build());
    // strict=false: when the named endpoint is gone the request is balanced again.
    return StatefulSessionPerRoute.newBuilder()
        .setStatefulSession(StatefulSession.newBuilder().setSessionState(state).setStrict(false))
        .build();
  }

  private static Metadata subnetMetadata(PortPolicy p, ClientAddress address) {
    HashKey.SourceIp s =
        p.affinity().hashKeys().stream()
            .filter(HashKey.SourceIp.class::isInstance)
            .map(HashKey.SourceIp.class::cast)
            .findFirst()
            .orElseThrow();
    Struct fields =
        Struct.newBuilder()
            .putFields(
                "source_ip_prefix_v4", Value.newBuilder().setNumberValue(s.prefixV4()).build())
            .putFields(
                "source_ip_prefix_v6", Value.newBuilder().setNumberValue(s.prefixV6()).build())
            .putFields(
                "client_address", Value.newBuilder().setStringValue(address.scriptName()).build())
            .build();
    return Metadata.newBuilder().putFilterMetadata(HttpFilters.LUA, fields).build();
  }
}
