package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.k8s.DirectorySource;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.GroupResources;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Sidecar, proxyless and gateway groups are updated from the Services that changed only (persistent
 * maps, versions and consistency checked for the changed names): whatever the sequence of changes,
 * each group's resources must equal a full translation of the state, and a publisher fed the deltas
 * must hold exactly what one built from scratch holds, with the versions of unchanged types kept.
 */
class IncrementalGroupsTest {

  private static final Path GOLDEN =
      Path.of("..", "translators", "src", "test", "resources", "golden");

  /** Three zones of sidecars and proxyless clients (as the bench's fleet), plus the others. */
  private static final List<ProxyContext> GROUPS = groups();

  private static List<ProxyContext> groups() {
    List<ProxyContext> groups = new ArrayList<>();
    for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
      groups.add(context(ProxyRole.SIDECAR, ClientKind.ENVOY, zone));
      groups.add(context(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA, zone));
    }
    groups.add(ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE));
    groups.add(ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY));
    // the golden cases' other gateway group, behind a balancer sending the PROXY header
    groups.add(
        new ProxyContext(
            ProxyRole.GATEWAY,
            ClientKind.ENVOY,
            new ProxyContext.Gateway("internal", 9090, 1, true, false),
            Optional.empty(),
            Optional.empty(),
            new TreeSet<>()));
    groups.add(
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.empty(),
            Optional.of("node-2"),
            new TreeSet<>(List.of("demo", "shop"))));
    return List.copyOf(groups);
  }

  private static ProxyContext context(ProxyRole role, ClientKind client, String zone) {
    return new ProxyContext(role, client, "default", 8080, Optional.of(zone), Optional.empty());
  }

  @Test
  void everyGroupEqualsTheFullTranslationWhateverTheChanges() throws Exception {
    List<KubeState> states = goldenStates();
    for (int i = 0; i + 1 < states.size(); i += 2) {
      states.add(union(states.get(i), states.get(i + 1)));
    }
    KubeState all = states.stream().reduce(KubeState.EMPTY, IncrementalGroupsTest::union);
    states.add(all);
    IncrementalTranslator translator = new IncrementalTranslator();
    // with a trace collector, whose cluster comes and goes with the connection managers
    TranslationSettings traced =
        TranslationSettings.DEFAULT.withTracing(
            Optional.of(new TranslationSettings.Tracing("otel.observability", 4317, 10)));
    IncrementalTranslator tracing = new IncrementalTranslator(traced);
    Random random = new Random(7);
    KubeState previous = KubeState.EMPTY;
    KubeState state = all;
    int endpointSteps = 0;
    int exposureSteps = 0;
    for (int step = 0; step < 160; step++) {
      Change change;
      int kind = random.nextInt(8);
      Edit exposure = kind == 1 || kind == 2 ? editExposure(state, random, step) : null;
      if (kind == 0) {
        state = states.get(random.nextInt(states.size()));
        change = Change.between(previous, state);
      } else if (exposure != null) {
        // a Service's gateway exposure: its host, path or group
        state = exposure.state();
        change = Change.ofService(exposure.service());
        exposureSteps++;
      } else {
        // one to three endpoint changes: what a running mesh mostly sends
        int edits = 1 + random.nextInt(3);
        Set<ObjectRef> touched = new TreeSet<>();
        for (int e = 0; e < edits; e++) {
          Edit edit = editEndpoints(state, random, step);
          if (edit != null) {
            state = edit.state();
            touched.add(edit.service());
          }
        }
        change = Change.ofEndpoints(touched);
        endpointSteps++;
      }
      translator.update(state, change);
      tracing.update(state, change);
      previous = state;
      // groups are not all translated after every update: some catch up over several
      Function<ProxyContext, GroupResources> view = translator.groupView();
      var model = KubeModelBuilder.build(state);
      for (ProxyContext group : GROUPS) {
        if (random.nextInt(5) == 0) {
          continue;
        }
        XdsResources full = XdsTranslator.translate(model, group);
        assertThat(view.apply(group).toResources())
            .as("step " + step + " " + group)
            .isEqualTo(full);
        if (group.role() != ProxyRole.PROXYLESS && random.nextBoolean()) {
          assertThat(tracing.resources(group).toResources())
              .as("traced, step " + step + " " + group)
              .isEqualTo(XdsTranslator.translate(model, group, traced));
        }
      }
    }
    assertThat(endpointSteps).isGreaterThan(70);
    assertThat(exposureSteps).isGreaterThan(8);
  }

  @Test
  void anEndpointChangeIsAppliedWithoutAssemblingAnyGroupInFull() throws Exception {
    KubeState state = goldenStates().stream().reduce(KubeState.EMPTY, IncrementalGroupsTest::union);
    IncrementalTranslator translator = new IncrementalTranslator();
    translator.update(state, Change.FULL);
    Function<ProxyContext, GroupResources> view = translator.groupView();
    GROUPS.forEach(view::apply);
    Random random = new Random(3);
    int gatewayEndpoints = 0;
    for (int step = 0; step < 40; step++) {
      Edit edit = editEndpoints(state, random, step);
      state = edit.state();
      translator.update(state, Change.ofEndpoints(Set.of(edit.service())));
      long before = translator.fullAssemblies();
      long rebuilds = translator.gatewayRebuilds();
      view = translator.groupView();
      for (ProxyContext group : GROUPS) {
        GroupResources r = view.apply(group);
        assertThat(r.delta()).as(group.toString()).isPresent();
        assertThat(r.delta().get().clusters()).as("clusters are equal, kept").isEmpty();
        assertThat(r.delta().get().listeners()).as(group.toString()).isEmpty();
        assertThat(r.delta().get().routes()).as(group.toString()).isEmpty();
        if (group.role() == ProxyRole.GATEWAY) {
          gatewayEndpoints += r.delta().get().endpoints().size();
        }
      }
      assertThat(translator.fullAssemblies() - before).as("no group in full").isZero();
      assertThat(translator.gatewayRebuilds() - rebuilds)
          .as("the gateways' listener and route kept, not built again")
          .isZero();
    }
    assertThat(gatewayEndpoints).as("gateway endpoints changed along").isPositive();
  }

  @Test
  void aServiceCreatedOrDeletedIsAppliedWithoutAssemblingAnyGroupInFull() throws Exception {
    KubeState state = goldenWorld();
    IncrementalTranslator translator = servingEveryGroup(state);
    List<Diagnostic> diagnostics = translator.diagnostics();
    ObjectRef clean = new ObjectRef("shop", "added");
    ObjectRef headless = new ObjectRef("shop", "headless"); // a sidecar diagnostic: no listener
    ObjectRef misspelt = new ObjectRef("demo", "misspelt"); // a model diagnostic: a bad value
    Map<ObjectRef, io.fabric8.kubernetes.api.model.Service> services =
        Map.of(
            clean, service(clean, "10.96.250.1", Map.of()),
            headless, service(headless, "None", Map.of()),
            misspelt, service(misspelt, "10.96.250.2", Map.of("fairlead.io/lb-policy", "fastest")));
    for (Map.Entry<ObjectRef, io.fabric8.kubernetes.api.model.Service> e : services.entrySet()) {
      ObjectRef ref = e.getKey();
      KubeState added = state.withService(ref, e.getValue()).withSlice(sliceRef(ref), slice(ref));
      Change change = new Change(Set.of(ref), Set.of(ref), false);
      for (KubeState next : List.of(added, state)) { // created, then deleted again
        long before = translator.fullAssemblies();
        translator.update(next, change);
        var model = KubeModelBuilder.build(next);
        for (ProxyContext group : GROUPS) {
          GroupResources r = translator.resources(group);
          assertThat(r.toResources())
              .as(ref + " " + group)
              .isEqualTo(XdsTranslator.translate(model, group));
          assertThat(r.delta()).as(ref + " " + group).isPresent();
        }
        assertThat(translator.fullAssemblies() - before).as(ref + ": no group in full").isZero();
        if (ref.equals(clean)) {
          // the state's diagnostics are the same: no Service changed its own
          assertThat(translator.diagnostics()).isEqualTo(diagnostics);
        }
      }
      assertThat(translator.diagnostics()).as("deleted: as before").isEqualTo(diagnostics);
    }
    // the sidecars got, then lost, the new Services' listeners
    assertThat(
            translator
                .resources(ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY))
                .toResources()
                .listeners())
        .noneMatch(l -> l.getName().contains("added") || l.getName().contains("misspelt"));
  }

  @Test
  void aServiceClaimingAnotherOnesAddressIsResolvedAsTheFullAssemblyDoes() throws Exception {
    KubeState state = goldenWorld();
    IncrementalTranslator translator = servingEveryGroup(state);
    // a new Service on the virtual IP and port of an existing one (a directory can say so)
    Map.Entry<ObjectRef, io.fabric8.kubernetes.api.model.Service> taken =
        state.services().entrySet().stream()
            .filter(e -> e.getValue().getSpec().getClusterIP() != null)
            .filter(e -> !"None".equals(e.getValue().getSpec().getClusterIP()))
            .filter(
                e -> e.getValue().getSpec().getPorts().stream().anyMatch(p -> p.getPort() == 80))
            .findFirst()
            .orElseThrow();
    String ip = taken.getValue().getSpec().getClusterIP();
    for (String name : List.of("aaa", "zzz")) { // before and after it in ref order
      ObjectRef ref = new ObjectRef(taken.getKey().namespace(), name);
      KubeState clash =
          state.withService(ref, service(ref, ip)).withSlice(sliceRef(ref), slice(ref));
      Change change = new Change(Set.of(ref), Set.of(ref), false);
      for (KubeState next : List.of(clash, state)) {
        translator.update(next, change);
        var model = KubeModelBuilder.build(next);
        for (ProxyContext group : GROUPS) {
          assertThat(translator.resources(group).toResources())
              .as(name + " " + group)
              .isEqualTo(XdsTranslator.translate(model, group));
        }
      }
      translator.update(clash, change);
      assertThat(
              translator
                  .resources(ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY))
                  .diagnostics())
          .as("the conflict is reported")
          .anyMatch(d -> d.reason() == io.fairlead.policies.Reason.ADDRESS_CONFLICT);
      translator.update(state, change);
    }
  }

  /** Every golden case in one state. */
  private static KubeState goldenWorld() throws Exception {
    return goldenStates().stream().reduce(KubeState.EMPTY, IncrementalGroupsTest::union);
  }

  /** A translator given {@code state} in full, with every group translated once. */
  private static IncrementalTranslator servingEveryGroup(KubeState state) {
    IncrementalTranslator translator = new IncrementalTranslator();
    translator.update(state, Change.FULL);
    GROUPS.forEach(translator::resources);
    return translator;
  }

  private static io.fabric8.kubernetes.api.model.Service service(ObjectRef ref, String clusterIp) {
    return service(ref, clusterIp, Map.of());
  }

  private static io.fabric8.kubernetes.api.model.Service service(
      ObjectRef ref, String clusterIp, Map<String, String> annotations) {
    return new io.fabric8.kubernetes.api.model.ServiceBuilder()
        .withNewMetadata()
        .withNamespace(ref.namespace())
        .withName(ref.name())
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withClusterIP(clusterIp)
        .withClusterIPs(clusterIp)
        .addNewPort()
        .withName("http")
        .withPort(80)
        .withProtocol("TCP")
        .withAppProtocol("http")
        .endPort()
        .endSpec()
        .build();
  }

  private static ObjectRef sliceRef(ObjectRef service) {
    return new ObjectRef(service.namespace(), service.name() + "-1");
  }

  private static EndpointSlice slice(ObjectRef service) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(service.namespace())
        .withName(service.name() + "-1")
        .addToLabels("kubernetes.io/service-name", service.name())
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("http")
        .withPort(8080)
        .withProtocol("TCP")
        .endPort()
        .withEndpoints(
            new EndpointBuilder()
                .withAddresses("10.1.250.1")
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .build())
        .build();
  }

  @Test
  void anExposureChangeRebuildsTheGatewayRouteOnlyWithoutAFullAssembly() throws Exception {
    KubeState state = goldenStates().stream().reduce(KubeState.EMPTY, IncrementalGroupsTest::union);
    IncrementalTranslator translator = new IncrementalTranslator();
    translator.update(state, Change.FULL);
    List<ProxyContext> gateways =
        GROUPS.stream().filter(g -> g.role() == ProxyRole.GATEWAY).toList();
    gateways.forEach(translator::resources);
    List<ObjectRef> exposed =
        state.services().entrySet().stream()
            .filter(
                e ->
                    e.getValue().getMetadata().getAnnotations() != null
                        && e.getValue()
                            .getMetadata()
                            .getAnnotations()
                            .containsKey("fairlead.io/gateway-host"))
            // bad-annotations' "bad host" is not exposed: a path makes no route for it
            .filter(
                e ->
                    !e.getValue()
                        .getMetadata()
                        .getAnnotations()
                        .get("fairlead.io/gateway-host")
                        .contains(" "))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(exposed).hasSizeGreaterThan(3);
    for (int step = 0; step < exposed.size(); step++) {
      ObjectRef ref = exposed.get(step);
      io.fabric8.kubernetes.api.model.Service svc = state.services().get(ref);
      Map<String, String> annotations = new java.util.TreeMap<>(svc.getMetadata().getAnnotations());
      // a path no other Service claims: no clash, no new diagnostic
      annotations.put("fairlead.io/gateway-path", "/only-" + step);
      state =
          state.withService(
              ref,
              new io.fabric8.kubernetes.api.model.ServiceBuilder(svc)
                  .editMetadata()
                  .withAnnotations(annotations)
                  .endMetadata()
                  .build());
      translator.update(state, Change.ofService(ref));
      long before = translator.fullAssemblies();
      int routesChanged = 0;
      var model = KubeModelBuilder.build(state);
      for (ProxyContext group : gateways) {
        GroupResources r = translator.resources(group);
        assertThat(r.toResources())
            .as(group.toString())
            .isEqualTo(XdsTranslator.translate(model, group));
        assertThat(r.delta()).as(group.toString()).isPresent();
        assertThat(r.delta().get().clusters()).as("clusters are equal, kept").isEmpty();
        assertThat(r.delta().get().endpoints()).as("endpoints are equal, kept").isEmpty();
        routesChanged += r.delta().get().routes().size();
      }
      assertThat(translator.fullAssemblies() - before).as("step " + step).isZero();
      assertThat(translator.gatewayRebuilds()).as("step " + step).isPositive();
      assertThat(routesChanged).as("step " + step + ": the gateway's route of " + ref).isOne();
    }
  }

  @Test
  void aPublisherFedTheDeltasHoldsWhatOneBuiltFromScratchHolds() throws Exception {
    KubeState state = goldenStates().stream().reduce(KubeState.EMPTY, IncrementalGroupsTest::union);
    IncrementalTranslator translator = new IncrementalTranslator();
    SnapshotPublisher publisher =
        SnapshotPublisher.forTranslator(new SimpleCache<>(new NodeGroups()), translator);
    GROUPS.forEach(publisher::groupSeen);
    translator.update(state, Change.FULL);
    publisher.publish();
    Random random = new Random(11);
    for (int step = 0; step < 12; step++) {
      Map<ProxyContext, SortedMap<String, String>> before = new java.util.HashMap<>();
      for (ProxyContext group : GROUPS) {
        before.put(group, publisher.published(group).orElseThrow().versions());
      }
      Edit edit = editEndpoints(state, random, step);
      state = edit.state();
      translator.update(state, Change.ofEndpoints(Set.of(edit.service())));
      publisher.publish();

      // from scratch: a new translator and publisher on the same state
      IncrementalTranslator fresh = new IncrementalTranslator();
      SnapshotPublisher scratch =
          SnapshotPublisher.forTranslator(new SimpleCache<>(new NodeGroups()), fresh);
      GROUPS.forEach(scratch::groupSeen);
      fresh.update(state, Change.FULL);
      scratch.publish();
      for (ProxyContext group : GROUPS) {
        PublishedGroup now = publisher.published(group).orElseThrow();
        PublishedGroup expected = scratch.published(group).orElseThrow();
        String as = "step " + step + " " + group;
        assertThat(now.versions()).as(as).isEqualTo(expected.versions());
        assertThat(now.clusters()).as(as).isEqualTo(expected.clusters());
        assertThat(now.endpoints()).as(as).isEqualTo(expected.endpoints());
        assertThat(now.listeners()).as(as).isEqualTo(expected.listeners());
        assertThat(now.routes()).as(as).isEqualTo(expected.routes());
        XdsResources full = XdsTranslator.translate(KubeModelBuilder.build(state), group);
        assertThat(now.endpoints()).as(as).isEqualTo(full.endpoints());
        // an endpoint change leaves the other types' versions as they were
        for (String type :
            List.of(
                Resources.V3.CLUSTER_TYPE_URL,
                Resources.V3.LISTENER_TYPE_URL,
                Resources.V3.ROUTE_TYPE_URL)) {
          assertThat(now.versions().get(type))
              .as(as + " " + type)
              .isEqualTo(before.get(group).get(type));
        }
        if (publisher.cache().getSnapshot(group) != null) {
          assertThat(publisher.cache().getSnapshot(group).version(Resources.ResourceType.ENDPOINT))
              .isEqualTo(now.versions().get(Resources.V3.ENDPOINT_TYPE_URL));
        }
      }
    }
  }

  @Test
  void eachDistinctResourceIsValidatedOnce() throws Exception {
    KubeState state =
        DirectorySource.load(GOLDEN.resolve("lb-maglev").resolve("input.yaml")).state();
    IncrementalTranslator translator = new IncrementalTranslator();
    translator.update(state, Change.FULL);
    GROUPS.forEach(translator::resources);
    List<ProxyContext> sidecars =
        GROUPS.stream().filter(g -> g.role() == ProxyRole.SIDECAR && g.zone().isPresent()).toList();
    long cold = translator.validations();
    assertThat(cold).isPositive();

    // An endpoint change: each context re-translates the Service, but only the new endpoints
    // are new resources; the Service's cluster, listener and route are validated already.
    Random random = new Random(5);
    for (int step = 0; step < 5; step++) {
      long before = translator.validations();
      Edit edit = editEndpoints(state, random, step);
      state = edit.state();
      translator.update(state, Change.ofEndpoints(Set.of(edit.service())));
      Set<ClusterLoadAssignment> changed = new HashSet<>();
      for (ProxyContext group : GROUPS) {
        GroupResources r = translator.resources(group);
        if (group.role() != ProxyRole.GATEWAY) {
          r.delta().orElseThrow().endpoints().forEach(n -> changed.add(r.endpoints().get(n)));
        }
      }
      assertThat(changed).isNotEmpty();
      assertThat(translator.validations() - before)
          .as("validated: the distinct new ClusterLoadAssignments, nothing else")
          .isEqualTo(changed.size());
    }

    // Zones that see a Service alike share its validation: a second translator validating for
    // three zones of PreferClose Services does less than three times one zone's work.
    KubeState zoned =
        DirectorySource.load(GOLDEN.resolve("native-prefer-close").resolve("input.yaml")).state();
    IncrementalTranslator perZone = new IncrementalTranslator();
    perZone.update(zoned, Change.FULL);
    perZone.resources(sidecars.get(0));
    long oneZone = perZone.validations();
    sidecars.forEach(perZone::resources);
    assertThat(perZone.validations()).isLessThan(3 * oneZone);
  }

  record Edit(KubeState state, ObjectRef service) {}

  /**
   * Changes a random exposed Service's gateway path, host or group (hosts and paths from a small
   * set, so that claims sometimes clash).
   */
  private static Edit editExposure(KubeState state, Random random, int step) {
    List<ObjectRef> exposed =
        state.services().entrySet().stream()
            .filter(
                e ->
                    e.getValue().getMetadata().getAnnotations() != null
                        && e.getValue()
                            .getMetadata()
                            .getAnnotations()
                            .containsKey("fairlead.io/gateway-host"))
            .map(Map.Entry::getKey)
            .toList();
    if (exposed.isEmpty()) {
      return null;
    }
    ObjectRef ref = exposed.get(random.nextInt(exposed.size()));
    io.fabric8.kubernetes.api.model.Service svc = state.services().get(ref);
    Map<String, String> annotations = new java.util.TreeMap<>(svc.getMetadata().getAnnotations());
    switch (random.nextInt(3)) {
      case 0 ->
          annotations.put(
              "fairlead.io/gateway-path", List.of("/", "/api", "/v" + step % 3).get(step % 3));
      case 1 ->
          annotations.put(
              "fairlead.io/gateway-host",
              List.of("example.com", "shop.example.com", "h" + step + ".example.com")
                  .get(random.nextInt(3)));
      default -> {
        if (annotations.remove("fairlead.io/gateway") == null) {
          annotations.put("fairlead.io/gateway", "internal");
        }
      }
    }
    io.fabric8.kubernetes.api.model.Service now =
        new io.fabric8.kubernetes.api.model.ServiceBuilder(svc)
            .editMetadata()
            .withAnnotations(annotations)
            .endMetadata()
            .build();
    return new Edit(state.withService(ref, now), ref);
  }

  /** Rewrites the first address of a random Service's slice (a ready endpoint moving). */
  private static Edit editEndpoints(KubeState state, Random random, int step) {
    List<Map.Entry<ObjectRef, SortedMap<ObjectRef, EndpointSlice>>> services =
        state.slicesByService().entrySet().stream()
            .filter(e -> state.services().containsKey(e.getKey()))
            .filter(
                e ->
                    e.getValue().values().stream()
                        .anyMatch(
                            s ->
                                !s.getEndpoints().isEmpty()
                                    && !s.getEndpoints().get(0).getAddresses().isEmpty()))
            .toList();
    if (services.isEmpty()) {
      return null;
    }
    var chosen = services.get(random.nextInt(services.size()));
    for (var slice : chosen.getValue().entrySet()) {
      EndpointSlice old = slice.getValue();
      if (old.getEndpoints().isEmpty() || old.getEndpoints().get(0).getAddresses().isEmpty()) {
        continue;
      }
      List<Endpoint> endpoints = new ArrayList<>(old.getEndpoints());
      String address =
          "IPv6".equals(old.getAddressType())
              ? "fd00::" + Integer.toHexString(1 + step % 60000)
              : "10.200." + (step / 250 % 250) + "." + (1 + step % 250);
      endpoints.set(0, new EndpointBuilder(endpoints.get(0)).withAddresses(address).build());
      EndpointSlice now = new EndpointSliceBuilder(old).withEndpoints(endpoints).build();
      return new Edit(state.withSlice(slice.getKey(), now), chosen.getKey());
    }
    return null;
  }

  private static List<KubeState> goldenStates() throws Exception {
    List<KubeState> states = new ArrayList<>();
    try (Stream<Path> cases = Files.list(GOLDEN)) {
      for (Path c : cases.sorted().toList()) {
        states.add(DirectorySource.load(c.resolve("input.yaml")).state());
      }
    }
    return states;
  }

  private static KubeState union(KubeState a, KubeState b) {
    var services = new java.util.TreeMap<>(a.services());
    services.putAll(b.services());
    var slices = new java.util.TreeMap<>(a.endpointSlices());
    slices.putAll(b.endpointSlices());
    return new KubeState(services, slices);
  }
}
