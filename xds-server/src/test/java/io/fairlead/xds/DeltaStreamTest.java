package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Fairlead's delta ADS stream against a simulated proxy that applies what it receives: after every
 * exchange the proxy must hold exactly the group's latest resources within its subscription, at
 * their versions, whatever the order of publishes, subscriptions, ACKs and reconnects.
 */
class DeltaStreamTest {

  private static final String CDS = Resources.V3.CLUSTER_TYPE_URL;
  private static final String EDS = Resources.V3.ENDPOINT_TYPE_URL;
  private static final ProxyContext GROUP = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);

  private final DeltaFeeds feeds = new DeltaFeeds();
  private final ResourceDigests digests = new ResourceDigests();
  private final WireResources wire = new WireResources();
  private final com.google.common.collect.Interner<org.pcollections.PSet<String>> interner =
      DeltaStream.interner();

  /** Cluster name → a number standing for its content; the endpoints follow the same names. */
  private Map<String, Integer> world = new TreeMap<>();

  private HashedSnapshot current;

  private void publish() throws Exception {
    digests.nextRound();
    List<ResourceDigests.Digested<Cluster>> clusters = new ArrayList<>();
    List<ResourceDigests.Digested<ClusterLoadAssignment>> endpoints = new ArrayList<>();
    world.forEach(
        (name, content) -> {
          clusters.add(
              digests.digest(
                  Cluster.newBuilder()
                      .setName(name)
                      .setConnectTimeout(Duration.newBuilder().setSeconds(content % 7 + 1))
                      .build()));
          endpoints.add(
              digests.digest(
                  ClusterLoadAssignment.newBuilder()
                      .setClusterName(name)
                      .setPolicy(
                          ClusterLoadAssignment.Policy.newBuilder()
                              .setOverprovisioningFactor(
                                  com.google.protobuf.UInt32Value.of(100 + content)))
                      .build()));
        });
    current = HashedSnapshot.of(clusters, endpoints, List.of(), List.of());
    feeds.published(GROUP, current);
  }

  @Test
  void wildcardGetsEverythingThenOnlyWhatChangedAndOneResponseIsOutstandingAtATime()
      throws Exception {
    world.put("a", 1);
    world.put("b", 1);
    publish();
    Proxy proxy = new Proxy();
    proxy.send(DeltaDiscoveryRequest.newBuilder().setNode(node()).setTypeUrl(CDS).build());
    assertThat(proxy.last().getResourcesList())
        .extracting(Resource::getName)
        .containsExactly("a", "b");
    DeltaDiscoveryResponse first = proxy.last();

    world.put("a", 2);
    publish();
    assertThat(proxy.out.sent).hasSize(1); // the first is not ACKed yet: nothing more goes out
    world.put("c", 1);
    world.remove("b");
    publish();
    assertThat(proxy.out.sent).hasSize(1);

    proxy.ack(first);
    DeltaDiscoveryResponse merged = proxy.last();
    assertThat(merged.getResourcesList()).extracting(Resource::getName).containsExactly("a", "c");
    assertThat(merged.getRemovedResourcesList()).containsExactly("b");
    proxy.ack(merged);
    assertThat(proxy.out.sent).hasSize(2);

    publish(); // same contents: nothing to send
    assertThat(proxy.out.sent).hasSize(2);
  }

  @Test
  void namedSubscriptionsGetOnlyTheirNamesAndAMissingClusterIsToldAtOnce() throws Exception {
    world.put("a", 1);
    world.put("b", 1);
    publish();
    Proxy proxy = new Proxy();
    // on-demand cluster discovery: named, not wildcard
    proxy.send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node())
            .setTypeUrl(CDS)
            .addResourceNamesSubscribe("a")
            .addResourceNamesSubscribe("nope")
            .build());
    DeltaDiscoveryResponse response = proxy.last();
    assertThat(response.getResourcesList()).extracting(Resource::getName).containsExactly("a");
    assertThat(response.getRemovedResourcesList()).containsExactly("nope");
    proxy.ack(response);

    world.put("b", 2); // not subscribed
    publish();
    assertThat(proxy.out.sent).hasSize(1);
    world.put("nope", 1); // appears later: sent, since it is still subscribed
    publish();
    assertThat(proxy.last().getResourcesList())
        .extracting(Resource::getName)
        .containsExactly("nope");
  }

  @Test
  void aReconnectingProxyGetsOnlyWhatDiffersFromTheVersionsItReports() throws Exception {
    world.put("a", 1);
    world.put("b", 1);
    world.put("c", 1);
    publish();
    Proxy proxy = new Proxy();
    proxy.send(DeltaDiscoveryRequest.newBuilder().setNode(node()).setTypeUrl(CDS).build());
    proxy.ack(proxy.last());
    Map<String, String> held = new HashMap<>(proxy.held.get(CDS));

    world.put("b", 2);
    world.remove("c");
    publish();
    Proxy again = new Proxy();
    again.send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node())
            .setTypeUrl(CDS)
            .putAllInitialResourceVersions(held)
            .build());
    assertThat(again.last().getResourcesList()).extracting(Resource::getName).containsExactly("b");
    assertThat(again.last().getRemovedResourcesList()).containsExactly("c");

    Proxy current = new Proxy();
    current.send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node())
            .setTypeUrl(CDS)
            .putAllInitialResourceVersions(again.heldAfter(held, again.last()))
            .build());
    // everything it holds is current: the first wildcard request is still answered, empty
    assertThat(current.out.sent).hasSize(1);
    assertThat(current.last().getResourcesCount() + current.last().getRemovedResourcesCount())
        .isZero();
  }

  @Test
  void anUpdatedEdsClusterGetsItsEndpointsAgainAtTheSameVersion() throws Exception {
    digests.nextRound();
    Cluster eds =
        Cluster.newBuilder()
            .setName("a")
            .setType(Cluster.DiscoveryType.EDS)
            .setConnectTimeout(Duration.newBuilder().setSeconds(1))
            .build();
    var endpoints =
        List.of(digests.digest(ClusterLoadAssignment.newBuilder().setClusterName("a").build()));
    current = HashedSnapshot.of(List.of(digests.digest(eds)), endpoints, List.of(), List.of());
    feeds.published(GROUP, current);
    Proxy proxy = new Proxy();
    proxy.send(DeltaDiscoveryRequest.newBuilder().setNode(node()).setTypeUrl(CDS).build());
    proxy.ack(proxy.last());
    proxy.send(
        DeltaDiscoveryRequest.newBuilder().setTypeUrl(EDS).addResourceNamesSubscribe("a").build());
    DeltaDiscoveryResponse first = proxy.last();
    proxy.ack(first);
    int before = proxy.out.sent.size();

    Cluster updated =
        eds.toBuilder().setConnectTimeout(Duration.newBuilder().setSeconds(2)).build();
    current = HashedSnapshot.of(List.of(digests.digest(updated)), endpoints, List.of(), List.of());
    feeds.published(GROUP, current);

    // the cluster, then its unchanged endpoints: Envoy does not ask again for a name it subscribes
    // to, and the updated cluster warms until it has them
    assertThat(proxy.out.sent).hasSize(before + 2);
    DeltaDiscoveryResponse cds = proxy.out.sent.get(before);
    DeltaDiscoveryResponse again = proxy.out.sent.get(before + 1);
    assertThat(cds.getTypeUrl()).isEqualTo(CDS);
    assertThat(again.getTypeUrl()).isEqualTo(EDS);
    assertThat(again.getResources(0).getVersion()).isEqualTo(first.getResources(0).getVersion());
  }

  @Test
  void aNameUnsubscribedUnderTheWildcardIsAnswered() throws Exception {
    world.put("a", 1);
    publish();
    Proxy proxy = new Proxy();
    proxy.send(DeltaDiscoveryRequest.newBuilder().setNode(node()).setTypeUrl(CDS).build());
    proxy.ack(proxy.last());
    // named too (as an on-demand lookup under the wildcard would): it holds it already
    proxy.send(
        DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS).addResourceNamesSubscribe("a").build());
    proxy.send(
        DeltaDiscoveryRequest.newBuilder().setTypeUrl(CDS).addResourceNamesSubscribe("b").build());
    int before = proxy.out.sent.size();
    proxy.send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .addResourceNamesUnsubscribe("a")
            .addResourceNamesUnsubscribe("b")
            .addResourceNamesUnsubscribe("never-subscribed")
            .build());
    assertThat(proxy.out.sent).hasSize(before + 1);
    assertThat(proxy.last().getResourcesList()).extracting(Resource::getName).containsExactly("a");
    assertThat(proxy.last().getRemovedResourcesList()).containsExactly("b");
  }

  /**
   * Random publishes, subscription changes, ACKs, NACKs and reconnects; after each settling the
   * proxy holds exactly what it should. Also runs streams far behind the change log.
   */
  @Test
  void aSimulatedProxyAlwaysEndsWithExactlyItsSubscriptionOfTheLatestSnapshot() throws Exception {
    for (int seed = 1; seed <= 40; seed++) {
      Random random = new Random(seed);
      world = new TreeMap<>();
      for (int i = 0; i < 20; i++) {
        world.put("c" + i, 0);
      }
      publish();
      Proxy proxy = new Proxy();
      boolean cdsWildcard = random.nextBoolean();
      DeltaDiscoveryRequest.Builder cds =
          DeltaDiscoveryRequest.newBuilder().setNode(node()).setTypeUrl(CDS);
      if (!cdsWildcard) {
        cds.addResourceNamesSubscribe("c1").addResourceNamesSubscribe("c2");
      }
      proxy.send(cds.build());
      proxy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .addResourceNamesSubscribe("c1")
              .addResourceNamesSubscribe("c3")
              .build());
      for (int step = 0; step < 300; step++) {
        int op = random.nextInt(10);
        String name = "c" + random.nextInt(30);
        String type = random.nextBoolean() ? CDS : EDS;
        switch (op) {
          case 0, 1, 2 -> {
            int changes = 1 + random.nextInt(3);
            for (int i = 0; i < changes; i++) {
              String n = "c" + random.nextInt(30);
              if (random.nextInt(4) == 0) {
                world.remove(n);
              } else {
                world.merge(n, 1, Integer::sum);
              }
            }
            int times = random.nextInt(20) == 0 ? DeltaFeeds.LOG_LENGTH + 5 : 1;
            for (int i = 0; i < times; i++) {
              if (i > 0) {
                world.merge(name, 1, Integer::sum);
              }
              publish();
            }
          }
          case 3 -> proxy.subscribe(type, name);
          case 4 -> proxy.unsubscribe(type, name);
          case 5, 6, 7 -> proxy.answerAll(random.nextInt(8) == 0);
          case 8 -> {
            if (random.nextInt(10) == 0) {
              proxy.toggleWildcard(type);
            }
          }
          default -> {
            if (random.nextInt(5) == 0) {
              proxy.settle();
              proxy = proxy.reconnect();
            }
          }
        }
      }
      proxy.settle();
      if (proxy.nackedSome) {
        // A NACKed response is not sent again (the server takes it as held, so a rejected config
        // does not loop); the proxy catches up when it reconnects and reports what it holds.
        proxy = proxy.reconnect();
        proxy.settle();
      }
      for (String type : List.of(CDS, EDS)) {
        assertThat(proxy.held.get(type))
            .as("seed %d %s", seed, type)
            .isEqualTo(expected(type, proxy));
      }
      proxy.stream.onCompleted();
    }
  }

  private Map<String, String> expected(String type, Proxy proxy) {
    Map<String, String> out = new TreeMap<>();
    DeltaFeeds.resources(current, Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(type))
        .forEach(
            (name, r) -> {
              if (proxy.wildcard.getOrDefault(type, false)
                  || proxy.names.get(type).contains(name)) {
                out.put(name, r.version());
              }
            });
    return out;
  }

  private static io.envoyproxy.envoy.config.core.v3.Node node() {
    return io.envoyproxy.envoy.config.core.v3.Node.newBuilder().setId("p").build();
  }

  /** A proxy on one stream: applies responses to what it holds and answers them when told. */
  private final class Proxy {
    final Out out = new Out();
    final DeltaStream stream =
        new DeltaStream(
            out,
            feeds,
            new NoCallbacks(),
            node -> GROUP,
            wire,
            interner,
            n -> java.util.Optional.empty());
    final Map<String, Map<String, String>> held = new HashMap<>();
    final Map<String, Boolean> wildcard = new HashMap<>();
    final Map<String, Set<String>> names = new HashMap<>();
    int answered;

    Proxy() {
      held.put(CDS, new TreeMap<>());
      held.put(EDS, new TreeMap<>());
      names.put(CDS, new TreeSet<>());
      names.put(EDS, new TreeSet<>());
    }

    void send(DeltaDiscoveryRequest request) {
      String type = request.getTypeUrl();
      if (!wildcard.containsKey(type)) {
        wildcard.put(type, request.getResourceNamesSubscribeCount() == 0);
      }
      for (String n : request.getResourceNamesSubscribeList()) {
        if (n.equals("*")) {
          wildcard.put(type, true);
        } else {
          names.get(type).add(n);
        }
      }
      for (String n : request.getResourceNamesUnsubscribeList()) {
        if (n.equals("*")) {
          wildcard.put(type, false);
        } else {
          names.get(type).remove(n);
          if (!wildcard.get(type)) {
            held.get(type).remove(n); // Envoy drops what it no longer subscribes to
          }
        }
      }
      stream.onNext(request);
    }

    DeltaDiscoveryResponse last() {
      return out.sent.get(out.sent.size() - 1);
    }

    void ack(DeltaDiscoveryResponse response) {
      apply(response);
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(response.getTypeUrl())
              .setResponseNonce(response.getNonce())
              .build());
    }

    void apply(DeltaDiscoveryResponse response) {
      String type = response.getTypeUrl();
      Map<String, String> h = held.get(type);
      for (Resource r : response.getResourcesList()) {
        // like Envoy, a resource it no longer subscribes to (a response in flight while it
        // unsubscribed) is ignored
        if (wildcard.get(type) || names.get(type).contains(r.getName())) {
          h.put(r.getName(), r.getVersion());
        }
      }
      response.getRemovedResourcesList().forEach(h::remove);
    }

    Map<String, String> heldAfter(Map<String, String> before, DeltaDiscoveryResponse response) {
      Map<String, String> h = new TreeMap<>(before);
      for (Resource r : response.getResourcesList()) {
        h.put(r.getName(), r.getVersion());
      }
      response.getRemovedResourcesList().forEach(h::remove);
      return h;
    }

    void subscribe(String type, String name) {
      if (!wildcard.containsKey(type)) {
        return;
      }
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(type)
              .addResourceNamesSubscribe(name)
              .build());
    }

    void unsubscribe(String type, String name) {
      if (!wildcard.containsKey(type)) {
        return;
      }
      send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(type)
              .addResourceNamesUnsubscribe(name)
              .build());
    }

    void toggleWildcard(String type) {
      if (!wildcard.containsKey(type)) {
        return;
      }
      DeltaDiscoveryRequest.Builder r = DeltaDiscoveryRequest.newBuilder().setTypeUrl(type);
      if (wildcard.get(type)) {
        r.addResourceNamesUnsubscribe("*");
        // leaving the wildcard, a proxy keeps only what it names
        held.get(type).keySet().retainAll(names.get(type));
      } else {
        r.addResourceNamesSubscribe("*");
      }
      send(r.build());
    }

    /** Applies and answers every response not answered yet, NACKing some. */
    void answerAll(boolean nack) {
      while (answered < out.sent.size()) {
        DeltaDiscoveryResponse response = out.sent.get(answered++);
        if (nack) {
          // a NACK keeps what the proxy held; the server moves on regardless
          send(
              DeltaDiscoveryRequest.newBuilder()
                  .setTypeUrl(response.getTypeUrl())
                  .setResponseNonce(response.getNonce())
                  .setErrorDetail(com.google.rpc.Status.newBuilder().setMessage("no"))
                  .build());
          nackedSome = true;
        } else {
          ack(response);
        }
      }
    }

    boolean nackedSome;

    void settle() {
      answerAll(false);
    }

    /** A new stream that reports what this proxy holds, with the same subscriptions. */
    Proxy reconnect() {
      Proxy next = new Proxy();
      for (String type : List.of(CDS, EDS)) {
        if (!wildcard.containsKey(type) || (!wildcard.get(type) && names.get(type).isEmpty())) {
          continue; // nothing subscribed: a proxy sends no request for the type
        }
        DeltaDiscoveryRequest.Builder r =
            DeltaDiscoveryRequest.newBuilder()
                .setNode(node())
                .setTypeUrl(type)
                .putAllInitialResourceVersions(held.get(type));
        if (wildcard.get(type) && !names.get(type).isEmpty()) {
          r.addResourceNamesSubscribe("*");
        }
        r.addAllResourceNamesSubscribe(names.get(type));
        next.held.put(type, new TreeMap<>(held.get(type)));
        next.send(r.build());
      }
      stream.onCompleted();
      return next;
    }
  }

  private static final class NoCallbacks implements DiscoveryServerCallbacks {
    @Override
    public void onV3StreamRequest(long streamId, DiscoveryRequest request) {}

    @Override
    public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {}
  }

  /** The server side of a call, synchronous: what the stream sends is recorded. */
  static final class Out extends ServerCallStreamObserver<DeltaDiscoveryResponse> {
    final List<DeltaDiscoveryResponse> sent = new ArrayList<>();

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(DeltaDiscoveryResponse value) {
      sent.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
