package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.k8s.DirectorySource;
import io.fairlead.translators.Change;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.xds.XdsTranslator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The incremental translator must give exactly what a full translation of the same state gives,
 * whatever sequence of changes led there. The states are the golden inputs, visited in a random
 * (seeded) order, so every kind of Service comes and goes.
 */
class IncrementalTranslatorTest {

  private static final Path GOLDEN =
      Path.of("..", "translators", "src", "test", "resources", "golden");

  private static final List<ProxyContext> CONTEXTS =
      List.of(
          ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY),
          new ProxyContext(
              ProxyRole.SIDECAR,
              ClientKind.ENVOY,
              "default",
              8080,
              Optional.of("zone-a"),
              Optional.of("node-2")),
          ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY),
          new ProxyContext(
              ProxyRole.GATEWAY,
              ClientKind.ENVOY,
              "internal",
              8080,
              Optional.empty(),
              Optional.empty()),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA),
          ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_NODE),
          new ProxyContext(
              ProxyRole.SIDECAR,
              ClientKind.ENVOY,
              "default",
              8080,
              Optional.empty(),
              Optional.empty(),
              new java.util.TreeSet<>(List.of("demo", "shop"))),
          // Declared dependencies (a split root whose backends are not declared) and on demand.
          new ProxyContext(
              ProxyRole.SIDECAR,
              ClientKind.ENVOY,
              ProxyContext.Gateway.DEFAULT,
              Optional.of("zone-a"),
              Optional.empty(),
              new java.util.TreeSet<>(),
              Optional.of("shop"),
              Optional.of(io.fairlead.policies.Dependencies.parse("cart,web,payments/*,Bad_")),
              true));

  @Test
  void equalsFullTranslationAfterEveryChange() throws Exception {
    List<KubeState> states = goldenStates();
    // Unions of neighbouring cases make states where only some Services change.
    for (int i = 0; i + 1 < states.size(); i += 2) {
      states.add(union(states.get(i), states.get(i + 1)));
    }
    IncrementalTranslator incremental = new IncrementalTranslator();
    KubeState previous = KubeState.EMPTY;
    Random random = new Random(42);
    for (int step = 0; step < 120; step++) {
      KubeState next = states.get(random.nextInt(states.size()));
      incremental.update(next, Change.between(previous, next));
      assertEqualsFullTranslation(incremental, next, "step " + step);
      previous = next;
    }
  }

  /** A source that forgets to name a Service it removed gets a full rebuild, not a stale model. */
  @Test
  void aChangeThatHidesARemovedServiceIsCaughtByTheSizeGuard() throws Exception {
    List<KubeState> states = goldenStates();
    KubeState full =
        states.stream()
            .max(java.util.Comparator.comparingInt(s -> s.services().size()))
            .orElseThrow();
    KubeState fewer = full.withoutService(full.services().firstKey());
    IncrementalTranslator incremental = new IncrementalTranslator();
    incremental.update(full, Change.FULL);
    incremental.update(fewer, Change.NONE);
    assertEqualsFullTranslation(incremental, fewer, "after the hidden removal");
  }

  /**
   * A split looks across Services: when a backend goes away or comes back, only the backend's
   * Service changes, yet the root's routes must follow, and equal the full translation.
   */
  @Test
  void aSplitFollowsItsBackendsComingAndGoing() throws Exception {
    KubeState all =
        DirectorySource.load(GOLDEN.resolve("split-canary").resolve("input.yaml")).state();
    KubeState withoutV2 =
        KubeState.of(
            all.services().values().stream()
                .filter(svc -> !svc.getMetadata().getName().equals("cart-v2"))
                .toList(),
            List.copyOf(all.endpointSlices().values()));
    IncrementalTranslator incremental = new IncrementalTranslator();
    KubeState previous = KubeState.EMPTY;
    for (KubeState next : List.of(all, withoutV2, all, withoutV2)) {
      incremental.update(next, Change.between(previous, next));
      assertEqualsFullTranslation(incremental, next, "");
      previous = next;
    }
    assertThat(incremental.diagnostics())
        .anySatisfy(d -> assertThat(d.message()).contains("backend shop/cart-v2 does not exist"));
  }

  /** A view pinned before an update keeps translating the state it was taken from. */
  @Test
  void aViewTranslatesTheStateItWasTakenFromWhateverComesAfter() throws Exception {
    KubeState first =
        DirectorySource.load(GOLDEN.resolve("health-checks").resolve("input.yaml")).state();
    KubeState second =
        DirectorySource.load(GOLDEN.resolve("lb-maglev").resolve("input.yaml")).state();
    IncrementalTranslator incremental = new IncrementalTranslator();
    incremental.update(first, Change.between(KubeState.EMPTY, first));
    java.util.function.Function<ProxyContext, io.fairlead.translators.xds.XdsResources> view =
        incremental.view();

    incremental.update(second, Change.between(first, second));

    for (ProxyContext ctx : CONTEXTS) {
      assertThat(view.apply(ctx))
          .as(ctx.toString())
          .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(first), ctx));
      assertThat(incremental.translate(ctx))
          .as(ctx.toString())
          .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(second), ctx));
    }
  }

  /**
   * Proxies that differ only in zone and node share each Service's translation, unless the Service
   * routes by zone (PreferClose) or by node (internalTrafficPolicy: Local).
   */
  @Test
  void proxiesInOtherZonesShareTheTranslationOfServicesThatDoNotRouteByZone() throws Exception {
    KubeState plain =
        DirectorySource.load(GOLDEN.resolve("lb-maglev").resolve("input.yaml")).state();
    IncrementalTranslator incremental = new IncrementalTranslator();
    incremental.update(plain, Change.between(KubeState.EMPTY, plain));
    for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
      for (String node : List.of("node-1", "node-2")) {
        ProxyContext ctx =
            new ProxyContext(
                ProxyRole.SIDECAR,
                ClientKind.ENVOY,
                "default",
                8080,
                Optional.of(zone),
                Optional.of(node));
        assertThat(incremental.translate(ctx))
            .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(plain), ctx));
      }
    }
    assertThat(incremental.contexts()).as("one memo for six proxies' contexts").isOne();

    KubeState zoned =
        DirectorySource.load(GOLDEN.resolve("native-prefer-close").resolve("input.yaml")).state();
    incremental.update(zoned, Change.between(plain, zoned));
    for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
      ProxyContext ctx =
          new ProxyContext(
              ProxyRole.SIDECAR,
              ClientKind.ENVOY,
              "default",
              8080,
              Optional.of(zone),
              Optional.of("node-1"));
      assertThat(incremental.translate(ctx))
          .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(zoned), ctx));
    }
    assertThat(incremental.contexts())
        .as("a Service that routes by zone is translated per zone")
        .isGreaterThanOrEqualTo(3);
  }

  /** fairlead.io/failover orders zones from the proxy's own: its Services are zone-dependent. */
  @Test
  void servicesWithAFailoverOrderAreTranslatedPerZone() throws Exception {
    KubeState failover =
        DirectorySource.load(GOLDEN.resolve("failover-zones").resolve("input.yaml")).state();
    IncrementalTranslator incremental = new IncrementalTranslator();
    incremental.update(failover, Change.between(KubeState.EMPTY, failover));
    for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
      ProxyContext ctx =
          new ProxyContext(
              ProxyRole.SIDECAR,
              ClientKind.ENVOY,
              "default",
              8080,
              Optional.of(zone),
              Optional.of("node-1"));
      assertThat(incremental.translate(ctx))
          .as(zone)
          .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(failover), ctx));
    }
  }

  @Test
  void usesItsClusterDomain() throws Exception {
    TranslationSettings corp = new TranslationSettings("k8s.corp.example");
    KubeState state =
        DirectorySource.load(GOLDEN.resolve("health-checks").resolve("input.yaml")).state();
    IncrementalTranslator incremental = new IncrementalTranslator(corp);
    incremental.update(state, Change.between(KubeState.EMPTY, state));
    for (ProxyContext ctx : CONTEXTS) {
      assertThat(incremental.translate(ctx))
          .as(ctx.toString())
          .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(state), ctx, corp));
      // the case exposes nothing on gateways, and declares none of its Services as dependencies
      if (ctx.role() != ProxyRole.GATEWAY && ctx.dependencies().isEmpty()) {
        assertThat(incremental.translate(ctx))
            .as(ctx.toString())
            .isNotEqualTo(XdsTranslator.translate(KubeModelBuilder.build(state), ctx));
      }
    }
  }

  @Test
  void usesItsAccessLogAndTracingSettings() throws Exception {
    TranslationSettings observed =
        TranslationSettings.DEFAULT
            .withAccessLog(TranslationSettings.AccessLogFormat.JSON)
            .withTracing(
                Optional.of(new TranslationSettings.Tracing("otel.observability", 4317, 10)));
    KubeState state =
        DirectorySource.load(GOLDEN.resolve("access-log-and-tracing").resolve("input.yaml"))
            .state();
    IncrementalTranslator incremental = new IncrementalTranslator(observed);
    incremental.update(state, Change.between(KubeState.EMPTY, state));
    for (ProxyContext ctx : CONTEXTS) {
      assertThat(incremental.translate(ctx))
          .as(ctx.toString())
          .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(state), ctx, observed));
    }
  }

  /** Every golden case's Kubernetes input, in case order. */
  private static List<KubeState> goldenStates() throws Exception {
    List<KubeState> states = new ArrayList<>();
    try (Stream<Path> cases = Files.list(GOLDEN)) {
      for (Path c : cases.sorted().toList()) {
        states.add(DirectorySource.load(c.resolve("input.yaml")).state());
      }
    }
    return states;
  }

  /** For every context: the incremental translation equals translating {@code state} in full. */
  private static void assertEqualsFullTranslation(
      IncrementalTranslator incremental, KubeState state, String when) {
    for (ProxyContext ctx : CONTEXTS) {
      assertThat(incremental.translate(ctx))
          .as(when + " " + ctx)
          .isEqualTo(XdsTranslator.translate(KubeModelBuilder.build(state), ctx));
    }
  }

  private static KubeState union(KubeState a, KubeState b) {
    var services = new java.util.TreeMap<>(a.services());
    services.putAll(b.services());
    var slices = new java.util.TreeMap<>(a.endpointSlices());
    slices.putAll(b.endpointSlices());
    return new KubeState(services, slices);
  }
}
