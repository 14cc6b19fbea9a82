package io.fairlead.cli;

import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.bootstrap.BootstrapParams;
import java.util.Arrays;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Builds a proxy context from command-line words, with one-line errors. */
final class ProxyContexts {
  private ProxyContexts() {}

  static ProxyContext.Gateway gateway(
      String group, int port, int xffTrustedHops, boolean proxyProtocol, boolean sessionCookieWallClock) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--gateway-port must be 1 to 65535");
    }
    if (xffTrustedHops < 0 || xffTrustedHops > BootstrapParams.MAX_XFF_TRUSTED_HOPS) {
      throw new IllegalArgumentException("--xff-trusted-hops must be 0 to " + BootstrapParams.MAX_XFF_TRUSTED_HOPS);
    }
    return new ProxyContext.Gateway(group, port, xffTrustedHops, proxyProtocol, sessionCookieWallClock);
  }

  static ProxyContext parse(
      String role,
      String client,
      ProxyContext.Gateway gateway,
      String zone,
      String node,
      List<String> namespaces,
      String proxyNamespace) {
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
    if (r != ProxyRole.GATEWAY && !gateway.equals(ProxyContext.Gateway.of(gateway.group(), gateway.port()))) {
      throw new IllegalArgumentException("--xff-trusted-hops, --proxy-protocol and --session-cookie-wall-clock apply to the gateway role");
    }
    if (namespaces != null && r == ProxyRole.GATEWAY) {
      throw new IllegalArgumentException("--visible-namespaces applies to sidecar and proxyless; gateways expose by group");
    }
    if (proxyNamespace != null && r == ProxyRole.GATEWAY) {
      throw new IllegalArgumentException("--proxy-namespace applies to sidecar and proxyless; gateways expose by group");
    }
    return new ProxyContext(
        r, c, r == ProxyRole.GATEWAY ? gateway : ProxyContext.Gateway.DEFAULT, Optional.ofNullable(zone), Optional.ofNullable(node),
        new TreeSet<>(namespaces == null ? List.of() : namespaces), Optional.ofNullable(proxyNamespace));
  }
}
