package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSession;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSessionPerRoute;
import io.envoyproxy.envoy.extensions.http.stateful_session.cookie.v3.CookieBasedSessionState;
import io.envoyproxy.envoy.extensions.http.stateful_session.header.v3.HeaderBasedSessionState;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.type.http.v3.Cookie;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.SessionPersistence;
import java.time.Duration;
import java.util.List;

/** The route to one Service port: hashing, retries, timeouts and sessions ride on it. */
final class RouteBuilder {

  private RouteBuilder() {}

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
