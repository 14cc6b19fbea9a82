package io.fairlead.bench;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpecBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A deterministic mesh: Services over several namespaces, each with one EndpointSlice of up to 100
 * endpoints spread over 3 zones, and a mix of balancing policies (round-robin, header hashing,
 * least-request, cookie sessions, subnet affinity, PreferClose). The same seed and sizes give the
 * same world.
 *
 * <p>A change ({@link #change(int)}) rewrites one Service's EndpointSlice, replacing its first
 * endpoint with a marker address {@code 172.16.0.0 + k} that the proxies look for ({@link
 * #markerOf(String)}), so a change is recognised wherever it arrives.
 */
public final class World {

  public static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");

  /** What a Service's ports get, by share of Services (the rest is plain round-robin). */
  enum Policy {
    ROUND_ROBIN(Map.of()),
    HEADER_HASH(Map.of("fairlead.io/hash-on", "header:x-user")),
    LEAST_REQUEST(Map.of("fairlead.io/lb-policy", "least-request")),
    COOKIE_SESSION(Map.of("fairlead.io/session-persistence", "cookie:session")),
    SUBNET_AFFINITY(
        Map.of("fairlead.io/hash-on", "source-ip", "fairlead.io/source-ip-prefix", "24")),
    PREFER_CLOSE(Map.of());

    final Map<String, String> annotations;

    Policy(Map<String, String> annotations) {
      this.annotations = annotations;
    }
  }

  /** Cumulative shares of ROUND_ROBIN..PREFER_CLOSE in percent. */
  private static final int[] SHARES = {35, 50, 65, 75, 85, 100};

  /**
   * @param services how many Services
   * @param endpoints endpoints per slice; 0 draws each slice's size from 1 to 100 (most small)
   * @param seed the world's seed
   * @param gatewayPercent the share of Services exposed on the default gateway group (those whose
   *     index modulo 100 is below it), each under its namespace's host {@code ns<n>.example.com} at
   *     the path {@code /svc<i>}: one route configuration aggregates them all. It draws nothing
   *     from the seed, so the world is otherwise the same.
   */
  public record Spec(int services, int endpoints, long seed, int gatewayPercent) {
    public Spec {
      if (services < 1 || endpoints < 0 || endpoints > 100) {
        throw new IllegalArgumentException("services >= 1, endpoints 0..100");
      }
      if (gatewayPercent < 0 || gatewayPercent > 100) {
        throw new IllegalArgumentException("gatewayPercent 0..100");
      }
    }

    /** A world without gateway exposure. */
    public Spec(int services, int endpoints, long seed) {
      this(services, endpoints, seed, 0);
    }
  }

  private final Spec spec;
  private final int namespaces;
  private final List<Service> services = new ArrayList<>();
  private final List<Integer> sizes = new ArrayList<>();
  private final List<Policy> policies = new ArrayList<>();
  private final int[] order;
  private KubeState state;
  private int nextAddress = 1;

  public World(Spec spec) {
    this.spec = spec;
    this.namespaces = Math.max(2, Math.min(50, spec.services() / 50));
    Random random = new Random(spec.seed());
    TreeMap<ObjectRef, Service> svcs = new TreeMap<>();
    TreeMap<ObjectRef, EndpointSlice> slices = new TreeMap<>();
    for (int i = 0; i < spec.services(); i++) {
      int draw = random.nextInt(100);
      Policy policy = Policy.values()[0];
      for (int p = 0; p < SHARES.length; p++) {
        if (draw < SHARES[p]) {
          policy = Policy.values()[p];
          break;
        }
      }
      boolean twoPorts = random.nextInt(10) == 0;
      int size =
          spec.endpoints() > 0
              ? spec.endpoints()
              : 1 + (int) (99 * Math.pow(random.nextDouble(), 3));
      Service svc = service(i, policy, twoPorts);
      services.add(svc);
      sizes.add(size);
      policies.add(policy);
      svcs.put(ref(i), svc);
      slices.put(sliceRef(i), slice(i, twoPorts, addresses(size), random));
    }
    state = new KubeState(svcs, slices);
    order = new int[spec.services()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1;
        i > 0;
        i--) { // Fisher-Yates: the order changes visit Services in
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  public Spec spec() {
    return spec;
  }

  public KubeState state() {
    return state;
  }

  public int namespaces() {
    return namespaces;
  }

  public int endpoints() {
    return sizes.stream().mapToInt(Integer::intValue).sum();
  }

  /** How many Services have each policy, for the report. */
  public Map<String, Integer> policyCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    policies.forEach(
        p ->
            counts.merge(
                p.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), 1, Integer::sum));
    return counts;
  }

  /** The Service a change k rewrites. */
  public ObjectRef changedService(int k) {
    return ref(order[k % order.length]);
  }

  /** The EDS name (cluster) of the Service's first port, which change k is looked for in. */
  public String changedCluster(int k) {
    ObjectRef ref = changedService(k);
    return ref.namespace() + "/" + ref.name() + ":8080";
  }

  /**
   * Applies change k (k >= 1): the Service's slice gets the marker address of k as first endpoint.
   */
  public Change change(int k) {
    int i = order[k % order.length];
    ObjectRef sliceRef = sliceRef(i);
    EndpointSlice old = state.endpointSlices().get(sliceRef);
    List<Endpoint> endpoints = new ArrayList<>(old.getEndpoints());
    Endpoint first = endpoints.get(0);
    endpoints.set(0, new EndpointBuilder(first).withAddresses(marker(k)).build());
    // as an informer event reaches a source: one slice replaced, O(log n)
    state =
        state.withSlice(sliceRef, new EndpointSliceBuilder(old).withEndpoints(endpoints).build());
    return new Change(Set.of(), Set.of(ref(i)), false);
  }

  /** The address that marks change k: 172.16.0.0 + k. */
  public static String marker(int k) {
    int n = (16 << 16) + k;
    return "172." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255);
  }

  /** The change an address marks, or -1. */
  public static int markerOf(String address) {
    if (!address.startsWith("172.")) {
      return -1;
    }
    String[] parts = address.split("\\.");
    if (parts.length != 4) {
      return -1;
    }
    int n =
        (Integer.parseInt(parts[1]) << 16)
            + (Integer.parseInt(parts[2]) << 8)
            + Integer.parseInt(parts[3]);
    return n - (16 << 16);
  }

  /** The cluster of every Service's http port, as on-demand sidecars name them. */
  public List<String> clusterNames() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < spec.services(); i++) {
      ObjectRef r = ref(i);
      names.add(r.namespace() + "/" + r.name() + ":8080");
    }
    return names;
  }

  /** What proxyless clients dial: the first Services' listener names. */
  public List<String> proxylessTargets(int count) {
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < Math.min(count, spec.services()); i++) {
      ObjectRef r = ref(i);
      targets.add(r.name() + "." + r.namespace() + ".svc.cluster.local:8080");
    }
    return targets;
  }

  private ObjectRef ref(int i) {
    return new ObjectRef("ns" + (i % namespaces), "svc" + i);
  }

  private ObjectRef sliceRef(int i) {
    return new ObjectRef("ns" + (i % namespaces), "svc" + i + "-abcde");
  }

  private List<String> addresses(int size) {
    List<String> out = new ArrayList<>(size);
    for (int e = 0; e < size; e++) {
      int n = nextAddress++;
      out.add("10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255));
    }
    return out;
  }

  private Service service(int i, Policy policy, boolean twoPorts) {
    ServiceSpecBuilder spec =
        new ServiceSpecBuilder()
            .withClusterIP("10." + (96 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256))
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .withTargetPort(new IntOrString(8080))
            .endPort();
    if (twoPorts) {
      spec.addNewPort()
          .withName("grpc")
          .withPort(9090)
          .withTargetPort(new IntOrString(9090))
          .withAppProtocol("grpc")
          .endPort();
    }
    if (policy == Policy.PREFER_CLOSE) {
      spec.withTrafficDistribution("PreferClose");
    }
    ObjectRef r = ref(i);
    TreeMap<String, String> annotations = new TreeMap<>(policy.annotations);
    if (i % 100 < this.spec.gatewayPercent()) {
      annotations.put("fairlead.io/gateway-host", r.namespace() + ".example.com");
      annotations.put("fairlead.io/gateway-path", "/" + r.name());
    }
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(r.namespace())
        .withName(r.name())
        .withAnnotations(annotations)
        .endMetadata()
        .withSpec(spec.build())
        .build();
  }

  private EndpointSlice slice(int i, boolean twoPorts, List<String> addresses, Random random) {
    ObjectRef r = sliceRef(i);
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace(r.namespace())
            .withName(r.name())
            .addToLabels("kubernetes.io/service-name", "svc" + i)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .withProtocol("TCP")
            .endPort();
    if (twoPorts) {
      b.addNewPort().withName("grpc").withPort(9090).withProtocol("TCP").endPort();
    }
    for (int e = 0; e < addresses.size(); e++) {
      String zone = ZONES.get((e + i) % ZONES.size());
      b.addToEndpoints(
          new EndpointBuilder()
              .withAddresses(addresses.get(e))
              .withNewConditions()
              .withReady(true)
              .withServing(true)
              .withTerminating(false)
              .endConditions()
              .withZone(zone)
              .withNodeName("node-" + zone + "-" + random.nextInt(20))
              .build());
    }
    return b.build();
  }
}
