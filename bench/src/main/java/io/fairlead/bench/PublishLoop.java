package io.fairlead.bench;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.xds.NodeGroups;
import io.fairlead.xds.SnapshotPublisher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A micro-benchmark of the server's work on one endpoint change, without proxies or network: {@code
 * java -cp bench/target/fairlead-bench.jar io.fairlead.bench.PublishLoop [services] [changes]
 * [zones] [gateway-percent]}.
 *
 * <p>It builds a world of {@code services} Services (1,000 by default), then applies {@code
 * changes} single-endpoint changes (500) through the real path: {@link
 * IncrementalTranslator#update} and {@link SnapshotPublisher#publish()} with K = 2 x {@code zones}
 * node groups (sidecar and proxyless gRPC per zone, 3 zones: as the bench's fleet), and measures
 * the CPU time of this thread per change with {@link ThreadMXBean}. Then the same changes through
 * the naive baseline's full rebuild ({@link NaiveTarget.Rebuild}). Each side first runs the changes
 * once to warm up the JIT. No watch is open, so the figures leave out the responses to proxies:
 * they are the publish cost.
 *
 * <p>With {@code gateway-percent} above 0 (default 0), that share of the Services is exposed on the
 * default gateway group ({@link World.Spec#gatewayPercent()}), the gateway group is one more node
 * group, and the naive baseline rebuilds the gateway's snapshot too.
 */
public final class PublishLoop {

  private PublishLoop() {}

  public static void main(String[] args) {
    // the publisher logs a line per publish: not what is measured here
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int changes = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int zones = args.length > 2 ? Integer.parseInt(args[2]) : World.ZONES.size();
    int gatewayPercent = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf(
        "PublishLoop: %,d Services (%d%% on the gateway), %,d single-endpoint changes, %d node"
            + " groups%n",
        services, gatewayPercent, changes, groups(zones, gatewayPercent).size());

    World world = new World(new World.Spec(services, 0, 42, gatewayPercent));
    IncrementalTranslator translator = new IncrementalTranslator();
    SimpleCache<ProxyContext> cache = new SimpleCache<>(new NodeGroups());
    SnapshotPublisher publisher = SnapshotPublisher.forTranslator(cache, translator);
    for (ProxyContext group : groups(zones, gatewayPercent)) {
      publisher.groupSeen(group);
    }
    long t0 = threads.getCurrentThreadCpuTime();
    long wall0 = System.nanoTime();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long process0 = os.getProcessCpuTime();
    translator.update(world.state(), Change.FULL);
    publisher.publish();
    double cold = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
    double coldWall = (System.nanoTime() - wall0) / 1e6;
    // every thread of the JVM: the pool's workers, the JIT compilers and the GC too
    double coldProcess = (os.getProcessCpuTime() - process0) / 1e6;
    int k = 1;
    for (int i = 0; i < changes; i++, k++) {
      Change change = world.change(k); // first: it moves the world to its next state
      translator.update(world.state(), change);
      publisher.publish();
    }
    long validations = translator.validations();
    long fullAssemblies = translator.fullAssemblies();
    long gatewayRebuilds = translator.gatewayRebuilds();
    t0 = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < changes; i++, k++) {
      Change change = world.change(k); // first: it moves the world to its next state
      translator.update(world.state(), change);
      publisher.publish();
    }
    double fairlead = (threads.getCurrentThreadCpuTime() - t0) / 1e6 / changes;
    validations = translator.validations() - validations;
    fullAssemblies = translator.fullAssemblies() - fullAssemblies;
    gatewayRebuilds = translator.gatewayRebuilds() - gatewayRebuilds;

    // Services deleted and created again (a deployment rolled out under a new Service, a namespace
    // going): each is one publish; a first round warms the JIT, the second is measured
    List<ObjectRef> refs = new ArrayList<>(world.state().services().keySet());
    int serviceOps = Math.min(refs.size(), Math.max(10, changes / 10));
    serviceChurn(translator, publisher, world.state(), refs, serviceOps);
    long serviceFull = translator.fullAssemblies();
    t0 = threads.getCurrentThreadCpuTime();
    serviceChurn(translator, publisher, world.state(), refs, serviceOps);
    double perServiceOp = (threads.getCurrentThreadCpuTime() - t0) / 1e6 / (2.0 * serviceOps);
    serviceFull = translator.fullAssemblies() - serviceFull;
    // what was published is what a full translation of the final state gives
    boolean same = true;
    for (ProxyContext group : groups(zones, gatewayPercent)) {
      var full =
          io.fairlead.translators.xds.XdsTranslator.translate(
              io.fairlead.translators.KubeModelBuilder.build(world.state()), group);
      var published = publisher.published(group).orElseThrow();
      same &=
          published.clusters().equals(full.clusters())
              && published.endpoints().equals(full.endpoints())
              && published.listeners().equals(full.listeners())
              && published.routes().equals(full.routes());
    }

    World naiveWorld = new World(new World.Spec(services, 0, 42, gatewayPercent));
    NaiveTarget.Rebuild naive = new NaiveTarget.Rebuild(gatewayPercent > 0);
    t0 = threads.getCurrentThreadCpuTime();
    naive.apply(naiveWorld.state(), Change.FULL);
    double naiveCold = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
    k = 1;
    for (int i = 0; i < changes; i++, k++) {
      Change change = naiveWorld.change(k);
      naive.apply(naiveWorld.state(), change);
    }
    t0 = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < changes; i++, k++) {
      Change change = naiveWorld.change(k);
      naive.apply(naiveWorld.state(), change);
    }
    double naivePerChange = (threads.getCurrentThreadCpuTime() - t0) / 1e6 / changes;

    System.out.printf(
        "first state:          fairlead %8.1f ms   naive %8.1f ms   (CPU of this thread)%n",
        cold, naiveCold);
    System.out.printf(
        "first state, fairlead: %8.1f ms wall, %8.1f ms CPU of the process%n",
        coldWall, coldProcess);
    System.out.printf(
        "CPU ms per change:    fairlead %8.2f      naive %8.2f      (fairlead / naive = %.2f)%n",
        fairlead, naivePerChange, fairlead / naivePerChange);
    System.out.printf(
        "fairlead per change:  %.2f resources validated, %.2f groups assembled in full, %.2f"
            + " gateway listener and route builds%n",
        (double) validations / changes,
        (double) fullAssemblies / changes,
        (double) gatewayRebuilds / changes);
    System.out.printf(
        "Service deleted or created: fairlead %8.2f CPU ms each, %.2f groups assembled in full"
            + " (%d of each)%n",
        perServiceOp, serviceFull / (2.0 * serviceOps), serviceOps);
    System.out.printf("published equals the full translation of the final state: %s%n", same);
    if (!same) {
      System.exit(1);
    }
  }

  /**
   * Deletes {@code ops} Services spread over {@code refs} with their EndpointSlices, one publish
   * each, and creates each again (the world is back at {@code state} afterwards).
   */
  private static void serviceChurn(
      IncrementalTranslator translator,
      SnapshotPublisher publisher,
      KubeState state,
      List<ObjectRef> refs,
      int ops) {
    for (int i = 0; i < ops; i++) {
      ObjectRef ref = refs.get((int) ((long) i * refs.size() / ops));
      // as Kubernetes deletes it: the Service, then its EndpointSlices (owned by it)
      KubeState without = state.withoutService(ref);
      for (ObjectRef slice : state.slicesByService().getOrDefault(ref, new TreeMap<>()).keySet()) {
        without = without.withoutSlice(slice);
      }
      Change change = new Change(Set.of(ref), Set.of(ref), false);
      translator.update(without, change);
      publisher.publish();
      translator.update(state, change);
      publisher.publish();
    }
  }

  /** Sidecar and proxyless gRPC per zone, as the fleet's proxies group, and the gateway. */
  static List<ProxyContext> groups(int zones, int gatewayPercent) {
    List<ProxyContext> groups = new ArrayList<>(groups(zones));
    if (gatewayPercent > 0) {
      groups.add(ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY));
    }
    return groups;
  }

  /** Sidecar and proxyless gRPC per zone, as the fleet's proxies group. */
  static List<ProxyContext> groups(int zones) {
    List<ProxyContext> groups = new ArrayList<>();
    for (int z = 0; z < zones; z++) {
      Optional<String> zone =
          Optional.of(World.ZONES.get(z % World.ZONES.size()) + (z < 3 ? "" : "-" + z));
      for (ProxyRole role : List.of(ProxyRole.SIDECAR, ProxyRole.PROXYLESS)) {
        groups.add(
            new ProxyContext(
                role,
                role == ProxyRole.SIDECAR ? ClientKind.ENVOY : ClientKind.GRPC_JAVA,
                ProxyContext.Gateway.DEFAULT,
                zone,
                Optional.empty(),
                new TreeSet<>()));
      }
    }
    return groups;
  }
}
