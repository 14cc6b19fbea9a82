package io.fairlead.bootstrap;

import io.fairlead.translators.ProxyRole;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that differs between two Envoy bootstraps. Invalid values throw an
 * IllegalArgumentException with a one-line message meant for the user.
 *
 * @param role SIDECAR or GATEWAY (proxyless gRPC clients use a gRPC xDS bootstrap instead)
 * @param xds address of the Fairlead xDS server
 * @param nodeId Envoy node id, unique per proxy
 * @param cluster Envoy node cluster (service cluster)
 * @param namespace Kubernetes namespace of the pod
 * @param pod pod name
 * @param node Kubernetes node name
 * @param zone topology zone, also sent as the node locality
 * @param gatewayGroup gateway group; gateway role only
 * @param gatewayPort listener port; present exactly for the gateway role
 * @param tls mutual TLS towards the xDS server; absent means plaintext
 * @param adminPort Envoy admin port, bound to 127.0.0.1
 * @param visibleNamespaces comma list of namespaces whose Services a sidecar gets; absent: all
 * @param xffTrustedHops gateway only: proxies in front of the gateway that append to
 *     X-Forwarded-For (an L7 balancer is 1); absent means none, the peer is the client
 * @param proxyProtocol gateway only: an L4 balancer in front sends the PROXY protocol header
 * @param sessionCookieWallClock gateway only: the Envoy build writes stateful-session cookie expiry
 *     in wall-clock time (envoyproxy/envoy PR #44981)
 * @param dependencies sidecar only: the workload's {@code fairlead.io/dependencies} as written on
 *     its Pod; absent: none declared. Its entries are checked by the control plane, which reports a
 *     bad one on the proxy's group and applies the rest, so a typo never stops a Pod from starting
 * @param onDemand sidecar only: fetch clusters on demand (no CDS wildcard subscription)
 */
public record BootstrapParams(
    ProxyRole role,
    XdsAddress xds,
    String nodeId,
    String cluster,
    Optional<String> namespace,
    Optional<String> pod,
    Optional<String> node,
    Optional<String> zone,
    Optional<String> gatewayGroup,
    Optional<Integer> gatewayPort,
    Optional<TlsFiles> tls,
    int adminPort,
    Optional<String> visibleNamespaces,
    Optional<Integer> xffTrustedHops,
    boolean proxyProtocol,
    boolean sessionCookieWallClock,
    Optional<String> dependencies,
    boolean onDemand) {

  public static final int DEFAULT_GATEWAY_PORT = 8080;
  public static final int DEFAULT_SIDECAR_ADMIN_PORT = 15000;
  public static final int DEFAULT_GATEWAY_ADMIN_PORT = 9901;

  /** More balancers than this in front of one gateway is a mistake, not a topology. */
  public static final int MAX_XFF_TRUSTED_HOPS = 10;

  /** The longest dependency list accepted (node metadata is sent on every xDS stream). */
  public static final int MAX_DEPENDENCIES_LENGTH = 16_384;

  public BootstrapParams {
    if (role == null) {
      throw new IllegalArgumentException("role must be sidecar or gateway");
    }
    if (role == ProxyRole.PROXYLESS) {
      throw new IllegalArgumentException(
          "role proxyless has no Envoy bootstrap: use sidecar or gateway");
    }
    Objects.requireNonNull(xds, "xds");
    requireText("node id", nodeId);
    requireText("cluster", cluster);
    requireOptionalText("namespace", namespace);
    requireOptionalText("pod", pod);
    requireOptionalText("node", node);
    requireOptionalText("zone", zone);
    requireOptionalText("gateway group", gatewayGroup);
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(gatewayPort, "gatewayPort");
    if (role == ProxyRole.GATEWAY) {
      int port =
          gatewayPort.orElseThrow(
              () -> new IllegalArgumentException("the gateway role needs a gateway port"));
      requirePort("gateway port", port);
      if (port == adminPort) {
        throw new IllegalArgumentException(
            "admin port " + adminPort + " is also the gateway port: choose different ports");
      }
    } else if (gatewayGroup.isPresent() || gatewayPort.isPresent()) {
      throw new IllegalArgumentException(
          "gateway group and gateway port apply only to the gateway role");
    }
    requirePort("admin port", adminPort);
    Objects.requireNonNull(xffTrustedHops, "xffTrustedHops");
    if (role != ProxyRole.GATEWAY
        && (xffTrustedHops.isPresent() || proxyProtocol || sessionCookieWallClock)) {
      throw new IllegalArgumentException(
          "trusted X-Forwarded-For hops, the PROXY protocol and the session cookie clock apply only to the gateway role");
    }
    if (xffTrustedHops.isPresent()
        && (xffTrustedHops.get() < 0 || xffTrustedHops.get() > MAX_XFF_TRUSTED_HOPS)) {
      throw new IllegalArgumentException(
          "trusted X-Forwarded-For hops "
              + xffTrustedHops.get()
              + " is out of range 0.."
              + MAX_XFF_TRUSTED_HOPS);
    }
    Objects.requireNonNull(dependencies, "dependencies");
    requireOptionalText("dependencies", dependencies);
    if (role != ProxyRole.SIDECAR && (dependencies.isPresent() || onDemand)) {
      throw new IllegalArgumentException(
          "dependencies and on-demand apply only to the sidecar role");
    }
    if (dependencies.isPresent() && dependencies.get().length() > MAX_DEPENDENCIES_LENGTH) {
      throw new IllegalArgumentException(
          "dependencies are longer than " + MAX_DEPENDENCIES_LENGTH + " characters");
    }
    Objects.requireNonNull(visibleNamespaces, "visibleNamespaces");
    if (visibleNamespaces.isPresent()) {
      if (role != ProxyRole.SIDECAR) {
        throw new IllegalArgumentException("visible namespaces apply only to the sidecar role");
      }
      for (String ns : visibleNamespaces.get().split(",", -1)) {
        if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
          throw new IllegalArgumentException(
              "visible namespaces must be a comma list of namespace names, not '"
                  + visibleNamespaces.get()
                  + "'");
        }
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void requireText(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(what + " must not contain control characters");
    }
  }

  private static void requireOptionalText(String what, Optional<String> value) {
    Objects.requireNonNull(value, what).ifPresent(v -> requireText(what, v));
  }

  private static void requirePort(String what, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(what + " " + port + " is out of range 1..65535");
    }
  }

  /**
   * Collects optional values (null means not given), applies the role defaults and validates. Made
   * for option parsers, where unset options are null.
   */
  public static final class Builder {
    private ProxyRole role;
    private String xdsAddress;
    private String nodeId;
    private String cluster;
    private String namespace;
    private String pod;
    private String node;
    private String zone;
    private String gatewayGroup;
    private Integer gatewayPort;
    private TlsFiles tls;
    private Integer adminPort;
    private String visibleNamespaces;
    private Integer xffTrustedHops;
    private boolean proxyProtocol;
    private boolean sessionCookieWallClock;
    private String dependencies;
    private boolean onDemand;

    private Builder() {}

    /**
     * The Pod's {@code fairlead.io/dependencies}; sidecar role only. Blank means none declared: the
     * downward API gives an empty value when the Pod has no such annotation.
     */
    public Builder dependencies(String value) {
      dependencies = value == null || value.isBlank() ? null : value.trim();
      return this;
    }

    /** Sidecar role only. */
    public Builder onDemand(boolean value) {
      onDemand = value;
      return this;
    }

    public Builder role(ProxyRole value) {
      role = value;
      return this;
    }

    /** {@code host:port} or {@code [ipv6]:port}; parsed by {@link #build()}. */
    public Builder xdsAddress(String value) {
      xdsAddress = value;
      return this;
    }

    public Builder nodeId(String value) {
      nodeId = value;
      return this;
    }

    public Builder cluster(String value) {
      cluster = value;
      return this;
    }

    public Builder namespace(String value) {
      namespace = value;
      return this;
    }

    public Builder pod(String value) {
      pod = value;
      return this;
    }

    public Builder node(String value) {
      node = value;
      return this;
    }

    public Builder zone(String value) {
      zone = value;
      return this;
    }

    public Builder gatewayGroup(String value) {
      gatewayGroup = value;
      return this;
    }

    /** Defaults to {@value #DEFAULT_GATEWAY_PORT} for the gateway role. */
    public Builder gatewayPort(Integer value) {
      gatewayPort = value;
      return this;
    }

    public Builder tls(TlsFiles value) {
      tls = value;
      return this;
    }

    /** Defaults to 15000 for a sidecar and 9901 for a gateway. */
    public Builder adminPort(Integer value) {
      adminPort = value;
      return this;
    }

    /** Comma list of namespaces; sidecar role only. */
    public Builder visibleNamespaces(String value) {
      visibleNamespaces = value;
      return this;
    }

    /** Gateway role only. */
    public Builder xffTrustedHops(Integer value) {
      xffTrustedHops = value;
      return this;
    }

    /** Gateway role only. */
    public Builder proxyProtocol(boolean value) {
      proxyProtocol = value;
      return this;
    }

    /** Gateway role only. */
    public Builder sessionCookieWallClock(boolean value) {
      sessionCookieWallClock = value;
      return this;
    }

    public BootstrapParams build() {
      if (role == null) {
        throw new IllegalArgumentException("role must be sidecar or gateway");
      }
      boolean gateway = role == ProxyRole.GATEWAY;
      Optional<Integer> resolvedGatewayPort =
          gateway
              ? Optional.of(gatewayPort == null ? DEFAULT_GATEWAY_PORT : gatewayPort)
              : Optional.ofNullable(gatewayPort);
      int resolvedAdminPort =
          adminPort != null
              ? adminPort
              : gateway ? DEFAULT_GATEWAY_ADMIN_PORT : DEFAULT_SIDECAR_ADMIN_PORT;
      return new BootstrapParams(
          role,
          XdsAddress.parse(xdsAddress),
          nodeId,
          cluster,
          Optional.ofNullable(namespace),
          Optional.ofNullable(pod),
          Optional.ofNullable(node),
          Optional.ofNullable(zone),
          Optional.ofNullable(gatewayGroup),
          resolvedGatewayPort,
          Optional.ofNullable(tls),
          resolvedAdminPort,
          Optional.ofNullable(visibleNamespaces),
          Optional.ofNullable(xffTrustedHops),
          proxyProtocol,
          sessionCookieWallClock,
          Optional.ofNullable(dependencies),
          onDemand);
    }
  }
}
