package io.fairlead.translators.xds;

import com.google.protobuf.TypeRegistry;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSession;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSessionPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.http.stateful_session.cookie.v3.CookieBasedSessionState;
import io.envoyproxy.envoy.extensions.http.stateful_session.header.v3.HeaderBasedSessionState;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/** Every message type the translator packs into an Any, for JSON printing and validation. */
public final class XdsTypes {

  public static final TypeRegistry REGISTRY =
      TypeRegistry.newBuilder()
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(Listener.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(TcpProxy.getDescriptor())
          .add(Router.getDescriptor())
          .add(Lua.getDescriptor())
          .add(StatefulSession.getDescriptor())
          .add(StatefulSessionPerRoute.getDescriptor())
          .add(CookieBasedSessionState.getDescriptor())
          .add(HeaderBasedSessionState.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(RoundRobin.getDescriptor())
          .add(LeastRequest.getDescriptor())
          .add(Random.getDescriptor())
          .add(RingHash.getDescriptor())
          .add(Maglev.getDescriptor())
          .build();

  private XdsTypes() {}
}
