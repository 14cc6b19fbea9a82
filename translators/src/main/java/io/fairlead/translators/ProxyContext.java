package io.fairlead.translators;

import java.util.Optional;

/**
 * Everything about a proxy that changes the resources it gets. Proxies with equal contexts share
 * one snapshot (a node group).
 *
 * @param gatewayGroup the gateway group a gateway proxy serves
 * @param gatewayPort the port a gateway listens on
 * @param zone the proxy's zone, for zone-aware routing
 * @param node the proxy's Kubernetes node, for {@code internalTrafficPolicy: Local}
 */
public record ProxyContext(
    ProxyRole role,
    ClientKind client,
    String gatewayGroup,
    int gatewayPort,
    Optional<String> zone,
    Optional<String> node) {

  public static final int DEFAULT_GATEWAY_PORT = 8080;
  public static final String DEFAULT_GATEWAY_GROUP = "default";

  public static ProxyContext of(ProxyRole role, ClientKind client) {
    return new ProxyContext(
        role, client, DEFAULT_GATEWAY_GROUP, DEFAULT_GATEWAY_PORT, Optional.empty(), Optional.empty());
  }
}
