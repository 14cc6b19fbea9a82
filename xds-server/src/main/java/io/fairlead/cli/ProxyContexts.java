package io.fairlead.cli;

import io.fairlead.bootstrap.BootstrapParams;
import io.fairlead.policies.Dependencies;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Builds a proxy context from command-line options, with one-line errors for combinations that make
 * no sense.
 */
final class ProxyContexts {
  private ProxyContexts() {}

  static ProxyContext.Gateway gateway(
      String group,
      int port,
      int xffTrustedHops,
      boolean proxyProtocol,
      boolean sessionCookieWallClock) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--gateway-port must be 1 to 65535");
    }
    if (xffTrustedHops < 0 || xffTrustedHops > BootstrapParams.MAX_XFF_TRUSTED_HOPS) {
      throw new IllegalArgumentException(
          "--xff-trusted-hops must be 0 to " + BootstrapParams.MAX_XFF_TRUSTED_HOPS);
    }
    return new ProxyContext.Gateway(
        group, port, xffTrustedHops, proxyProtocol, sessionCookieWallClock);
  }

  /**
   * @param client null for the role's usual client (Envoy; grpc-java for proxyless)
   */
  static ProxyContext parse(
      ProxyRole r,
      ClientKind client,
      ProxyContext.Gateway gateway,
      String zone,
      String node,
      List<String> namespaces,
      String proxyNamespace,
      String dependencies,
      boolean onDemand) {
    ClientKind c =
        client != null
            ? client
            : r == ProxyRole.PROXYLESS ? ClientKind.GRPC_JAVA : ClientKind.ENVOY;
    if (r == ProxyRole.PROXYLESS && !c.isGrpc()) {
      throw new IllegalArgumentException(
          "--role proxyless is for gRPC clients; use --client grpc-java or grpc-node");
    }
    if (r != ProxyRole.PROXYLESS && c.isGrpc()) {
      throw new IllegalArgumentException(
          "--role " + r.label() + " is an Envoy role; gRPC clients are --role proxyless");
    }
    if (r != ProxyRole.GATEWAY
        && !gateway.equals(ProxyContext.Gateway.of(gateway.group(), gateway.port()))) {
      throw new IllegalArgumentException(
          "--xff-trusted-hops, --proxy-protocol and --session-cookie-wall-clock apply to the gateway role");
    }
    if (namespaces != null && r == ProxyRole.GATEWAY) {
      throw new IllegalArgumentException(
          "--visible-namespaces applies to sidecar and proxyless; gateways expose by group");
    }
    if (proxyNamespace != null && r == ProxyRole.GATEWAY) {
      throw new IllegalArgumentException(
          "--proxy-namespace applies to sidecar and proxyless; gateways expose by group");
    }
    if ((dependencies != null || onDemand) && r != ProxyRole.SIDECAR) {
      throw new IllegalArgumentException(
          "--dependencies and --on-demand apply to the sidecar role");
    }
    return new ProxyContext(
        r,
        c,
        r == ProxyRole.GATEWAY ? gateway : ProxyContext.Gateway.DEFAULT,
        Optional.ofNullable(zone),
        Optional.ofNullable(node),
        new TreeSet<>(namespaces == null ? List.of() : namespaces),
        Optional.ofNullable(proxyNamespace),
        Optional.ofNullable(dependencies).filter(d -> !d.isBlank()).map(Dependencies::parse),
        onDemand);
  }
}
