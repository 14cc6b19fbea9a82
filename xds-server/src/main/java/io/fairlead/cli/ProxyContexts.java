package io.fairlead.cli;

import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Builds a proxy context from command-line words, with one-line errors. */
final class ProxyContexts {
  private ProxyContexts() {}

  static ProxyContext parse(
      String role, String client, String gateway, int gatewayPort, String zone, String node, List<String> namespaces) {
    ProxyRole r =
        ProxyRole.parse(role)
            .orElseThrow(() -> new IllegalArgumentException("--role must be sidecar, gateway or proxyless, not '" + role + "'"));
    ClientKind c =
        client == null
            ? (r == ProxyRole.PROXYLESS ? ClientKind.GRPC_JAVA : ClientKind.ENVOY)
            : ClientKind.parse(client)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "--client must be one of "
                                + Arrays.stream(ClientKind.values()).map(ClientKind::label).collect(Collectors.joining(", "))
                                + ", not '"
                                + client
                                + "'"));
    if (r == ProxyRole.PROXYLESS && !c.isGrpc()) {
      throw new IllegalArgumentException("--role proxyless is for gRPC clients; use --client grpc-java or grpc-node");
    }
    if (r != ProxyRole.PROXYLESS && c.isGrpc()) {
      throw new IllegalArgumentException("--role " + r.label() + " is an Envoy role; gRPC clients are --role proxyless");
    }
    if (gatewayPort < 1 || gatewayPort > 65535) {
      throw new IllegalArgumentException("--gateway-port must be 1 to 65535");
    }
    if (namespaces != null && r == ProxyRole.GATEWAY) {
      throw new IllegalArgumentException("--visible-namespaces applies to sidecar and proxyless; gateways expose by group");
    }
    return new ProxyContext(
        r, c, gateway, gatewayPort, Optional.ofNullable(zone), Optional.ofNullable(node),
        new TreeSet<>(namespaces == null ? List.of() : namespaces));
  }
}
