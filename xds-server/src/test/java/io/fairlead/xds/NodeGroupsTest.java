package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeGroupsTest {

  private static final Optional<String> NONE = Optional.empty();

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(node("envoy"), ctx(ProxyRole.SIDECAR, ClientKind.ENVOY)),
        Arguments.of(node("gRPC Java"), ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA)),
        Arguments.of(node("gRPC Node"), ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE)),
        // what @grpc/grpc-js-xds 1.14 sends (seen in GrpcNodeXdsClientTest)
        Arguments.of(node("gRPC Node Pure JS"), ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE)),
        Arguments.of(
            node("gRPC Node.js Javascript"), ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE)),
        Arguments.of(node("gRPC Go"), ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_OTHER)),
        Arguments.of(node("gRPC C-core"), ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_OTHER)),
        Arguments.of(
            node("envoy", "fairlead.io/role", "proxyless"),
            ctx(ProxyRole.PROXYLESS, ClientKind.ENVOY)),
        Arguments.of(
            node("gRPC Java", "fairlead.io/role", "proxyless"),
            ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA)),
        Arguments.of(
            node("envoy", "fairlead.io/role", "gateway"), ctx(ProxyRole.GATEWAY, ClientKind.ENVOY)),
        Arguments.of(
            node(
                "envoy",
                "fairlead.io/role",
                "Gateway",
                "fairlead.io/gateway",
                "public",
                "fairlead.io/gateway-port",
                "9443"),
            new ProxyContext(ProxyRole.GATEWAY, ClientKind.ENVOY, "public", 9443, NONE, NONE)),
        // The proxy's namespace, for export-to (under mTLS XdsIdentity has set it from the
        // certificate).
        Arguments.of(
            node("envoy", "fairlead.io/namespace", "shop"),
            new ProxyContext(
                ProxyRole.SIDECAR,
                ClientKind.ENVOY,
                ProxyContext.Gateway.DEFAULT,
                NONE,
                NONE,
                new java.util.TreeSet<>(),
                Optional.of("shop"))),
        Arguments.of(
            node("envoy", "fairlead.io/role", "gateway", "fairlead.io/namespace", "shop"),
            ctx(ProxyRole.GATEWAY, ClientKind.ENVOY)),
        // What sits in front of a gateway, and whether its Envoy build has the cookie clock fix.
        Arguments.of(
            node(
                "envoy",
                "fairlead.io/role",
                "gateway",
                "fairlead.io/xff-trusted-hops",
                "1",
                "fairlead.io/proxy-protocol",
                "true",
                "fairlead.io/session-cookie-wall-clock",
                "true"),
            new ProxyContext(
                ProxyRole.GATEWAY,
                ClientKind.ENVOY,
                new ProxyContext.Gateway("default", 8080, 1, true, true),
                NONE,
                NONE,
                new java.util.TreeSet<>())),
        // Gateway fields mean nothing to a sidecar: normalised away so sidecars share a group.
        Arguments.of(
            node(
                "envoy",
                "fairlead.io/role",
                "sidecar",
                "fairlead.io/xff-trusted-hops",
                "2",
                "fairlead.io/proxy-protocol",
                "true"),
            ctx(ProxyRole.SIDECAR, ClientKind.ENVOY)),
        Arguments.of(
            node(
                "envoy",
                "fairlead.io/role",
                "sidecar",
                "fairlead.io/gateway",
                "public",
                "fairlead.io/gateway-port",
                "9443"),
            ctx(ProxyRole.SIDECAR, ClientKind.ENVOY)),
        Arguments.of(
            node("envoy", "fairlead.io/zone", "zone-b", "fairlead.io/node", "worker-1"),
            new ProxyContext(
                ProxyRole.SIDECAR,
                ClientKind.ENVOY,
                "default",
                8080,
                Optional.of("zone-b"),
                Optional.of("worker-1"))),
        // Scoping: a sidecar sees only the namespaces it names; a gateway exposes by group.
        Arguments.of(
            node("envoy", "fairlead.io/visible-namespaces", "shop, payments,shop"),
            new ProxyContext(
                ProxyRole.SIDECAR,
                ClientKind.ENVOY,
                "default",
                8080,
                NONE,
                NONE,
                new java.util.TreeSet<>(java.util.List.of("payments", "shop")))),
        Arguments.of(
            node("envoy", "fairlead.io/role", "gateway", "fairlead.io/visible-namespaces", "shop"),
            ctx(ProxyRole.GATEWAY, ClientKind.ENVOY)));
  }

  @ParameterizedTest
  @MethodSource("table")
  void mapsNodesToGroups(Node node, ProxyContext expected) {
    NodeGroups.Resolution resolution = NodeGroups.resolve(node);
    assertThat(resolution.context()).isEqualTo(expected);
    assertThat(resolution.problems()).isEmpty();
    assertThat(new NodeGroups().hash(node)).isEqualTo(expected);
  }

  @Test
  void localityZoneWinsOverMetadata() {
    Node node =
        node("envoy", "fairlead.io/zone", "zone-b").toBuilder()
            .setLocality(Locality.newBuilder().setZone("zone-a"))
            .build();
    assertThat(new NodeGroups().hash(node).zone()).contains("zone-a");
  }

  @Test
  void badGatewayPortFallsBackToDefaultAndIsRecorded() {
    for (String bad : new String[] {"http", "0", "70000", "-1", ""}) {
      NodeGroups.Resolution resolution =
          NodeGroups.resolve(
              node("envoy", "fairlead.io/role", "gateway", "fairlead.io/gateway-port", bad));
      assertThat(resolution.context().gatewayPort()).as(bad).isEqualTo(8080);
      assertThat(resolution.problems())
          .as(bad)
          .singleElement()
          .asString()
          .contains("fairlead.io/gateway-port");
    }
  }

  @Test
  void numericGatewayPortIsAccepted() {
    Node node =
        node("envoy", "fairlead.io/role", "gateway").toBuilder()
            .setMetadata(
                Struct.newBuilder()
                    .putFields(
                        "fairlead.io/role", Value.newBuilder().setStringValue("gateway").build())
                    .putFields(
                        "fairlead.io/gateway-port",
                        Value.newBuilder().setNumberValue(8443).build()))
            .build();
    assertThat(NodeGroups.resolve(node).context().gatewayPort()).isEqualTo(8443);
    Node fractional =
        node.toBuilder()
            .setMetadata(
                node.getMetadata().toBuilder()
                    .putFields(
                        "fairlead.io/gateway-port",
                        Value.newBuilder().setNumberValue(80.5).build()))
            .build();
    assertThat(NodeGroups.resolve(fractional).context().gatewayPort()).isEqualTo(8080);
    assertThat(NodeGroups.resolve(fractional).problems()).hasSize(1);
  }

  @Test
  void badGatewayEdgeSettingsFallBackToADirectlyReachedGateway() {
    NodeGroups.Resolution r =
        NodeGroups.resolve(
            node(
                "envoy",
                "fairlead.io/role",
                "gateway",
                "fairlead.io/xff-trusted-hops",
                "11",
                "fairlead.io/proxy-protocol",
                "yes"));
    assertThat(r.context().gateway()).isEqualTo(ProxyContext.Gateway.DEFAULT);
    assertThat(r.problems())
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).contains("xff-trusted-hops", "0 to 10"))
        .anySatisfy(p -> assertThat(p).contains("proxy-protocol", "true or false"));
    assertThat(
            NodeGroups.label(
                NodeGroups.resolve(
                        node(
                            "envoy",
                            "fairlead.io/role",
                            "gateway",
                            "fairlead.io/xff-trusted-hops",
                            "1"))
                    .context()))
        .isEqualTo("gateway/envoy/default:8080,xff-hops=1");
  }

  @Test
  void unknownRoleFallsBackToInferredRole() {
    NodeGroups.Resolution resolution =
        NodeGroups.resolve(node("envoy", "fairlead.io/role", "mesh"));
    assertThat(resolution.context().role()).isEqualTo(ProxyRole.SIDECAR);
    assertThat(resolution.problems()).singleElement().asString().contains("\"mesh\"");
  }

  @Test
  void grpcClientCannotBeAGateway() {
    NodeGroups.Resolution resolution =
        NodeGroups.resolve(node("gRPC Java", "fairlead.io/role", "gateway"));
    assertThat(resolution.context()).isEqualTo(ctx(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA));
    assertThat(resolution.problems()).hasSize(1);
  }

  @Test
  void unknownUserAgentIsTreatedAsEnvoyAndRecorded() {
    NodeGroups.Resolution resolution = NodeGroups.resolve(node(""));
    assertThat(resolution.context()).isEqualTo(ctx(ProxyRole.SIDECAR, ClientKind.ENVOY));
    assertThat(resolution.problems()).singleElement().asString().contains("user_agent_name");
  }

  @Test
  void labelsAreShortAndDistinct() {
    assertThat(NodeGroups.label(ctx(ProxyRole.SIDECAR, ClientKind.ENVOY)))
        .isEqualTo("sidecar/envoy");
    assertThat(
            NodeGroups.label(
                new ProxyContext(
                    ProxyRole.GATEWAY,
                    ClientKind.ENVOY,
                    "public",
                    9443,
                    Optional.of("z1"),
                    Optional.of("n1"))))
        .isEqualTo("gateway/envoy/public:9443,zone=z1,node=n1");
  }

  @Test
  void aSidecarsDependenciesAndOnDemandJoinItsContextAndItsLabel() {
    NodeGroups.Resolution r =
        NodeGroups.resolve(
            node(
                "envoy",
                "fairlead.io/namespace",
                "shop",
                "fairlead.io/dependencies",
                "cart, payments/*,Bad",
                "fairlead.io/on-demand",
                "true"));
    assertThat(r.problems()).isEmpty();
    ProxyContext ctx = r.context();
    assertThat(ctx.onDemand()).isTrue();
    assertThat(ctx.dependencies()).isPresent();
    assertThat(ctx.dependencies().get().ownNamespaceServices()).containsExactly("cart");
    assertThat(ctx.dependencies().get().namespaces()).containsExactly("payments");
    assertThat(ctx.dependencies().get().rejected()).hasSize(1);
    assertThat(NodeGroups.label(ctx))
        .isEqualTo("sidecar/envoy,in=shop,dependencies=cart,payments/*+1-rejected,on-demand");
    // The same list written another way is the same group.
    assertThat(
            NodeGroups.resolve(
                    node(
                        "envoy",
                        "fairlead.io/namespace",
                        "shop",
                        "fairlead.io/dependencies",
                        "payments/*,cart,Bad,cart",
                        "fairlead.io/on-demand",
                        "true"))
                .context())
        .isEqualTo(ctx);
    assertThat(NodeGroups.resolve(node("envoy", "fairlead.io/namespace", "shop")).context())
        .isNotEqualTo(ctx);
  }

  @Test
  void gatewaysIgnoreDependenciesAndOnDemandWithAProblem() {
    NodeGroups.Resolution r =
        NodeGroups.resolve(
            node(
                "envoy",
                "fairlead.io/role",
                "gateway",
                "fairlead.io/dependencies",
                "cart",
                "fairlead.io/on-demand",
                "true"));
    assertThat(r.context()).isEqualTo(ctx(ProxyRole.GATEWAY, ClientKind.ENVOY));
    assertThat(r.problems()).hasSize(2).allMatch(p -> p.contains("applies to sidecars only"));
  }

  @Test
  void anOnDemandValueThatIsNotABooleanIsAProblem() {
    NodeGroups.Resolution r = NodeGroups.resolve(node("envoy", "fairlead.io/on-demand", "yes"));
    assertThat(r.context().onDemand()).isFalse();
    assertThat(r.problems()).singleElement().asString().contains("not true or false");
  }

  private static ProxyContext ctx(ProxyRole role, ClientKind client) {
    return ProxyContext.of(role, client);
  }

  static Node node(String userAgent, String... metadata) {
    Struct.Builder struct = Struct.newBuilder();
    for (int i = 0; i < metadata.length; i += 2) {
      struct.putFields(metadata[i], Value.newBuilder().setStringValue(metadata[i + 1]).build());
    }
    return Node.newBuilder()
        .setId("node-" + userAgent.hashCode())
        .setUserAgentName(userAgent)
        .setMetadata(struct)
        .build();
  }
}
