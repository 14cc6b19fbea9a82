package io.fairlead.bench;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.xds.NodeGroups;
import io.fairlead.xds.PublishResult;
import io.fairlead.xds.SnapshotPublisher;
import io.fairlead.xds.XdsMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints how long translation and publishing take at scale, and the heap they need. Not a test: run
 * it with {@code scripts/bench.sh [services] [endpointsPerService]} (default 10000 x 10).
 */
public final class ScaleBenchmark {

  private static final String[] POLICIES = {
    null,
    "fairlead.io/hash-on=header:x-user",
    "fairlead.io/lb-policy=least-request",
    "fairlead.io/session-persistence=cookie:s",
    "fairlead.io/hash-on=source-ip,fairlead.io/source-ip-prefix=24"
  };

  public static void main(String[] args) {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int perService = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    System.out.printf(
        "scale: %d Services x %d endpoints = %d endpoints, %d cores, max heap %d MiB%n",
        services,
        perService,
        services * perService,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    KubeState state = state(services, perService, 0);
    List<ProxyContext> groups =
        List.of(
            ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY),
            ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY),
            ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA),
            ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE));

    IncrementalTranslator translator = new IncrementalTranslator();
    long t0 = System.nanoTime();
    translator.update(state, Change.FULL);
    long model = System.nanoTime() - t0;
    SnapshotPublisher publisher =
        new SnapshotPublisher(
            new SimpleCache<>(new NodeGroups()), translator::translate, new XdsMetrics());
    groups.forEach(publisher::groupSeen);
    t0 = System.nanoTime();
    PublishResult first = publisher.publish();
    long firstPublish = System.nanoTime() - t0;
    XdsResources sidecar = translator.translate(groups.get(0));
    System.out.printf("full model build:              %7.0f ms%n", model / 1e6);
    System.out.printf(
        "first publish, %d groups:       %7.0f ms  (%s; sidecar: %d clusters, %d listeners)%n",
        groups.size(),
        firstPublish / 1e6,
        first,
        sidecar.clusters().size(),
        sidecar.listeners().size());

    // One Service's endpoints change: the steady-state case.
    long worst = 0;
    long total = 0;
    int rounds = 20;
    for (int i = 1; i <= rounds; i++) {
      KubeState next = withMovedEndpoints(state, i);
      ObjectRef changed = new ObjectRef("ns" + (i % 100), "svc" + i);
      t0 = System.nanoTime();
      translator.update(next, new Change(Set.of(), Set.of(changed), false));
      publisher.publish();
      long took = System.nanoTime() - t0;
      worst = Math.max(worst, took);
      total += took;
      state = next;
    }
    System.out.printf(
        "endpoint change -> published:  %7.0f ms mean, %.0f ms worst (%d rounds)%n",
        total / 1e6 / rounds, worst / 1e6, rounds);
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        "heap after GC:                 %7d MiB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
  }

  static KubeState state(int services, int perService, int salt) {
    List<Service> svcs = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      svcs.add(service(i));
      slices.add(slice(i, perService, salt));
    }
    return KubeState.of(svcs, slices);
  }

  private static KubeState withMovedEndpoints(KubeState state, int i) {
    ObjectRef ref = new ObjectRef("ns" + (i % 100), "svc" + i + "-x");
    TreeMap<ObjectRef, EndpointSlice> slices = new TreeMap<>(state.endpointSlices());
    EndpointSlice old = slices.get(ref);
    slices.put(ref, slice(i, old.getEndpoints().size(), i * 7919));
    return new KubeState(state.services(), slices);
  }

  private static Service service(int i) {
    Map<String, String> annotations = new TreeMap<>();
    String policy = POLICIES[i % POLICIES.length];
    if (policy != null) {
      for (String kv : policy.split(",")) {
        annotations.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("ns" + (i % 100))
        .withName("svc" + i)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withClusterIP("10." + (96 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256))
        .addNewPort()
        .withName(i % 3 == 0 ? "grpc" : "http")
        .withPort(8080)
        .withTargetPort(new IntOrString(8080))
        .endPort()
        .endSpec()
        .build();
  }

  private static EndpointSlice slice(int i, int perService, int salt) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("ns" + (i % 100))
            .withName("svc" + i + "-x")
            .addToLabels("kubernetes.io/service-name", "svc" + i)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName(i % 3 == 0 ? "grpc" : "http")
            .withPort(8080)
            .endPort();
    for (int e = 0; e < perService; e++) {
      int n = i * perService + e + salt;
      b.addToEndpoints(
          new EndpointBuilder()
              .withAddresses("10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255))
              .withNewConditions()
              .withReady(true)
              .endConditions()
              .withZone("zone-" + (e % 3))
              .build());
    }
    return b.build();
  }
}
