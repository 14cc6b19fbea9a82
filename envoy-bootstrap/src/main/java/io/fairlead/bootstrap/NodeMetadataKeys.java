package io.fairlead.bootstrap;

import java.util.List;

/**
 * Keys of the Envoy {@code node.metadata} struct that the xDS server reads to group proxies. Every
 * value is a string; a key is present only when its value is known.
 */
public final class NodeMetadataKeys {

  /** "sidecar" or "gateway". */
  public static final String ROLE = "fairlead.io/role";

  /** Kubernetes namespace of the proxy's pod. */
  public static final String NAMESPACE = "fairlead.io/namespace";

  /** Name of the proxy's pod. */
  public static final String POD = "fairlead.io/pod";

  /** Kubernetes node the pod runs on. */
  public static final String NODE = "fairlead.io/node";

  /** Topology zone of that node. */
  public static final String ZONE = "fairlead.io/zone";

  /** Gateway group whose Services this gateway exposes. */
  public static final String GATEWAY = "fairlead.io/gateway";

  /** Port the gateway listens on, as a decimal string. */
  public static final String GATEWAY_PORT = "fairlead.io/gateway-port";

  /** Comma list of the namespaces whose Services a sidecar gets; absent means all. */
  public static final String VISIBLE_NAMESPACES = "fairlead.io/visible-namespaces";

  /**
   * Sidecar: the workload's declared dependencies, as its Pod's {@code fairlead.io/dependencies} (a
   * comma list of NAME, NAMESPACE/NAME and NAMESPACE/*); absent means none declared.
   */
  public static final String DEPENDENCIES = "fairlead.io/dependencies";

  /** Sidecar: "true" when it fetches clusters on demand (its bootstrap has no CDS wildcard). */
  public static final String ON_DEMAND = "fairlead.io/on-demand";

  /** Gateway: how many proxies in front append to X-Forwarded-For and are trusted, decimal. */
  public static final String XFF_TRUSTED_HOPS = "fairlead.io/xff-trusted-hops";

  /** Gateway: "true" when an L4 balancer in front sends the PROXY protocol header. */
  public static final String PROXY_PROTOCOL = "fairlead.io/proxy-protocol";

  /**
   * Gateway: "true" when the operator declares that its Envoy build writes stateful-session cookie
   * expiry in wall-clock time (envoyproxy/envoy PR #44981), so replicas agree on it.
   */
  public static final String SESSION_COOKIE_WALL_CLOCK = "fairlead.io/session-cookie-wall-clock";

  /** All keys, sorted. */
  public static final List<String> ALL =
      List.of(
          DEPENDENCIES,
          GATEWAY,
          GATEWAY_PORT,
          NAMESPACE,
          NODE,
          ON_DEMAND,
          POD,
          PROXY_PROTOCOL,
          ROLE,
          SESSION_COOKIE_WALL_CLOCK,
          VISIBLE_NAMESPACES,
          XFF_TRUSTED_HOPS,
          ZONE);

  private NodeMetadataKeys() {}
}
