package io.fairlead.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flood from the hardening report, at the example Deployment's memory settings: 2,000 ADS
 * streams, each asking for 1,000 clusters, opened over 50 connections and then dropped, against
 * {@code fairlead serve} in its own JVM with {@code -Xmx384m -XX:MaxDirectMemorySize=64m}. The
 * process must stay within the Deployment's 512 MiB, keep answering new clients, report itself
 * alive, and return its stream gauge to zero.
 */
class StreamFloodTest {

  @TempDir Path dir;
  private Process serve;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private int xdsPort;
  private int adminPort;

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    if (serve != null) {
      serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> admin(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private long rssKib() throws Exception {
    Matcher m =
        Pattern.compile("VmRSS:\\s+(\\d+) kB")
            .matcher(Files.readString(Path.of("/proc/" + serve.pid() + "/status")));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static final class Stream
      implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {
    final CompletableFuture<Object> end = new CompletableFuture<>();
    final CompletableFuture<DiscoveryResponse> first = new CompletableFuture<>();
    ClientCallStreamObserver<DiscoveryRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> r) {
      requests = r;
    }

    @Override
    public void onNext(DiscoveryResponse value) {
      first.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(t);
    }

    @Override
    public void onCompleted() {
      end.complete("completed");
    }
  }

  private static Stream open(ManagedChannel channel, String node, int names) {
    Stream s = new Stream();
    DiscoveryRequest.Builder r =
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(node).setUserAgentName("envoy"))
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL);
    for (int i = 0; i < names; i++) {
      r.addResourceNames("flood/cluster-" + i + ":80");
    }
    AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(s).onNext(r.build());
    return s;
  }

  @Test
  void twoThousandStreamsDroppedAtOnceLeaveTheServerAliveWithinItsMemory() throws Exception {
    Assumptions.linuxProc();
    StringBuilder manifests = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      manifests.append(
          """
          apiVersion: v1
          kind: Service
          metadata: {name: svc%d, namespace: flood}
          spec: {clusterIP: 10.96.%d.%d, ports: [{name: http, port: 80}]}
          ---
          """
              .formatted(i, i / 200, 1 + i % 200));
    }
    Files.writeString(dir.resolve("services.yaml"), manifests);
    xdsPort = freePort();
    adminPort = freePort();
    serve =
        ServeProcess.start(
            dir, xdsPort, adminPort, List.of("-Xmx384m", "-XX:MaxDirectMemorySize=64m"), List.of());
    ServeProcess.awaitReady(dir, adminPort);

    List<Stream> flood = new ArrayList<>();
    for (int c = 0; c < 50; c++) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", xdsPort).usePlaintext().build();
      channels.add(channel);
      for (int s = 0; s < 40; s++) {
        flood.add(open(channel, "flood-" + c + "-" + s, 1000));
      }
    }
    Thread.sleep(3000);
    long peakRss = rssKib();
    for (Stream s : flood) {
      s.requests.cancel("gone", null);
    }
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    channels.clear();

    // A new client is still answered, and the process says it is alive.
    ManagedChannel fresh =
        NettyChannelBuilder.forAddress("127.0.0.1", xdsPort).usePlaintext().build();
    channels.add(fresh);
    assertThat(open(fresh, "after", 0).first.get(20, TimeUnit.SECONDS).getResourcesCount())
        .isPositive();
    assertThat(admin("/healthz").statusCode()).isEqualTo(200);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!admin("/metrics")
        .body()
        .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 1.0")) {
      assertThat(System.nanoTime())
          .as("the gauge back to the one live client")
          .isLessThan(deadline);
      Thread.sleep(100);
    }
    long rss = Math.max(peakRss, rssKib());
    System.out.printf(
        "StreamFloodTest: peak RSS %d MiB at -Xmx384m -XX:MaxDirectMemorySize=64m; limit hits: %s%n",
        rss / 1024,
        admin("/metrics")
            .body()
            .lines()
            .filter(l -> l.startsWith("fairlead_xds_limit_hits_total"))
            .toList());
    assertThat(rss).as("RSS in KiB, within the Deployment's 512 MiB limit").isLessThan(512 * 1024);
  }

  /** The RSS reading needs Linux's /proc. */
  private static final class Assumptions {
    static void linuxProc() {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          Files.isDirectory(Path.of("/proc/self")), "needs /proc");
    }
  }
}
