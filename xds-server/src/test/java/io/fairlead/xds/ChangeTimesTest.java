package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeTimesTest {

  private static final ProxyContext GROUP =
      ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA);
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  @Test
  void aPublishCarriesTheEarliestPendingChange() {
    ChangeTimes times = new ChangeTimes();
    times.changed(Instant.ofEpochSecond(20));
    times.changed(Instant.ofEpochSecond(10));
    times.changed(Instant.ofEpochSecond(30));
    assertThat(times.takePending()).contains(Instant.ofEpochSecond(10));
    assertThat(times.takePending()).isEmpty();
  }

  @Test
  void onlyResponsesSentAfterThePublishCarryItsChange() {
    ChangeTimes times = new ChangeTimes();
    times.published(GROUP, CDS, Instant.ofEpochSecond(100), Instant.ofEpochSecond(90));
    assertThat(times.changeBehind(GROUP, CDS, Instant.ofEpochSecond(99))).isEmpty();
    assertThat(times.changeBehind(GROUP, CDS, Instant.ofEpochSecond(101)))
        .contains(Instant.ofEpochSecond(90));
    assertThat(times.changeBehind(GROUP, "other", Instant.ofEpochSecond(101))).isEmpty();
  }
}
