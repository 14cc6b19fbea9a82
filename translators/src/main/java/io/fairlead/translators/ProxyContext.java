package io.fairlead.translators;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Everything about a proxy that changes the resources it gets. Proxies with equal contexts share
 * one snapshot (a node group).
 *
 * @param gatewayGroup the gateway group a gateway proxy serves
 * @param gatewayPort the port a gateway listens on
 * @param zone the proxy's zone, for zone-aware routing
 * @param node the proxy's Kubernetes node, for {@code internalTrafficPolicy: Local}
 * @param namespaces the namespaces whose Services a sidecar or proxyless client gets; empty means
 *     all. Scoping keeps large meshes cheap: a proxy is sent only what it may call.
 */
public record ProxyContext(
    ProxyRole role,
    ClientKind client,
    String gatewayGroup,
    int gatewayPort,
    Optional<String> zone,
    Optional<String> node,
    SortedSet<String> namespaces) {

  public ProxyContext {
    namespaces = Collections.unmodifiableSortedSet(new TreeSet<>(namespaces));
  }

  /** A context that sees every namespace. */
  public ProxyContext(
      ProxyRole role, ClientKind client, String gatewayGroup, int gatewayPort, Optional<String> zone, Optional<String> node) {
    this(role, client, gatewayGroup, gatewayPort, zone, node, new TreeSet<>());
  }

  /** Whether Services of {@code namespace} are sent to this proxy. Gateways expose by group instead. */
  public boolean sees(String namespace) {
    return role == ProxyRole.GATEWAY || namespaces.isEmpty() || namespaces.contains(namespace);
  }

  public static final int DEFAULT_GATEWAY_PORT = 8080;
  public static final String DEFAULT_GATEWAY_GROUP = "default";

  public static ProxyContext of(ProxyRole role, ClientKind client) {
    return new ProxyContext(
        role, client, DEFAULT_GATEWAY_GROUP, DEFAULT_GATEWAY_PORT, Optional.empty(), Optional.empty());
  }
}
