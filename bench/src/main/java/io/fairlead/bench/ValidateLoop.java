package io.fairlead.bench;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.fairlead.translators.Change;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.xds.NodeGroups;
import io.fairlead.xds.SnapshotPublisher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A micro-benchmark of Envoy's validation as Fairlead runs it on every distinct resource it builds
 * ({@link XdsValidator}: the PGV rules and Envoy's load-time semantics), without the validation
 * cache: {@code java -cp bench/target/fairlead-bench.jar io.fairlead.bench.ValidateLoop [services]
 * [rounds]}. It translates a world of {@code services} Services (10,000 by default, 10 endpoints
 * each, as the cold scenario) for one sidecar group, then validates every resource of that snapshot
 * once per round and prints the thread's CPU time per round: the first rounds run interpreted or
 * C1-compiled code (what a cold start pays), the last ones compiled code.
 */
public final class ValidateLoop {

  private ValidateLoop() {}

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    World world = new World(new World.Spec(services, 10, 42));
    IncrementalTranslator translator = new IncrementalTranslator();
    SimpleCache<ProxyContext> cache = new SimpleCache<>(new NodeGroups());
    SnapshotPublisher publisher = SnapshotPublisher.forTranslator(cache, translator);
    ProxyContext group =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            ProxyContext.Gateway.DEFAULT,
            Optional.of(World.ZONES.get(0)),
            Optional.empty(),
            new TreeSet<>());
    publisher.groupSeen(group);
    translator.update(world.state(), Change.FULL);
    publisher.publish();
    Snapshot snapshot = cache.getSnapshot(group);
    List<Message> resources = new ArrayList<>();
    for (Resources.ResourceType type : Resources.ResourceType.values()) {
      resources.addAll(snapshot.resources(type).values());
    }
    XdsValidator validator = XdsValidator.withEnvoyTypes();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf(
        "ValidateLoop: %,d Services, %,d resources of one sidecar group, %d rounds%n",
        services, resources.size(), rounds);
    for (int r = 0; r < rounds; r++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      int violations = 0;
      for (Message resource : resources) {
        violations += validator.validateMessage("resource", resource).size();
      }
      double seconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
      System.out.printf(
          "round %d: %.3f s CPU, %.2f us per resource, %d violations%n",
          r, seconds, seconds * 1e6 / resources.size(), violations);
    }
  }
}
