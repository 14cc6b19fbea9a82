package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.k8s.events.DiagnosticEvents;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class XdsMetricsTest {

  @Test
  void eventWriterCountersAreExported() {
    XdsMetrics metrics = new XdsMetrics();
    AtomicReference<DiagnosticEvents.Stats> stats =
        new AtomicReference<>(new DiagnosticEvents.Stats(0, 0, 0, 0));
    metrics.watchEvents(stats::get);
    stats.set(new DiagnosticEvents.Stats(3, 2, 1, 4));
    assertThat(metrics.scrape())
        .contains("fairlead_events_written_total 3.0")
        .contains("fairlead_events_counted_total 2.0")
        .contains("fairlead_events_failed_total 1.0")
        .contains("fairlead_events_dropped_total 4.0");
  }

  @Test
  void diagnosticsAreCountedBySeverityAndByReasonCode() {
    XdsMetrics metrics = new XdsMetrics();
    ObjectRef web = new ObjectRef("a", "web");
    metrics.diagnostics(
        java.util.List.of(
            Diagnostic.error(
                Reason.INVALID_VALUE, Subject.of(web, "http", "fairlead.io/lb-policy"), "bad"),
            Diagnostic.error(Reason.INVALID_VALUE, Subject.of(web, "fairlead.io/retries"), "bad"),
            Diagnostic.warning(
                Reason.UNKNOWN_ANNOTATION, Subject.of(web, "fairlead.io/lb-polcy"), "unknown"),
            Diagnostic.info(Reason.NO_ENDPOINTS, Subject.of(web, "endpoints"), "none yet")));
    assertThat(metrics.scrape())
        .contains("fairlead_diagnostics{severity=\"error\"} 2.0")
        .contains("fairlead_diagnostics{severity=\"info\"} 1.0")
        .contains("fairlead_diagnostics_by_reason{reason=\"InvalidAnnotation\"} 2.0")
        .contains("fairlead_diagnostics_by_reason{reason=\"UnknownAnnotation\"} 1.0")
        .as("info is not a problem to count")
        .contains("fairlead_diagnostics_by_reason{reason=\"NoEndpoints\"} 0.0");
  }

  /**
   * Micrometer holds a gauge's object weakly: a supplier nobody else keeps (a method reference made
   * at the call) would read NaN after the next garbage collection. XdsMetrics keeps them.
   */
  @Test
  void gaugesOfSuppliersKeepReadingAfterAGarbageCollection() throws Exception {
    XdsMetrics metrics = new XdsMetrics();
    // capturing lambdas, as the bound method references of production code are: new objects
    io.fairlead.k8s.KubeSource.Health degraded =
        new io.fairlead.k8s.KubeSource.Health(true, false, java.util.Optional.empty());
    int groups = 3;
    DiagnosticEvents.Stats stats = new DiagnosticEvents.Stats(7, 0, 0, 0);
    metrics.watchSource(() -> degraded);
    metrics.watchGroups(() -> groups);
    metrics.watchEvents(() -> stats);
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(metrics.scrape())
        .contains("fairlead_source_degraded 1.0")
        .contains("fairlead_xds_groups 3.0")
        .contains("fairlead_events_written_total 7.0");
  }
}
