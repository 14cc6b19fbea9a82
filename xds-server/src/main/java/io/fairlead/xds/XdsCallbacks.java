package io.fairlead.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fairlead.translators.ProxyContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every xDS stream: which node and group it serves, what was sent, ACKed and NACKed. Feeds
 * the metrics and {@code /debug/connections}, tells the publisher about new groups, and never
 * answers a NACK with a publish (the cache keeps the last good config, and re-sending the rejected
 * one would only loop).
 */
public final class XdsCallbacks implements DiscoveryServerCallbacks {

  private static final Logger LOG = LoggerFactory.getLogger(XdsCallbacks.class);

  private final Consumer<ProxyContext> groupSeen;
  private volatile Consumer<ProxyContext> groupLeft = g -> {};
  private final XdsMetrics metrics;
  private final Clock clock;
  private final RequestContexts contexts = new RequestContexts();
  private final Map<Long, StreamState> streams = new ConcurrentHashMap<>();
  private final ChangeTimes changeTimes;

  /**
   * @param groupSeen told of the group of every stream once its node is known, before the stream's
   *     first watch is created
   */
  public XdsCallbacks(Consumer<ProxyContext> groupSeen, XdsMetrics metrics) {
    this(groupSeen, metrics, Clock.systemUTC());
  }

  public XdsCallbacks(Consumer<ProxyContext> groupSeen, XdsMetrics metrics, Clock clock) {
    this(groupSeen, metrics, new ChangeTimes(), clock);
  }

  XdsCallbacks(
      Consumer<ProxyContext> groupSeen, XdsMetrics metrics, ChangeTimes changeTimes, Clock clock) {
    this.groupSeen = groupSeen;
    this.metrics = metrics;
    this.changeTimes = changeTimes;
    this.clock = clock;
  }

  /** Wraps the cache so that NACKs park instead of looping and node-less requests find a group. */
  public ConfigWatcher watcher(ConfigWatcher cache) {
    return new StreamAwareWatcher(cache, contexts);
  }

  /** The open streams whose node is known, by node id then stream. */
  public List<ConnectionInfo> connections() {
    return streams.values().stream()
        .map(StreamState::info)
        .flatMap(Optional::stream)
        .filter(c -> !isProbe(c.nodeId()))
        .sorted(Comparator.comparing(ConnectionInfo::nodeId).thenComparing(ConnectionInfo::stream))
        .toList();
  }

  /** The group of a connected node. */
  public Optional<ProxyContext> groupOf(String nodeId) {
    return connections().stream()
        .filter(c -> c.nodeId().equals(nodeId))
        .map(ConnectionInfo::group)
        .findFirst();
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    streams.put(streamId, new StreamState(streamId, clock.instant()));
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streamId);
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId);
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    StreamState stream = stream(streamId, "sotw");
    identify(stream, request.getNode());
    String type = request.getTypeUrl();
    Optional<String> rejected = Optional.empty();
    if (!request.getResponseNonce().isEmpty()) {
      Optional<Sent> sent = stream.sent(type, request.getResponseNonce());
      if (request.hasErrorDetail()) {
        nacked(
            stream, type, request.getResponseNonce(), sent, request.getErrorDetail().getMessage());
        rejected = sent.map(Sent::version);
      } else {
        sent.ifPresent(s -> acked(stream, type, request.getVersionInfo(), s));
      }
    } else if (!request.getVersionInfo().isEmpty()) {
      // A proxy that reconnects (to us after a restart, or to another replica) says which version
      // it runs; when that is still current nothing is sent, so this is all we will hear of it.
      stream.reported(type, request.getVersionInfo());
    }
    contexts.set(request, stream.node(), rejected);
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    StreamState stream = stream(streamId, "delta");
    identify(stream, request.getNode());
    String type = request.getTypeUrl();
    if (!request.getResponseNonce().isEmpty()) {
      Optional<Sent> sent = stream.sent(type, request.getResponseNonce());
      if (request.hasErrorDetail()) {
        nacked(
            stream, type, request.getResponseNonce(), sent, request.getErrorDetail().getMessage());
      } else {
        sent.ifPresent(s -> acked(stream, type, s.version(), s));
      }
    }
    if (!DeltaStream.isDeltaStream(streamId)) {
      // only the library's watches read it; Fairlead's delta streams know their node
      contexts.set(request, stream.node(), Optional.empty());
    }
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    sent(streamId, response.getTypeUrl(), response.getNonce(), response.getVersionInfo());
  }

  @Override
  public void onV3StreamDeltaResponse(
      long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    sent(streamId, response.getTypeUrl(), response.getNonce(), response.getSystemVersionInfo());
  }

  private void sent(long streamId, String type, String nonce, String version) {
    StreamState stream = streams.get(streamId);
    if (stream != null && isProbe(stream.nodeId())) {
      return; // the liveness probe's answers are not proxies' pushes
    }
    metrics.pushed();
    if (stream != null) {
      stream.sent(type, new Sent(nonce, version, clock.instant()));
    }
  }

  private void acked(StreamState stream, String type, String version, Sent sent) {
    if (stream.acked(type, version, sent)) {
      Instant now = clock.instant();
      metrics.acked(Duration.between(sent.at(), now));
      stream
          .group()
          .flatMap(group -> changeTimes.changeBehind(group, type, sent.at()))
          .ifPresent(changedAt -> metrics.changeAcked(Duration.between(changedAt, now)));
    }
  }

  private void nacked(
      StreamState stream, String type, String nonce, Optional<Sent> sent, String message) {
    Nack nack = new Nack(type, sent.map(Sent::version), nonce, message, clock.instant());
    stream.nacked(nack);
    metrics.nacked(type);
    LOG.warn(
        "node {} rejected {} version {}: {}",
        stream.nodeId(),
        type,
        nack.rejectedVersion().orElse("(unknown)"),
        message);
  }

  private StreamState stream(long streamId, String protocol) {
    StreamState stream =
        streams.computeIfAbsent(streamId, id -> new StreamState(id, clock.instant()));
    stream.protocol(protocol);
    return stream;
  }

  private void identify(StreamState stream, Node node) {
    if (node.equals(Node.getDefaultInstance())) {
      return;
    }
    Optional<NodeGroups.Resolution> identified = stream.identify(node);
    if (identified.isEmpty()) {
      return;
    }
    NodeGroups.Resolution resolution = identified.get();
    ProxyContext group = resolution.context();
    if (isProbe(node.getId())) {
      groupSeen.accept(group); // the liveness probe: served, but neither counted nor listed
      return;
    }
    metrics.streamIdentified(group.role(), group.client());
    if (!resolution.problems().isEmpty()) {
      LOG.warn("node {}: {}", node.getId(), String.join("; ", resolution.problems()));
    }
    LOG.info(
        "stream {} from node {} is in group {}", stream.id, node.getId(), NodeGroups.label(group));
    try {
      groupSeen.accept(group);
    } catch (RuntimeException e) {
      LOG.error("preparing a snapshot for group {} failed", NodeGroups.label(group), e);
    }
  }

  /**
   * Told of the group of every identified stream when it ends (once per {@code groupSeen}), so that
   * groups without proxies can be forgotten. Must keep the order of {@code groupSeen}.
   */
  public void onGroupLeft(Consumer<ProxyContext> listener) {
    this.groupLeft = listener;
  }

  private void closed(long streamId) {
    StreamState stream = streams.remove(streamId);
    if (stream != null) {
      stream.group().ifPresent(g -> groupLeft.accept(g));
      stream
          .info()
          .filter(c -> !isProbe(c.nodeId()))
          .ifPresent(c -> metrics.streamClosed(c.group().role(), c.group().client()));
    }
  }

  private static boolean isProbe(String nodeId) {
    return nodeId.equals(LivenessProbe.NODE_ID);
  }

  /** A response sent on a stream. */
  private record Sent(String nonce, String version, Instant at) {}

  private static final class StreamState {
    private final long id;
    private final Instant openedAt;
    private String protocol = "sotw";
    private Node node = Node.getDefaultInstance();
    private NodeGroups.Resolution resolution;
    private final Map<String, Sent> lastSent = new HashMap<>();
    private final Map<String, Sent> ackedSends = new HashMap<>();
    private final SortedMap<String, String> acked = new TreeMap<>();
    private final SortedMap<String, Nack> nacks = new TreeMap<>();

    StreamState(long id, Instant openedAt) {
      this.id = id;
      this.openedAt = openedAt;
    }

    synchronized void protocol(String protocol) {
      this.protocol = protocol;
    }

    synchronized Node node() {
      return node;
    }

    synchronized String nodeId() {
      return node.getId();
    }

    synchronized Optional<ProxyContext> group() {
      return resolution == null ? Optional.empty() : Optional.of(resolution.context());
    }

    /** Records the node on its first appearance and returns its resolution then. */
    synchronized Optional<NodeGroups.Resolution> identify(Node node) {
      if (resolution != null) {
        return Optional.empty();
      }
      this.node = node;
      this.resolution = NodeGroups.resolve(node);
      return Optional.of(resolution);
    }

    synchronized void sent(String type, Sent sent) {
      lastSent.put(type, sent);
    }

    /** The response a request answers: only the latest one per type counts, as in the server. */
    synchronized Optional<Sent> sent(String type, String nonce) {
      Sent sent = lastSent.get(type);
      return sent != null && sent.nonce().equals(nonce) ? Optional.of(sent) : Optional.empty();
    }

    /** Records an ACK; true the first time this response is ACKed. */
    synchronized boolean acked(String type, String version, Sent sent) {
      acked.put(type, version);
      return ackedSends.put(type, sent) != sent;
    }

    synchronized void reported(String type, String version) {
      acked.put(type, version);
    }

    synchronized void nacked(Nack nack) {
      nacks.put(nack.typeUrl(), nack);
    }

    synchronized Optional<ConnectionInfo> info() {
      if (resolution == null) {
        return Optional.empty();
      }
      return Optional.of(
          new ConnectionInfo(
              id,
              protocol,
              node.getId(),
              resolution.context(),
              resolution.problems(),
              openedAt,
              acked,
              nacks));
    }
  }
}
