package io.fairlead.bootstrap;

/**
 * PEM files, as paths inside the Envoy container, for mutual TLS towards the xDS server.
 *
 * @param caFile CA bundle that signs the xDS server certificate
 * @param certFile this proxy's client certificate chain
 * @param keyFile this proxy's private key
 */
public record TlsFiles(String caFile, String certFile, String keyFile) {

  public TlsFiles {
    requireFile("TLS CA file", caFile);
    requireFile("TLS certificate file", certFile);
    requireFile("TLS key file", keyFile);
  }

  private static void requireFile(String what, String path) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }
}
