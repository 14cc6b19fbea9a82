package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.xds.XdsResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {

  private static final ProxyContext SIDECAR = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);
  private static final ProxyContext GRPC =
      ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA);

  private final XdsMetrics metrics = new XdsMetrics();

  private SnapshotPublisher publisher(Function<ProxyContext, XdsResources> translate) {
    return new SnapshotPublisher(new SimpleCache<>(new NodeGroups()), translate, metrics);
  }

  @Test
  void versionsAreEqualAcrossRestartsForEqualContent() {
    // Each publisher gets its own freshly built (equal, not identical) resources.
    SnapshotPublisher first = publisher(g -> Fixtures.resources(5000));
    SnapshotPublisher second = publisher(g -> Fixtures.resources(5000));
    first.groupSeen(SIDECAR);
    second.groupSeen(SIDECAR);
    first.publish();
    second.publish();

    assertThat(first.published(SIDECAR).orElseThrow().versions())
        .isEqualTo(second.published(SIDECAR).orElseThrow().versions())
        .hasSize(4);
    for (ResourceType type :
        List.of(
            ResourceType.CLUSTER,
            ResourceType.ENDPOINT,
            ResourceType.LISTENER,
            ResourceType.ROUTE)) {
      assertThat(resourceVersions(first, SIDECAR, type))
          .isEqualTo(resourceVersions(second, SIDECAR, type))
          .isNotEmpty();
    }
  }

  @Test
  void onlyTheChangedTypeGetsANewVersion() {
    AtomicReference<XdsResources> state = new AtomicReference<>(Fixtures.resources(5000));
    SnapshotPublisher publisher = publisher(g -> state.get());
    publisher.groupSeen(SIDECAR);
    publisher.publish();
    Map<String, String> before = publisher.published(SIDECAR).orElseThrow().versions();
    Map<String, VersionedResource<?>> clustersBefore =
        publisher.cache().getSnapshot(SIDECAR).versionedResources(ResourceType.CLUSTER);

    state.set(Fixtures.resources(5001));
    PublishResult result = publisher.publish();

    assertThat(result.updated()).isEqualTo(1);
    Map<String, String> after = publisher.published(SIDECAR).orElseThrow().versions();
    String eds = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    assertThat(after.get(eds)).isNotEqualTo(before.get(eds));
    after.keySet().stream()
        .filter(type -> !type.equals(eds))
        .forEach(type -> assertThat(after.get(type)).as(type).isEqualTo(before.get(type)));
    assertThat(publisher.cache().getSnapshot(SIDECAR).versionedResources(ResourceType.CLUSTER))
        .isEqualTo(clustersBefore);
  }

  @Test
  void unchangedContentSetsNoNewSnapshot() {
    SnapshotPublisher publisher = publisher(g -> Fixtures.resources(5000));
    publisher.groupSeen(SIDECAR);
    publisher.publish();
    Snapshot first = publisher.cache().getSnapshot(SIDECAR);

    PublishResult again = publisher.publish();

    assertThat(again).isEqualTo(new PublishResult(1, 0, 1, 0));
    assertThat(publisher.cache().getSnapshot(SIDECAR)).isSameAs(first);
  }

  @Test
  void nothingIsSetBeforeTheFirstPublishThenNewGroupsAreTranslatedAtOnce() {
    List<ProxyContext> translated = new ArrayList<>();
    SnapshotPublisher publisher =
        publisher(
            g -> {
              translated.add(g);
              return Fixtures.resources(5000);
            });
    publisher.groupSeen(SIDECAR);

    assertThat(publisher.ready()).isFalse();
    assertThat(publisher.cache().getSnapshot(SIDECAR)).isNull();
    assertThat(translated).isEmpty();

    publisher.publish();
    assertThat(publisher.ready()).isTrue();
    assertThat(publisher.cache().getSnapshot(SIDECAR)).isNotNull();
    assertThat(translated).containsExactly(SIDECAR);

    publisher.groupSeen(GRPC);
    assertThat(publisher.cache().getSnapshot(GRPC)).isNotNull();
    assertThat(translated).containsExactly(SIDECAR, GRPC);

    publisher.groupSeen(GRPC);
    assertThat(translated).as("a known group is not translated again").hasSize(2);
  }

  @Test
  void emptyWorldBeforeAnyProxyIsStillReady() {
    SnapshotPublisher publisher = publisher(g -> Fixtures.resources(5000));
    assertThat(publisher.publish()).isEqualTo(new PublishResult(0, 0, 0, 0));
    assertThat(publisher.ready()).isTrue();
  }

  @Test
  void inconsistentSnapshotKeepsTheLastGoodOneAndReportsAnError() {
    AtomicReference<XdsResources> state = new AtomicReference<>(Fixtures.resources(5000));
    SnapshotPublisher publisher = publisher(g -> state.get());
    publisher.groupSeen(SIDECAR);
    publisher.publish();
    Snapshot good = publisher.cache().getSnapshot(SIDECAR);

    XdsResources ok = state.get();
    state.set(new XdsResources(ok.clusters(), List.of(), ok.listeners(), ok.routes(), List.of()));
    PublishResult result = publisher.publish();

    assertThat(result.failed()).isEqualTo(1);
    assertThat(publisher.cache().getSnapshot(SIDECAR)).isSameAs(good);
    assertThat(publisher.diagnostics())
        .anySatisfy(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.object()).isEqualTo("xds/sidecar/envoy");
              assertThat(d.message()).contains("ns/svc:80").contains("inconsistent");
            });
    assertThat(metrics.scrape()).contains("fairlead_diagnostics{severity=\"error\"} 1");
  }

  @Test
  void translationFailureKeepsTheLastGoodSnapshot() {
    AtomicReference<Boolean> fail = new AtomicReference<>(false);
    SnapshotPublisher publisher =
        publisher(
            g -> {
              if (fail.get()) {
                throw new IllegalStateException("boom");
              }
              return Fixtures.resources(5000);
            });
    publisher.groupSeen(SIDECAR);
    publisher.publish();
    Snapshot good = publisher.cache().getSnapshot(SIDECAR);

    fail.set(true);
    assertThat(publisher.publish().failed()).isEqualTo(1);
    assertThat(publisher.cache().getSnapshot(SIDECAR)).isSameAs(good);
    assertThat(publisher.diagnostics()).anySatisfy(d -> assertThat(d.message()).contains("boom"));
  }

  @Test
  void diagnosticsOfAllGroupsAreMergedWithoutDuplicates() {
    SnapshotPublisher publisher = publisher(g -> Fixtures.resources(5000));
    publisher.groupSeen(SIDECAR);
    publisher.groupSeen(GRPC);
    publisher.publish();
    assertThat(publisher.diagnostics()).hasSize(1);
    assertThat(metrics.scrape()).contains("fairlead_diagnostics{severity=\"warning\"} 1");
    assertThat(metrics.scrape()).contains("fairlead_translation_seconds_count 2");
  }

  /** The Events writer is pushed each publish's diagnostics, not left to poll for them. */
  @Test
  void eachPublishPushesItsDiagnosticsToListeners() {
    java.util.concurrent.atomic.AtomicInteger port =
        new java.util.concurrent.atomic.AtomicInteger(5000);
    SnapshotPublisher publisher = publisher(g -> Fixtures.resources(port.get()));
    List<List<io.fairlead.policies.Diagnostic>> pushed = new java.util.ArrayList<>();
    publisher.onDiagnostics(pushed::add);
    assertThat(pushed).as("the current ones at once").containsExactly(List.of());

    publisher.groupSeen(SIDECAR);
    publisher.publish();
    assertThat(pushed)
        .last()
        .satisfies(
            d ->
                assertThat(d)
                    .singleElement()
                    .satisfies(x -> assertThat(x.message()).isEqualTo("fixture warning")));
    int before = pushed.size();
    port.set(5001);
    publisher.publish();
    assertThat(pushed).hasSizeGreaterThan(before);
  }

  private static Map<String, String> resourceVersions(
      SnapshotPublisher publisher, ProxyContext group, ResourceType type) {
    Map<String, String> versions = new java.util.TreeMap<>();
    publisher
        .cache()
        .getSnapshot(group)
        .versionedResources(type)
        .forEach((name, resource) -> versions.put(name, resource.version()));
    return versions;
  }
}
