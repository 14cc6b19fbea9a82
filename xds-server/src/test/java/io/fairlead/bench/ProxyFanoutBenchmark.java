package io.fairlead.bench;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.KubeState;
import io.fairlead.xds.ControlPlane;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints how long it takes to serve many connected proxies, and to fan one endpoint change out to
 * all of them over delta ADS. Each proxy is a raw delta stream that subscribes to every cluster
 * (wildcard CDS) and to the endpoints of a few clusters, and ACKs what it gets. Not a test: run it
 * with {@code scripts/bench.sh fanout [proxies] [services] [scoped|declared]}.
 */
public final class ProxyFanoutBenchmark {

  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String EDS = Resources.V3.ENDPOINT_TYPE_URL;
  private static final int WATCHED_CLUSTERS = 5;
  private static final String CHANGED = "ns0/svc0:8080";

  public static void main(String[] args) throws Exception {
    int proxies = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int services = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    // "scoped": every proxy sees 5 of the 100 namespaces (fairlead.io/visible-namespaces)
    boolean scoped = args.length > 2 && args[2].equals("scoped");
    // "declared": every proxy declares the 5 Services whose endpoints it watches
    // (fairlead.io/dependencies)
    boolean declared = args.length > 2 && args[2].equals("declared");
    System.out.printf(
        "fan-out: %d proxies (delta ADS, one node group%s), %d Services x 10 endpoints, %d cores%n",
        proxies,
        scoped
            ? ", scoped to 5 of 100 namespaces"
            : declared ? ", " + WATCHED_CLUSTERS + " Services declared" : "",
        services,
        Runtime.getRuntime().availableProcessors());
    KubeState state = ScaleBenchmark.state(services, 10, 0);
    IncrementalTranslator translator = new IncrementalTranslator();
    translator.update(state, Change.FULL);
    try (ControlPlane plane =
        ControlPlane.start(
            ControlPlane.Settings.onLoopback(Duration.ofMillis(10), Duration.ofMillis(100)),
            translator::translate)) {
      plane.changed();
      while (!plane.publisher().ready()) {
        Thread.sleep(10);
      }
      List<ManagedChannel> channels = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", plane.xdsPort()).usePlaintext().build());
      }
      List<String> watched = new ArrayList<>();
      for (int i = 0; i < WATCHED_CLUSTERS; i++) {
        watched.add("ns" + (i % 100) + "/svc" + i + ":8080");
      }
      CountDownLatch synced = new CountDownLatch(proxies);
      CountDownLatch updated = new CountDownLatch(proxies);
      Set<Integer> sawInitialEds = ConcurrentHashMap.newKeySet();
      Set<Integer> sawUpdate = ConcurrentHashMap.newKeySet();
      java.util.concurrent.atomic.AtomicBoolean changing =
          new java.util.concurrent.atomic.AtomicBoolean();
      long t0 = System.nanoTime();
      List<StreamObserver<DeltaDiscoveryRequest>> streams = new ArrayList<>();
      for (int p = 0; p < proxies; p++) {
        int id = p;
        StreamObserver<DeltaDiscoveryRequest>[] self = new StreamObserver[1];
        self[0] =
            AggregatedDiscoveryServiceGrpc.newStub(channels.get(p % channels.size()))
                .deltaAggregatedResources(
                    new StreamObserver<>() {
                      @Override
                      public void onNext(DeltaDiscoveryResponse r) {
                        self[0].onNext(
                            DeltaDiscoveryRequest.newBuilder()
                                .setTypeUrl(r.getTypeUrl())
                                .setResponseNonce(r.getNonce())
                                .build());
                        if (r.getTypeUrl().equals(EDS)) {
                          if (sawInitialEds.add(id)) {
                            synced.countDown();
                          } else if (changing.get()
                              && r.getResourcesList().stream()
                                  .anyMatch(res -> res.getName().equals(CHANGED))
                              && sawUpdate.add(id)) {
                            updated.countDown();
                          }
                        }
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {}
                    });
        Node node =
            Node.newBuilder()
                .setId("bench-" + p)
                .setUserAgentName("envoy")
                .setMetadata(
                    com.google.protobuf.Struct.newBuilder()
                        .putFields(
                            "fairlead.io/role",
                            com.google.protobuf.Value.newBuilder()
                                .setStringValue("sidecar")
                                .build())
                        .putAllFields(
                            scoped
                                ? java.util.Map.of(
                                    "fairlead.io/visible-namespaces",
                                    com.google.protobuf.Value.newBuilder()
                                        .setStringValue("ns0,ns1,ns2,ns3,ns4")
                                        .build())
                                : declared
                                    ? java.util.Map.of(
                                        "fairlead.io/dependencies",
                                        com.google.protobuf.Value.newBuilder()
                                            .setStringValue(
                                                String.join(
                                                    ",",
                                                    watched.stream()
                                                        .map(c -> c.substring(0, c.indexOf(':')))
                                                        .toList()))
                                            .build())
                                    : java.util.Map.of()))
                .build();
        self[0].onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(CDS).build());
        self[0].onNext(
            DeltaDiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(EDS)
                .addAllResourceNamesSubscribe(watched)
                .build());
        streams.add(self[0]);
      }
      boolean allSynced = synced.await(300, TimeUnit.SECONDS);
      long syncMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(
          "connect and initial sync (CDS %s clusters + EDS %d): %6d ms%s%n",
          scoped
              ? "~" + (services / 20 + 1)
              : declared ? String.valueOf(WATCHED_CLUSTERS + 1) : String.valueOf(services + 1),
          WATCHED_CLUSTERS,
          syncMs,
          allSynced ? "" : "  (NOT all synced: " + synced.getCount() + " left)");

      KubeState next = ScaleBenchmark.state(services, 10, 0);
      var slices = new java.util.TreeMap<>(next.endpointSlices());
      ObjectRef sliceRef = new ObjectRef("ns0", "svc0-x");
      slices.put(
          sliceRef, ScaleBenchmark.state(1, 11, 7).endpointSlices().values().iterator().next());
      KubeState changed = new KubeState(next.services(), slices);
      changing.set(true);
      long t1 = System.nanoTime();
      translator.update(changed, new Change(Set.of(), Set.of(new ObjectRef("ns0", "svc0")), false));
      plane.changed();
      boolean allUpdated = updated.await(300, TimeUnit.SECONDS);
      long fanMs = (System.nanoTime() - t1) / 1_000_000;
      System.out.printf(
          "one endpoint change -> all proxies got it: %6d ms (incl. %d ms debounce)%s%n",
          fanMs, 10, allUpdated ? "" : "  (NOT all updated: " + updated.getCount() + " left)");
      System.gc();
      Runtime rt = Runtime.getRuntime();
      System.out.printf("heap after GC: %d MiB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
      streams.forEach(StreamObserver::onCompleted);
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }
}
