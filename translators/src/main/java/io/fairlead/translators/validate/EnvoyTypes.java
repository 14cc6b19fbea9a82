package io.fairlead.translators.validate;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.TypeRegistry;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.clusters.aggregate.v3.ClusterConfig;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.http.health_check.v3.HealthCheck;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.http.stateful_session.v3.StatefulSession;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.http.stateful_session.cookie.v3.CookieBasedSessionState;
import io.envoyproxy.envoy.extensions.http.stateful_session.header.v3.HeaderBasedSessionState;
import io.envoyproxy.envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin;
import io.envoyproxy.envoy.extensions.load_balancing_policies.cluster_provided.v3.ClusterProvided;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.pick_first.v3.PickFirst;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality;
import io.envoyproxy.envoy.extensions.regex_engines.v3.GoogleRE2;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.tcp.v3.TcpProtocolOptions;
import java.util.List;

/**
 * A type registry holding the extension types a Fairlead config may carry in {@code Any} fields. A
 * type missing here makes the validator report "unknown type URL": add it when a builder starts to
 * emit it. Adding a type also adds every type of its .proto file and of the files it imports.
 */
public final class EnvoyTypes {

  private static final List<Descriptor> TYPES =
      List.of(
          Bootstrap.getDescriptor(),
          HttpConnectionManager.getDescriptor(),
          TcpProxy.getDescriptor(),
          Router.getDescriptor(),
          StatefulSession.getDescriptor(),
          io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua.getDescriptor(),
          io.envoyproxy.envoy.extensions.filters.http.on_demand.v3.OnDemand.getDescriptor(),
          io.envoyproxy.envoy.extensions.resource_monitors.downstream_connections.v3
              .DownstreamConnectionsConfig.getDescriptor(),
          io.envoyproxy.envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig
              .getDescriptor(),
          CookieBasedSessionState.getDescriptor(),
          HeaderBasedSessionState.getDescriptor(),
          HealthCheck.getDescriptor(),
          Cors.getDescriptor(),
          HTTPFault.getDescriptor(),
          GrpcWeb.getDescriptor(),
          LocalRateLimit.getDescriptor(),
          io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig.getDescriptor(),
          RoundRobin.getDescriptor(),
          LeastRequest.getDescriptor(),
          Random.getDescriptor(),
          RingHash.getDescriptor(),
          Maglev.getDescriptor(),
          ClusterProvided.getDescriptor(),
          WrrLocality.getDescriptor(),
          ClientSideWeightedRoundRobin.getDescriptor(),
          PickFirst.getDescriptor(),
          HttpProtocolOptions.getDescriptor(),
          TcpProtocolOptions.getDescriptor(),
          ClusterConfig.getDescriptor(),
          PreviousHostsPredicate.getDescriptor(),
          UpstreamTlsContext.getDescriptor(),
          DownstreamTlsContext.getDescriptor(),
          RawBuffer.getDescriptor(),
          StdoutAccessLog.getDescriptor(),
          io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter
              .getDescriptor(),
          FileAccessLog.getDescriptor(),
          TlsInspector.getDescriptor(),
          io.envoyproxy.envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol
              .getDescriptor(),
          OriginalDst.getDescriptor(),
          HttpInspector.getDescriptor(),
          GoogleRE2.getDescriptor(),
          com.github.xds.type.v3.TypedStruct.getDescriptor(),
          com.github.udpa.udpa.type.v1.TypedStruct.getDescriptor());

  private static final TypeRegistry REGISTRY = build();

  private EnvoyTypes() {}

  public static TypeRegistry registry() {
    return REGISTRY;
  }

  private static TypeRegistry build() {
    TypeRegistry.Builder b = TypeRegistry.newBuilder();
    TYPES.forEach(b::add);
    return b.build();
  }
}
