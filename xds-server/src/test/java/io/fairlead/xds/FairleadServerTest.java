package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.k8s.DirectorySource;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Severity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FairleadServerTest {

  @TempDir Path dir;

  /** A bad annotation is reported at once, before and without any proxy connecting. */
  @Test
  void stateDiagnosticsAreReportedWithNoProxyConnected() throws Exception {
    Files.writeString(
        dir.resolve("svc.yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
          annotations: {fairlead.io/lb-policy: fastest}
        spec:
          clusterIP: 10.96.0.1
          ports: [{name: http, port: 80}]
        """);
    try (FairleadServer server =
        FairleadServer.start(
            new DirectorySource(dir),
            ControlPlane.Settings.onLoopback(Duration.ofMillis(10), Duration.ofMillis(50)))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (server.controlPlane().publisher().diagnostics().isEmpty()
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(server.ready()).isTrue();
      assertThat(server.controlPlane().publisher().diagnostics())
          .extracting(Diagnostic::severity, Diagnostic::object, Diagnostic::key)
          .contains(
              org.assertj.core.groups.Tuple.tuple(
                  Severity.ERROR, "shop/web", "fairlead.io/lb-policy"));
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + server.controlPlane().adminPort()
                                  + "/debug/diagnostics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(body).contains("fastest");
      assertThat(server.controlPlane().metrics().scrape())
          .contains("fairlead_diagnostics{severity=\"error\"} 1.0");
    }
  }
}
