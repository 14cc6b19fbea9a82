package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The server-wide budget for what streams have sent and their clients not read ({@link
 * XdsLimits.Unread}), with streams whose flow control the test decides: a call is ready until it is
 * sent a response larger than 1,000 bytes (as gRPC's call stops being ready once it holds 32 KiB
 * the client has not read), and ready again when the test says its client read.
 */
class UnreadBudgetTest {

  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String EDS = Resources.V3.ENDPOINT_TYPE_URL;

  private final AtomicLong now = new AtomicLong();

  /** The sweeps the limits scheduled, run when a test says. */
  private final List<Runnable> sweeps = new ArrayList<>();

  private final XdsMetrics metrics = new XdsMetrics();
  private final XdsLimits limits =
      new XdsLimits(
          new XdsLimits.Settings(
              100, 100, 1000, 16 * 1024, 1000, new XdsLimits.Unread(10_000, Duration.ofMinutes(1))),
          metrics,
          now::get,
          false,
          (task, millis) -> sweeps.add(task));

  @Test
  void whileTheBudgetIsSpentResponsesWaitMergedAndGoOutWhenAClientReads() {
    Stream a = open();
    Stream b = open();
    a.served.sendMessage(response(CDS, "a1", 12_000)); // its client does not read it yet
    assertThat(a.call.sent).hasSize(1);
    assertThat(limits.unreadBytes()).isGreaterThanOrEqualTo(12_000);

    for (int v = 1; v <= 5; v++) {
      b.served.sendMessage(response(EDS, "b" + v, 100));
    }
    assertThat(b.call.sent).as("the budget is spent: b's responses wait").isEmpty();

    a.clientReads();
    assertThat(limits.unreadBytes()).isZero();
    assertThat(b.call.sent)
        .as("once a's client read, b gets the newest of what waited")
        .extracting(DiscoveryResponse::getVersionInfo)
        .containsExactly("b5");
    assertThat(metrics.scrape()).contains("limit=\"unread_wait\"");

    b.served.sendMessage(response(EDS, "b6", 100));
    assertThat(b.call.sent).as("with budget left, sent at once").hasSize(2);
    assertThat(a.call.closed).isEmpty();
    assertThat(b.call.closed).isEmpty();
  }

  @Test
  void streamsThatWaitedGoOnInTheOrderTheyWaited() {
    Stream a = open();
    Stream b = open();
    Stream c = open();
    a.served.sendMessage(response(CDS, "a1", 12_000));
    b.served.sendMessage(response(CDS, "b1", 10_500));
    c.served.sendMessage(response(CDS, "c1", 9_000));
    assertThat(b.call.sent).isEmpty();
    assertThat(c.call.sent).isEmpty();

    a.clientReads();
    // b goes first and spends the budget again (its client has not read yet): c still waits
    assertThat(b.call.sent).hasSize(1);
    assertThat(c.call.sent).isEmpty();

    b.clientReads();
    assertThat(c.call.sent).hasSize(1);
  }

  @Test
  void aStreamThatEndsGivesBackWhatItsClientHadNotRead() {
    Stream a = open();
    Stream b = open();
    a.served.sendMessage(response(CDS, "a1", 12_000));
    b.served.sendMessage(response(EDS, "b1", 100));
    assertThat(b.call.sent).isEmpty();

    a.listener.onCancel(); // the client went away
    assertThat(limits.unreadBytes()).isZero();
    assertThat(b.call.sent).hasSize(1);
    assertThat(limits.openStreams()).isOne();
  }

  @Test
  void aClientThatHoldsASpentBudgetWithoutReadingIsCutAfterTheTimeout() {
    Stream a = open();
    Stream b = open();
    a.served.sendMessage(response(CDS, "a1", 12_000));
    b.served.sendMessage(response(EDS, "b1", 100));
    assertThat(a.call.closed).as("not yet: a minute has not passed").isEmpty();

    assertThat(sweeps).as("b waits: a sweep is scheduled").hasSize(1);
    runSweeps();
    assertThat(a.call.closed).as("not yet: a minute has not passed").isEmpty();
    assertThat(sweeps).as("b still waits: the next sweep is scheduled").hasSize(1);

    now.addAndGet(Duration.ofSeconds(61).toNanos());
    b.served.sendMessage(response(EDS, "b2", 100));
    assertThat(a.call.closed).as("a send does not look for stuck streams").isEmpty();
    runSweeps();

    assertThat(a.call.closed)
        .singleElement()
        .satisfies(s -> assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(b.call.sent)
        .as("the stuck stream's part given back, b goes on with its newest")
        .extracting(DiscoveryResponse::getVersionInfo)
        .containsExactly("b2");
    assertThat(limits.unreadBytes()).isZero();
    assertThat(limits.openStreams()).isOne();
    assertThat(metrics.scrape()).contains("limit=\"unread\"");
    runSweeps();
    assertThat(sweeps).as("nothing waits: no sweep scheduled").isEmpty();
  }

  @Test
  void theServersOwnSweeperCutsAStuckClientWithoutAnotherSend() throws Exception {
    XdsLimits real =
        new XdsLimits(
            new XdsLimits.Settings(
                100,
                100,
                1000,
                16 * 1024,
                1000,
                new XdsLimits.Unread(10_000, Duration.ofMillis(300))),
            new XdsMetrics(),
            false);
    Stream a = open(real);
    Stream b = open(real);
    a.served.sendMessage(response(CDS, "a1", 12_000));
    b.served.sendMessage(response(EDS, "b1", 100));
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    synchronized (b.call) {
      while (b.call.sent.isEmpty() && System.nanoTime() < until) {
        b.call.wait(20);
      }
    }
    synchronized (b.call) {
      assertThat(b.call.sent).extracting(DiscoveryResponse::getVersionInfo).containsExactly("b1");
    }
    synchronized (a.call) {
      assertThat(a.call.closed).singleElement();
    }
  }

  private void runSweeps() {
    List<Runnable> due = List.copyOf(sweeps);
    sweeps.clear();
    due.forEach(Runnable::run);
  }

  @Test
  void aResponseIsCountedBeforeItIsWrittenSoStreamsSendingAtOnceCannotAllPass() {
    Stream a = open();
    Stream b = open();
    // while a's large response is being written (gRPC serializes it on the sending thread), b
    // sends on another thread: it must see a's bytes already counted
    a.call.duringSend = () -> b.served.sendMessage(response(CDS, "b1", 12_000));
    a.served.sendMessage(response(CDS, "a1", 12_000));
    assertThat(a.call.sent).hasSize(1);
    assertThat(b.call.sent).as("b waits: a's response holds the budget").isEmpty();

    a.clientReads();
    assertThat(b.call.sent).hasSize(1);
  }

  @Test
  void smallResponsesToReadingClientsNeverCount() {
    Stream a = open();
    for (int v = 1; v <= 1000; v++) {
      a.served.sendMessage(response(EDS, "a" + v, 500)); // each under the threshold, read at once
    }
    assertThat(a.call.sent).hasSize(1000);
    assertThat(limits.unreadBytes()).isZero();
  }

  private static DiscoveryResponse response(String type, String version, int bytes) {
    return DiscoveryResponse.newBuilder()
        .setTypeUrl(type)
        .setVersionInfo(version)
        .setNonce("x".repeat(bytes))
        .build();
  }

  /** A stream through the limits: the call the client side sees, and what the service sends on. */
  private record Stream(
      FakeServerCall call,
      ServerCall.Listener<DiscoveryRequest> listener,
      ServerCall<DiscoveryRequest, DiscoveryResponse> served) {

    void clientReads() {
      call.ready = true;
      listener.onReady();
    }
  }

  private Stream open() {
    return open(limits);
  }

  private static Stream open(XdsLimits limits) {
    FakeServerCall call = new FakeServerCall(1_000);
    List<ServerCall<DiscoveryRequest, DiscoveryResponse>> seen = new ArrayList<>();
    ServerCall.Listener<DiscoveryRequest> listener =
        limits.interceptCall(
            call,
            new Metadata(),
            (c, headers) -> {
              seen.add(c);
              return new ServerCall.Listener<>() {};
            });
    return new Stream(call, listener, seen.get(0));
  }
}
