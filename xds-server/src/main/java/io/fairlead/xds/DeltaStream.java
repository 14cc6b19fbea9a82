package io.fairlead.xds;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.fairlead.translators.ProxyContext;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.pcollections.HashTreePSet;
import org.pcollections.PSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delta ADS stream (incremental xDS), served from its group's {@link DeltaFeeds.Feed}.
 *
 * <p>What the proxy holds, per type, is kept as <em>the numbered group snapshot it was last brought
 * to</em> plus, rarely, a few exceptions: after a response the proxy holds exactly that snapshot's
 * resources within its subscription (wildcard, or the names it subscribed to), so the stream keeps
 * a reference to the snapshot (shared by every stream of the group) instead of a copy of the
 * versions. The exceptions are the names whose state differs from it: names just subscribed (held:
 * none) and, after a reconnect, the versions the proxy reported in {@code
 * initial_resource_versions}. The next response is then made from the names the group's log says
 * changed since that snapshot plus the exceptions: O(changes), not O(resources), per stream and
 * publish. Subscription sets are interned per server, so the proxies of a group that subscribe to
 * the same names share one set.
 *
 * <p>Protocol rules (xDS "incremental" variant): a type's first request with no names subscribes to
 * everything (legacy wildcard); {@code "*"} subscribes or unsubscribes the wildcard explicitly; a
 * proxy is assumed to hold what was sent (versions move at send time, as go-control-plane does), so
 * a NACK does not bring the rejected resources back; one response per type is outstanding at a
 * time, and what changes meanwhile is sent, merged, after the proxy answers it. A named cluster
 * subscription (on-demand cluster discovery) that names no cluster is answered with the name in
 * {@code removed_resources}, so the proxy learns at once that it does not exist; a name
 * unsubscribed while the wildcard still covers it is answered (resource or removal), as the
 * protocol asks; a wildcard type's first request is always answered, even when empty, since Envoy
 * waits for it to finish initialising; an updated EDS cluster's endpoints are sent again.
 */
final class DeltaStream implements StreamObserver<DeltaDiscoveryRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(DeltaStream.class);

  /** Apart from java-control-plane's stream ids (from 0), which share the callbacks' keys. */
  private static final long FIRST_ID = 1L << 40;

  private static final AtomicLong IDS = new AtomicLong(FIRST_ID);

  /** Whether a stream id is one of these streams' (not the library's). */
  static boolean isDeltaStream(long streamId) {
    return streamId >= FIRST_ID;
  }

  static final String WILDCARD = "*";

  /** The type URL the callbacks are told for ADS streams (all types), as the library does. */
  private static final String ANY_TYPE_URL = "";

  private final long id = IDS.getAndIncrement();
  private final ServerCallStreamObserver<DeltaDiscoveryResponse> out;
  private final DeltaFeeds feeds;
  private final DiscoveryServerCallbacks callbacks;
  private final Function<Node, ProxyContext> groups;
  private final WireResources wire;
  private final Interner<PSet<String>> names;
  private final IntFunction<Optional<Status>> nameLimit;
  private final Map<ResourceType, Subscription> subscriptions = new EnumMap<>(ResourceType.class);
  private ProxyContext group;
  private DeltaFeeds.Feed feed;
  private long nonce;
  private boolean closed;

  DeltaStream(
      StreamObserver<DeltaDiscoveryResponse> out,
      DeltaFeeds feeds,
      DiscoveryServerCallbacks callbacks,
      Function<Node, ProxyContext> groups,
      WireResources wire,
      Interner<PSet<String>> names,
      IntFunction<Optional<Status>> nameLimit) {
    this.nameLimit = nameLimit;
    this.out = (ServerCallStreamObserver<DeltaDiscoveryResponse>) out;
    this.feeds = feeds;
    this.callbacks = callbacks;
    this.groups = groups;
    this.wire = wire;
    this.names = names;
    this.out.setOnCancelHandler(() -> close(Optional.of(Status.CANCELLED.asException())));
    try {
      callbacks.onStreamOpen(id, ANY_TYPE_URL);
    } catch (RequestException e) {
      fail(e);
    }
  }

  static Interner<PSet<String>> interner() {
    return Interners.newWeakInterner();
  }

  long id() {
    return id;
  }

  /** One type's subscription and what the proxy holds of it. */
  private static final class Subscription {
    final ResourceType type;
    final String typeUrl;
    boolean wildcard;
    PSet<String> names = HashTreePSet.empty();

    /**
     * The snapshot the proxy was last brought to (its serial), or null: then only {@link #held}.
     */
    Snapshot base;

    long baseSerial;

    /** Names whose held version differs from {@link #base} (null value: not held); or null. */
    Map<String, String> held;

    /** Names to send even at the version the proxy holds; or null. */
    Set<String> resend;

    /** Names to answer with a removal when absent, even if the proxy holds none; or null. */
    Set<String> tell;

    /**
     * Whether anything was sent for this type yet (a wildcard's first request is always answered).
     */
    boolean answered;

    /** The nonce of the response not yet answered by the proxy, or null. */
    String pending;

    Subscription(ResourceType type, String typeUrl) {
      this.type = type;
      this.typeUrl = typeUrl;
    }

    boolean covers(String name) {
      return wildcard || names.contains(name);
    }

    /** The version the proxy holds of a name, or null. */
    String heldVersion(String name) {
      if (held != null && held.containsKey(name)) {
        return held.get(name);
      }
      if (base == null || !covers(name)) {
        return null;
      }
      VersionedResource<?> r = DeltaFeeds.resources(base, type).get(name);
      return r == null ? null : r.version();
    }

    /** Writes out what the proxy holds as exceptions, before the subscription changes shape. */
    void detachFromBase() {
      if (base == null) {
        return;
      }
      Map<String, String> now = new HashMap<>();
      Map<String, ? extends VersionedResource<?>> resources = DeltaFeeds.resources(base, type);
      if (wildcard) {
        resources.forEach((name, r) -> now.put(name, r.version()));
      } else {
        for (String name : names) {
          VersionedResource<?> r = resources.get(name);
          if (r != null) {
            now.put(name, r.version());
          }
        }
      }
      if (held != null) {
        held.forEach(
            (name, version) -> {
              if (version == null) {
                now.remove(name);
              } else {
                now.put(name, version);
              }
            });
      }
      held = now;
      base = null;
    }

    void hold(String name, String version) {
      if (held == null) {
        held = new HashMap<>();
      }
      held.put(name, version);
    }

    void resend(String name) {
      if (resend == null) {
        resend = new HashSet<>();
      }
      resend.add(name);
    }

    void tell(String name) {
      if (tell == null) {
        tell = new HashSet<>();
      }
      tell.add(name);
    }

    boolean settledAt(Snapshot snapshot) {
      return base == snapshot && held == null && resend == null && tell == null && answered;
    }
  }

  @Override
  public void onNext(DeltaDiscoveryRequest request) {
    try {
      callbacks.onV3StreamDeltaRequest(id, request);
    } catch (RequestException e) {
      fail(e);
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      if (request.getTypeUrl().isEmpty()) {
        fail(
            Status.INVALID_ARGUMENT
                .withDescription("[" + id + "] type URL is required for ADS")
                .asRuntimeException());
        return;
      }
      if (group == null) {
        group = groups.apply(request.getNode());
        feed = feeds.join(group, this);
      }
      ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(request.getTypeUrl());
      if (type == null || !DeltaFeeds.TYPES.contains(type)) {
        LOG.debug("[{}] ignoring a request for {}", id, request.getTypeUrl());
        return;
      }
      Subscription s =
          subscriptions.computeIfAbsent(type, t -> first(t, request.getTypeUrl(), request));
      subscribe(s, request);
      int subscribed = 0;
      for (Subscription each : subscriptions.values()) {
        subscribed += each.names.size();
      }
      Optional<Status> refused = nameLimit.apply(subscribed);
      if (refused.isPresent()) {
        fail(refused.get().asRuntimeException());
        return;
      }
      if (!request.getResponseNonce().isEmpty() && request.getResponseNonce().equals(s.pending)) {
        s.pending = null; // an ACK or a NACK: either way the proxy is ready for the next one
      }
      catchUp();
    }
  }

  /** A type's first request: legacy wildcard when it names nothing, and what a proxy holds. */
  private static Subscription first(ResourceType type, String typeUrl, DeltaDiscoveryRequest r) {
    Subscription s = new Subscription(type, typeUrl);
    s.wildcard = r.getResourceNamesSubscribeCount() == 0;
    if (!r.getInitialResourceVersionsMap().isEmpty()) {
      s.held = new HashMap<>(r.getInitialResourceVersionsMap());
    }
    return s;
  }

  private void subscribe(Subscription s, DeltaDiscoveryRequest request) {
    boolean wildcard = s.wildcard;
    if (request.getResourceNamesSubscribeList().contains(WILDCARD)) {
      wildcard = true;
    }
    if (request.getResourceNamesUnsubscribeList().contains(WILDCARD)) {
      wildcard = false;
    }
    if (wildcard != s.wildcard) {
      s.detachFromBase();
      s.wildcard = wildcard;
    }
    PSet<String> names = s.names;
    for (String name : request.getResourceNamesUnsubscribeList()) {
      if (name.equals(WILDCARD) || !names.contains(name)) {
        continue; // never subscribed: nothing to forget (and nothing a client can pile up here)
      }
      names = names.minus(name);
      if (s.wildcard) {
        // Still covered by the wildcard: the proxy now holds the name "ambiguously" and the
        // protocol wants it answered, with the resource or its removal.
        s.resend(name);
        s.tell(name);
        continue;
      }
      if (s.held != null) {
        s.held.remove(name);
      }
      if (s.tell != null) {
        s.tell.remove(name);
      }
      if (s.resend != null) {
        s.resend.remove(name);
      }
    }
    for (String name : request.getResourceNamesSubscribeList()) {
      if (name.equals(WILDCARD) || names.contains(name)) {
        continue;
      }
      names = names.plus(name);
      if (!s.wildcard) {
        if (s.base != null && (s.held == null || !s.held.containsKey(name))) {
          s.hold(name, null); // newly subscribed: the proxy holds none yet
        }
        if (s.type == ResourceType.CLUSTER) {
          s.tell(name); // on-demand discovery: a missing cluster is told at once, not timed out
        }
      }
    }
    if (names != s.names) {
      s.names = this.names.intern(names);
    }
  }

  /** The group published: each type without a response outstanding gets what changed. */
  void published() {
    synchronized (this) {
      if (!closed && feed != null) {
        catchUp();
      }
    }
  }

  /**
   * Each type without a response outstanding is brought to the group's latest snapshot, clusters
   * before endpoints and listeners before routes, so what a response names is there first.
   */
  private void catchUp() {
    Optional<DeltaFeeds.Latest> latest = feed.latest();
    if (latest.isEmpty()) {
      return;
    }
    for (ResourceType type : DeltaFeeds.TYPES) {
      Subscription s = subscriptions.get(type);
      if (s != null && s.pending == null) {
        respond(s, latest.get());
      }
    }
  }

  /** Brings the proxy's type to {@code latest}, sending what differs, if anything. */
  private void respond(Subscription s, DeltaFeeds.Latest latest) {
    if (s.settledAt(latest.snapshot())) {
      return;
    }
    Map<String, ? extends VersionedResource<?>> now =
        DeltaFeeds.resources(latest.snapshot(), s.type);
    TreeSet<String> candidates = new TreeSet<>();
    if (s.base == null) {
      if (s.wildcard) {
        candidates.addAll(now.keySet());
      }
      candidates.addAll(s.names);
    } else {
      candidates.addAll(feed.changedBetween(s.base, s.baseSerial, latest, s.type));
    }
    if (s.held != null) {
      candidates.addAll(s.held.keySet());
    }
    if (s.resend != null) {
      candidates.addAll(s.resend);
    }
    if (s.tell != null) {
      candidates.addAll(s.tell);
    }
    SortedMap<String, Resource> send = new TreeMap<>();
    List<String> removed = new ArrayList<>();
    for (String name : candidates) {
      if (!s.covers(name)) {
        continue;
      }
      VersionedResource<?> want = now.get(name);
      String have = s.heldVersion(name);
      if (want != null) {
        if (!want.version().equals(have) || (s.resend != null && s.resend.contains(name))) {
          send.put(name, wire.of(name, want));
          if (have != null && s.type == ResourceType.CLUSTER) {
            resendEndpointsOf(want.resource());
          }
        }
      } else if (have != null || (s.tell != null && s.tell.contains(name))) {
        removed.add(name);
      }
    }
    s.base = latest.snapshot();
    s.baseSerial = latest.serial();
    s.held = null;
    s.resend = null;
    s.tell = null;
    if (send.isEmpty() && removed.isEmpty() && (s.answered || !s.wildcard)) {
      return;
    }
    s.answered = true;
    String version = latest.snapshot().version(s.type, List.of());
    DeltaDiscoveryResponse response =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(s.typeUrl)
            .setSystemVersionInfo(version)
            .setNonce(Long.toString(++nonce))
            .addAllResources(send.values())
            .addAllRemovedResources(removed)
            .build();
    s.pending = response.getNonce();
    callbacks.onV3StreamDeltaResponse(id, DeltaDiscoveryRequest.getDefaultInstance(), response);
    try {
      out.onNext(response);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.CANCELLED) {
        throw e;
      }
    }
  }

  /**
   * An updated EDS cluster warms until it has its endpoints, and Envoy does not ask again for a
   * name it already subscribes to (delta), so its ClusterLoadAssignment is sent again even at the
   * same version; without it the new cluster waits for the EDS cache's fallback after
   * initial_fetch_timeout (Envoy 1.32+), or for ever before (docs/envoy-semantics.md).
   */
  private void resendEndpointsOf(com.google.protobuf.Message resource) {
    if (!(resource instanceof Cluster cluster) || cluster.getType() != Cluster.DiscoveryType.EDS) {
      return;
    }
    Subscription endpoints = subscriptions.get(ResourceType.ENDPOINT);
    String name =
        cluster.getEdsClusterConfig().getServiceName().isEmpty()
            ? cluster.getName()
            : cluster.getEdsClusterConfig().getServiceName();
    if (endpoints != null && endpoints.covers(name)) {
      endpoints.resend(name);
    }
  }

  @Override
  public void onError(Throwable t) {
    close(Optional.of(t));
  }

  @Override
  public void onCompleted() {
    synchronized (this) {
      if (!closed) {
        try {
          out.onCompleted();
        } catch (IllegalStateException | StatusRuntimeException e) {
          // already closed by the transport
        }
      }
    }
    close(Optional.empty());
  }

  private void fail(Throwable error) {
    synchronized (this) {
      if (!closed) {
        try {
          out.onError(error);
        } catch (IllegalStateException | StatusRuntimeException e) {
          // already closed by the transport
        }
      }
    }
    close(Optional.of(error));
  }

  private void close(Optional<Throwable> error) {
    ProxyContext left;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      left = group;
    }
    if (left != null) {
      feeds.leave(left, this);
    }
    if (error.isPresent() && Status.fromThrowable(error.get()).getCode() != Status.Code.CANCELLED) {
      LOG.debug("[{}] stream closed with error", id, error.get());
    }
    if (error.isPresent()) {
      callbacks.onStreamCloseWithError(id, ANY_TYPE_URL, error.get());
    } else {
      callbacks.onStreamClose(id, ANY_TYPE_URL);
    }
  }
}
