package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {

  private static final ObjectRef WEB = new ObjectRef("default", "web");
  private static final ObjectRef API = new ObjectRef("shop", "api");

  @TempDir Path dir;
  private DirectorySource source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  static String service(String namespace, String name, String annotation) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: %s
          annotations:
            fairlead.io/lb: "%s"
        spec:
          selector: {app: %s}
          ports:
          - name: http
            port: 80
            targetPort: 8080
        """
        .formatted(name, namespace, annotation, name);
  }

  static String slice(String namespace, String service, String ip) {
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %s-abc
          namespace: %s
          labels:
            kubernetes.io/service-name: %s
        addressType: IPv4
        ports:
        - name: http
          port: 8080
        endpoints:
        - addresses: ["%s"]
          conditions: {ready: true}
        """
        .formatted(service, namespace, service, ip);
  }

  private Recorder startWith(String webAnnotation) throws Exception {
    Files.writeString(
        dir.resolve("web.yaml"),
        service("default", "web", webAnnotation)
            + "---\n"
            + slice("default", "web", "10.0.0.1")
            + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n");
    Files.createDirectories(dir.resolve("shop"));
    Files.writeString(dir.resolve("shop/api.yml"), service("shop", "api", "round-robin"));
    source = new DirectorySource(dir, Duration.ofMillis(200));
    Recorder recorder = new Recorder();
    source.start(recorder);
    return recorder;
  }

  @Test
  void firstStateIsFullAndHoldsEveryFileRecursively() throws Exception {
    Files.writeString(dir.resolve("notes.txt"), "not a manifest: [");
    Files.writeString(dir.resolve(".hidden.yaml"), "broken: [");
    Recorder recorder = startWith("random");

    Recorder.Call first = recorder.next();

    assertThat(first.change().full()).isTrue();
    assertThat(first.state().services()).containsOnlyKeys(WEB, API);
    assertThat(first.state().endpointSlices())
        .containsOnlyKeys(new ObjectRef("default", "web-abc"));
    assertThat(first.state().services().get(WEB).getMetadata().getAnnotations())
        .containsEntry("fairlead.io/lb", "random");
    assertThat(source.hasSynced()).isTrue();
    assertThat(source.diagnostics())
        .containsExactly(
            Diagnostic.info(
                Reason.IGNORED_OBJECTS,
                new Subject.Source(dir.resolve("web.yaml").toString(), "kind"),
                "ignored 1 object(s) of kinds other than v1 Service, discovery.k8s.io/v1"
                    + " EndpointSlice and v1 Pod: apps/v1 Deployment default/web"));
    recorder.assertNothingWithin(Duration.ofMillis(500));
  }

  @Test
  void editingAServiceOrItsEndpointsSaysWhichChanged() throws Exception {
    Recorder recorder = startWith("random");
    recorder.next();

    Files.writeString(
        dir.resolve("web.yaml"),
        service("default", "web", "maglev") + "---\n" + slice("default", "web", "10.0.0.1"));
    Recorder.Call annotated = recorder.next();
    assertThat(annotated.change()).isEqualTo(new Change(Set.of(WEB), Set.of(), false));
    assertThat(annotated.state().services().get(WEB).getMetadata().getAnnotations())
        .containsEntry("fairlead.io/lb", "maglev");

    Files.writeString(
        dir.resolve("web.yaml"),
        service("default", "web", "maglev") + "---\n" + slice("default", "web", "10.0.0.2"));
    Recorder.Call moved = recorder.next();
    assertThat(moved.change()).isEqualTo(new Change(Set.of(), Set.of(WEB), false));
    assertThat(
            moved
                .state()
                .endpointSlices()
                .get(new ObjectRef("default", "web-abc"))
                .getEndpoints()
                .get(0)
                .getAddresses())
        .containsExactly("10.0.0.2");
    assertThat(moved.thread()).isEqualTo(annotated.thread());
  }

  @Test
  void withoutWatchEventsTheRescanStillSeesEdits() throws Exception {
    Files.writeString(dir.resolve("web.yaml"), service("default", "web", "random"));
    source = new DirectorySource(dir, Duration.ofMillis(200), false);
    Recorder recorder = new Recorder();
    source.start(recorder);
    recorder.next();

    // same size, so only the content hash tells
    Files.writeString(dir.resolve("web.yaml"), service("default", "web", "maglev"));

    assertThat(recorder.next().change()).isEqualTo(new Change(Set.of(WEB), Set.of(), false));
  }

  @Test
  void aBrokenFileKeepsItsLastGoodContentsUntilFixed() throws Exception {
    Recorder recorder = startWith("random");
    KubeState before = recorder.next().state();
    Path web = dir.resolve("web.yaml");

    Files.writeString(web, service("default", "web", "maglev") + "  oops: [\n");
    awaitDiagnostic(Severity.ERROR);

    Diagnostic error = source.diagnostics().get(0);
    assertThat(error.object()).isEqualTo(web.toString());
    assertThat(error.key()).isEqualTo("file");
    assertThat(error.message())
        .startsWith("invalid YAML at line ")
        .endsWith("; keeping its last good contents")
        .doesNotContain("\n");
    // the state did not change, so nothing was delivered; the next edit elsewhere still carries web
    Files.writeString(dir.resolve("shop/api.yml"), service("shop", "api", "least-request"));
    Recorder.Call next = recorder.next();
    assertThat(next.change()).isEqualTo(new Change(Set.of(API), Set.of(), false));
    assertThat(next.state().services().get(WEB)).isEqualTo(before.services().get(WEB));
    assertThat(next.state().endpointSlices()).isEqualTo(before.endpointSlices());

    Files.writeString(web, service("default", "web", "maglev"));
    Recorder.Call fixed = recorder.next();
    assertThat(fixed.change()).isEqualTo(new Change(Set.of(WEB), Set.of(WEB), false));
    assertThat(fixed.state().endpointSlices()).isEmpty();
    assertThat(source.diagnostics()).noneMatch(d -> d.severity() == Severity.ERROR);
  }

  @Test
  void aNewFileThatNeverParsedIsIgnoredWithAnError() throws Exception {
    Recorder recorder = startWith("random");
    recorder.next();

    Path extra = dir.resolve("extra.json");
    Files.writeString(extra, "{\"apiVersion\": \"v1\", \"kind\": \"Service\", ");
    awaitDiagnostic(Severity.ERROR);

    assertThat(source.diagnostics())
        .filteredOn(d -> d.severity() == Severity.ERROR)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.object()).isEqualTo(extra.toString());
              assertThat(d.message()).startsWith("invalid JSON").endsWith("; file ignored");
            });
    recorder.assertNothingWithin(Duration.ofMillis(600));
  }

  @Test
  void deletingAFileRemovesItsObjects() throws Exception {
    Recorder recorder = startWith("random");
    recorder.next();

    Files.delete(dir.resolve("web.yaml"));
    Recorder.Call deleted = recorder.next();

    assertThat(deleted.change()).isEqualTo(new Change(Set.of(WEB), Set.of(WEB), false));
    assertThat(deleted.state().services()).containsOnlyKeys(API);
    assertThat(deleted.state().endpointSlices()).isEmpty();
    assertThat(source.diagnostics()).isEmpty();
  }

  @Test
  void filesInANewSubdirectoryArePickedUp() throws Exception {
    Recorder recorder = startWith("random");
    recorder.next();

    Files.createDirectories(dir.resolve("late/deeper"));
    Files.writeString(dir.resolve("late/deeper/slice.yaml"), slice("shop", "api", "10.1.0.1"));
    Recorder.Call added = recorder.next();

    assertThat(added.change()).isEqualTo(new Change(Set.of(), Set.of(API), false));
  }

  @Test
  void aMissingDirectoryFailsInOneLine() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> new DirectorySource(missing))
        .isInstanceOf(KubeSourceException.class)
        .hasMessage("no such directory: " + missing);
  }

  @Test
  void aFileIsNotADirectory() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"), "");
    assertThatThrownBy(() -> new DirectorySource(file))
        .isInstanceOf(KubeSourceException.class)
        .hasMessage("not a directory: " + file);
  }

  @Test
  void closingStopsDeliveries() throws Exception {
    Recorder recorder = startWith("random");
    recorder.next();
    source.close();

    Files.writeString(dir.resolve("shop/api.yml"), service("shop", "api", "maglev"));
    recorder.assertNothingWithin(Duration.ofMillis(600));
  }

  private void awaitDiagnostic(Severity severity) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (source.diagnostics().stream().noneMatch(d -> d.severity() == severity)) {
      assertThat(System.nanoTime())
          .as("a diagnostic of " + severity + " within 15 s")
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
