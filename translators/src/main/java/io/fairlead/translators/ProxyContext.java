package io.fairlead.translators;

import io.fairlead.policies.Dependencies;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.model.ServiceEntry;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Everything about a proxy that changes the resources it gets. Proxies with equal contexts share
 * one snapshot (a node group).
 *
 * @param gateway how a gateway proxy's listener is reached; defaults for other roles
 * @param zone the proxy's zone, for zone-aware routing
 * @param node the proxy's Kubernetes node, for {@code internalTrafficPolicy: Local}
 * @param namespaces the namespaces whose Services a sidecar or proxyless client gets; empty means
 *     all. Scoping keeps large meshes cheap: a proxy is sent only what it may call.
 * @param proxyNamespace the namespace the proxy runs in, for {@code fairlead.io/export-to}: from
 *     its client certificate under mutual TLS, else from its node metadata; empty when unknown
 * @param dependencies a sidecar's declared dependencies ({@code fairlead.io/dependencies}): when
 *     present, only the Services they admit (and the backends of their splits) are sent; absent
 *     means no declaration. Only narrows what {@code namespaces}, identity and export-to allow.
 * @param onDemand a sidecar that fetches clusters on demand ({@code fairlead.io/on-demand}): its
 *     connection managers and TCP proxies carry Envoy's on-demand cluster discovery over ADS
 */
public record ProxyContext(
    ProxyRole role,
    ClientKind client,
    Gateway gateway,
    Optional<String> zone,
    Optional<String> node,
    SortedSet<String> namespaces,
    Optional<String> proxyNamespace,
    Optional<Dependencies> dependencies,
    boolean onDemand) {

  public ProxyContext(
      ProxyRole role,
      ClientKind client,
      Gateway gateway,
      Optional<String> zone,
      Optional<String> node,
      SortedSet<String> namespaces,
      Optional<String> proxyNamespace) {
    this(role, client, gateway, zone, node, namespaces, proxyNamespace, Optional.empty(), false);
  }

  /** This context with declared dependencies (absent: none declared). */
  public ProxyContext withDependencies(Optional<Dependencies> declared) {
    return new ProxyContext(
        role, client, gateway, zone, node, namespaces, proxyNamespace, declared, onDemand);
  }

  /** This context fetching clusters on demand, or not. */
  public ProxyContext withOnDemand(boolean on) {
    return new ProxyContext(
        role, client, gateway, zone, node, namespaces, proxyNamespace, dependencies, on);
  }

  /** This context with another zone and node (what a Service's translation depends on). */
  public ProxyContext withLocation(Optional<String> newZone, Optional<String> newNode) {
    return new ProxyContext(
        role,
        client,
        gateway,
        newZone,
        newNode,
        namespaces,
        proxyNamespace,
        dependencies,
        onDemand);
  }

  public ProxyContext(
      ProxyRole role,
      ClientKind client,
      Gateway gateway,
      Optional<String> zone,
      Optional<String> node,
      SortedSet<String> namespaces) {
    this(role, client, gateway, zone, node, namespaces, Optional.empty());
  }

  public ProxyContext {
    namespaces = Collections.unmodifiableSortedSet(new TreeSet<>(namespaces));
  }

  /**
   * What a gateway's listener needs to know about what is in front of it and what it runs.
   *
   * @param group the gateway group whose exposed Services it serves
   * @param port the port it listens on
   * @param xffTrustedHops how many proxies in front of it append to X-Forwarded-For and are trusted
   *     to (an L7 balancer is 1); 0 means the peer address is the client
   * @param proxyProtocol whether an L4 balancer in front sends the PROXY protocol header
   * @param sessionCookieWallClock the operator declares that its Envoy build writes
   *     stateful-session cookie expiry in wall-clock time (envoyproxy/envoy PR #44981), so that
   *     another replica can check it
   */
  public record Gateway(
      String group,
      int port,
      int xffTrustedHops,
      boolean proxyProtocol,
      boolean sessionCookieWallClock) {

    public static final Gateway DEFAULT = of(DEFAULT_GATEWAY_GROUP, DEFAULT_GATEWAY_PORT);

    /**
     * A gateway reached directly by its clients, on an Envoy build not declared to have the fix.
     */
    public static Gateway of(String group, int port) {
      return new Gateway(group, port, 0, false, false);
    }
  }

  /** A context that sees every namespace. */
  public ProxyContext(
      ProxyRole role,
      ClientKind client,
      String gatewayGroup,
      int gatewayPort,
      Optional<String> zone,
      Optional<String> node) {
    this(role, client, Gateway.of(gatewayGroup, gatewayPort), zone, node, new TreeSet<>());
  }

  public ProxyContext(
      ProxyRole role,
      ClientKind client,
      String gatewayGroup,
      int gatewayPort,
      Optional<String> zone,
      Optional<String> node,
      SortedSet<String> namespaces) {
    this(role, client, Gateway.of(gatewayGroup, gatewayPort), zone, node, namespaces);
  }

  public String gatewayGroup() {
    return gateway.group();
  }

  public int gatewayPort() {
    return gateway.port();
  }

  /**
   * Whether a Service is sent to this proxy: its namespace is visible to the proxy (which can only
   * narrow what it gets) and the Service is exported to the proxy's namespace. Gateways expose by
   * group instead.
   */
  public boolean sees(ServiceEntry service) {
    String namespace = service.ref().namespace();
    return role == ProxyRole.GATEWAY
        || (namespaceVisible(namespace)
            && service.exportedTo(proxyNamespace)
            && declares(service.ref()));
  }

  /** Whether a namespace is among the visible ones (all are when none is named). */
  public boolean namespaceVisible(String namespace) {
    return namespaces.isEmpty() || namespaces.contains(namespace);
  }

  /** Whether the declared dependencies admit a Service; true when none are declared. */
  public boolean declares(ObjectRef service) {
    return dependencies.map(d -> d.admits(service, proxyNamespace)).orElse(true);
  }

  public static final int DEFAULT_GATEWAY_PORT = 8080;
  public static final String DEFAULT_GATEWAY_GROUP = "default";

  public static ProxyContext of(ProxyRole role, ClientKind client) {
    return new ProxyContext(
        role,
        client,
        DEFAULT_GATEWAY_GROUP,
        DEFAULT_GATEWAY_PORT,
        Optional.empty(),
        Optional.empty());
  }
}
