package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSession;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.PortPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The HTTP filter chain of an HTTP connection manager. Optional filters are present only when a
 * route behind the manager needs them; routes switch them on through per-route config or metadata,
 * so one chain serves many Services on a gateway.
 */
final class HttpFilters {

  static final String LUA = "envoy.filters.http.lua";
  static final String STATEFUL_SESSION = "envoy.filters.http.stateful_session";
  static final String ROUTER = "envoy.filters.http.router";

  /** The header the subnet-affinity script writes and masked source-IP routes hash on. */
  static final String SUBNET_HEADER = "x-fairlead-client-subnet";

  static final String SUBNET_SCRIPT = readScript();

  private HttpFilters() {}

  static List<HttpFilter> forPolicies(Collection<PortPolicy> policies, ClientAddress address) {
    List<HttpFilter> filters = new ArrayList<>();
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
