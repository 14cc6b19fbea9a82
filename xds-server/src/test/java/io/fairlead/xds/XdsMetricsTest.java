package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.k8s.events.DiagnosticEvents;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class XdsMetricsTest {

  @Test
  void eventWriterCountersAreExported() {
    XdsMetrics metrics = new XdsMetrics();
    AtomicReference<DiagnosticEvents.Stats> stats = new AtomicReference<>(new DiagnosticEvents.Stats(0, 0, 0, 0));
    metrics.watchEvents(stats::get);
    stats.set(new DiagnosticEvents.Stats(3, 2, 1, 4));
    assertThat(metrics.scrape())
        .contains("fairlead_events_written_total 3.0")
        .contains("fairlead_events_counted_total 2.0")
        .contains("fairlead_events_failed_total 1.0")
        .contains("fairlead_events_dropped_total 4.0");
  }
}
