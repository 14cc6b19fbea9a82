package io.fairlead.translators;

/** What a connected proxy does with the configuration. */
public enum ProxyRole {
  /** An Envoy next to an application pod, capturing its outbound traffic. */
  SIDECAR,
  /** An Envoy of the gateway fleet, exposing selected Services. */
  GATEWAY,
  /** A gRPC client with a built-in xDS client ({@code xds:///} targets). */
  PROXYLESS;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static java.util.Optional<ProxyRole> parse(String text) {
    for (ProxyRole role : values()) {
      if (role.label().equalsIgnoreCase(text)) {
        return java.util.Optional.of(role);
      }
    }
    return java.util.Optional.empty();
  }
}
