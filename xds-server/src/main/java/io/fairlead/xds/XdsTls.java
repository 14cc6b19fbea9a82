package io.fairlead.xds;

import io.fairlead.k8s.util.DaemonThreads;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * TLS on the xDS port, optionally mutual. The files are PEM, as cert-manager writes them into a
 * Secret, and are read again every {@link #RELOAD_SECONDS} seconds, so a renewed certificate is
 * used without a restart.
 *
 * @param cert the server's certificate chain
 * @param key its private key (PKCS#8)
 * @param clientCa the CA that signs the proxies' certificates; present means clients may present
 *     one, and with {@code requireClientCert} they must
 */
public record XdsTls(Path cert, Path key, Optional<Path> clientCa, boolean requireClientCert) {

  static final long RELOAD_SECONDS = 30;

  public XdsTls {
    if (requireClientCert && clientCa.isEmpty()) {
      throw new IllegalArgumentException(
          "--require-mtls needs --tls-client-ca, the CA that signs the proxies' certificates");
    }
    for (Path p : clientCa.map(ca -> List.of(cert, key, ca)).orElse(List.of(cert, key))) {
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("cannot read " + p);
      }
    }
  }

  /** Server credentials that keep reading the files; close the returned handle to stop. */
  Credentials credentials() throws IOException {
    ScheduledExecutorService reload =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("fairlead-tls-reload"));
    List<Closeable> handles = new ArrayList<>();
    try {
      AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
      handles.add(
          keys.updateIdentityCredentials(
                  cert.toFile(), key.toFile(), RELOAD_SECONDS, TimeUnit.SECONDS, reload)
              ::close);
      TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(keys);
      if (clientCa.isPresent()) {
        AdvancedTlsX509TrustManager trust =
            AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(
                    AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                .build();
        handles.add(
            trust.updateTrustCredentials(
                    clientCa.get().toFile(), RELOAD_SECONDS, TimeUnit.SECONDS, reload)
                ::close);
        b.trustManager(trust)
            .clientAuth(
                requireClientCert
                    ? TlsServerCredentials.ClientAuth.REQUIRE
                    : TlsServerCredentials.ClientAuth.OPTIONAL);
      }
      handles.add(reload::shutdownNow);
      return new Credentials(b.build(), handles);
    } catch (GeneralSecurityException e) {
      reload.shutdownNow();
      throw new IllegalArgumentException("unusable TLS files: " + e.getMessage());
    }
  }

  /** Credentials and what keeps them fresh. */
  record Credentials(ServerCredentials server, List<Closeable> reloads) implements Closeable {
    @Override
    public void close() {
      for (Closeable c : reloads) {
        try {
          c.close();
        } catch (IOException | RuntimeException ignored) {
          // shutting down
        }
      }
    }
  }
}
