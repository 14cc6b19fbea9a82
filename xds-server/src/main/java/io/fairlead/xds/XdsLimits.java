package io.fairlead.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what one client, or a storm of them, can make the xDS server hold. Every limit refuses
 * with {@code RESOURCE_EXHAUSTED} (or {@code INVALID_ARGUMENT} for an oversized node) and counts in
 * {@code fairlead_xds_limit_hits_total{limit=...}}; a stream refused or cut releases everything it
 * held, so the gauges return to where they were.
 *
 * <p>Under mutual TLS it also binds each request's node to the namespace of the client certificate
 * ({@link XdsIdentity}), refusing a node that claims another one ({@code PERMISSION_DENIED}).
 *
 * <p>A client that does not read (gRPC flow control says the call is not ready) has its responses
 * held at most one per type, the newest, instead of piling up ({@link LatestResponses}); {@code
 * fairlead_xds_responses_merged_total} counts those merged away. What all streams have sent and
 * their clients not yet read is bounded too ({@link Unread}).
 *
 * <p>A stream cut mid-way is cancelled for the discovery service underneath (its watches are closed
 * as for a client that went away), then closed towards the client with the reason.
 */
public final class XdsLimits implements ServerInterceptor {

  private static final Logger LOG = LoggerFactory.getLogger(XdsLimits.class);

  /**
   * @param maxStreams open xDS streams in all
   * @param maxStreamsPerConnection open streams on one client connection
   * @param maxResourceNames names one stream may subscribe to
   * @param maxNodeMetadataBytes serialized size of a request's node
   * @param newStreamsPerSecond sustained rate of new streams (reconnect storms), with a burst of as
   *     many
   * @param unread what all streams together may have sent that their clients have not read yet
   */
  public record Settings(
      int maxStreams,
      int maxStreamsPerConnection,
      int maxResourceNames,
      int maxNodeMetadataBytes,
      int newStreamsPerSecond,
      Unread unread) {

    /**
     * Sized for a few thousand proxies per replica: one ADS stream each, a mesh of 10,000 Services.
     */
    public static final Settings DEFAULT =
        new Settings(10_000, 8, 50_000, 16 * 1024, 500, Unread.DEFAULT);

    public Settings {
      Objects.requireNonNull(unread);
      for (int v :
          new int[] {
            maxStreams,
            maxStreamsPerConnection,
            maxResourceNames,
            maxNodeMetadataBytes,
            newStreamsPerSecond
          }) {
        if (v < 1) {
          throw new IllegalArgumentException("xDS limits must be at least 1");
        }
      }
    }
  }

  /**
   * The bound on responses written to clients that have not read them. gRPC buffers what a stream
   * sends beyond what its client has read in Netty's direct memory, and only tells (the call is no
   * longer ready) once a stream holds 32 KiB: a proxy's first responses (a megabyte at a thousand
   * Services) are written whole. When thousands of proxies connect at once and read slowly, as a
   * fleet restarting on busy nodes does, those first responses alone exhausted a 4 GiB direct
   * memory (the bench's {@code moonshot}, 10,000 proxies), and every write failed. So the streams
   * share a budget: what was sent on a stream that is not ready counts against it until the stream
   * is ready again (its client read it) or ends; while the budget is spent, a stream's next
   * responses wait (merged, one per type, as for a client that does not read) and streams go on in
   * the order they waited as others' clients read. A stream whose client has held budget without
   * reading for {@code stuckAfter} is cut ({@code RESOURCE_EXHAUSTED}) while streams wait for the
   * budget (a sweep on a thread of its own looks every sixtieth of it), so clients that never read
   * cannot hold everyone else up.
   *
   * @param maxBytes bytes sent and not read, over all streams, before new responses wait
   * @param stuckAfter how long a stream may hold part of a spent budget without its client reading
   */
  public record Unread(long maxBytes, Duration stuckAfter) {

    /**
     * A quarter of Netty's direct memory limit (which defaults to the heap's maximum; the image
     * sets 64 MiB), at least 8 MiB: the rest is for what gRPC holds besides (serialization buffers,
     * the pools' chunks); a minute.
     */
    public static final Unread DEFAULT =
        new Unread(
            Math.max(
                8L << 20,
                io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent.maxDirectMemory()
                    / 4),
            Duration.ofMinutes(1));

    public Unread {
      if (maxBytes < 1 || stuckAfter.isNegative() || stuckAfter.isZero()) {
        throw new IllegalArgumentException(
            "the unread budget (--max-unread-bytes) and its timeout (--unread-timeout) must be"
                + " positive");
      }
    }
  }

  private final Settings settings;
  private final XdsMetrics metrics;

  /** Bytes sent on streams that are not ready (their clients have not read them), all streams. */
  private final java.util.concurrent.atomic.AtomicLong unread =
      new java.util.concurrent.atomic.AtomicLong();

  private final java.util.function.ObjLongConsumer<Runnable> scheduler;

  /** Whether a {@link #sweep} is scheduled (one at a time, while streams wait). */
  private final AtomicBoolean sweeping = new AtomicBoolean();

  /** Runs the sweeps of every server in the JVM: a daemon, idle unless streams wait. */
  private static final java.util.concurrent.ScheduledExecutorService SWEEPER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fairlead-unread-sweeper");
            t.setDaemon(true);
            return t;
          });

  /** Streams holding part of {@link #unread}. */
  private final Set<Limited<?, ?>> holders = ConcurrentHashMap.newKeySet();

  /** Streams with responses waiting for the budget, in the order they started waiting. */
  private final java.util.Deque<Limited<?, ?>> parked =
      new java.util.concurrent.ConcurrentLinkedDeque<>();

  private final LongSupplier nanos;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<SocketAddress, AtomicInteger> perConnection = new ConcurrentHashMap<>();
  private final TokenBucket newStreams;

  /** Whether the client certificate's namespace is bound to the node (mutual TLS). */
  private final boolean bindIdentity;

  private volatile Consumer<XdsIdentity.Refusal> refused = r -> {};

  public XdsLimits(Settings settings, XdsMetrics metrics) {
    this(settings, metrics, false);
  }

  public XdsLimits(Settings settings, XdsMetrics metrics, boolean bindIdentity) {
    this(
        settings,
        metrics,
        System::nanoTime,
        bindIdentity,
        (task, millis) ->
            SWEEPER.schedule(task, millis, java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  /**
   * With a clock, and what schedules a task after some milliseconds (tests run sweeps themselves).
   */
  XdsLimits(
      Settings settings,
      XdsMetrics metrics,
      LongSupplier nanos,
      boolean bindIdentity,
      java.util.function.ObjLongConsumer<Runnable> scheduler) {
    this.scheduler = scheduler;
    this.bindIdentity = bindIdentity;
    this.settings = settings;
    this.metrics = metrics;
    this.nanos = nanos;
    this.newStreams =
        new TokenBucket(
            settings.newStreamsPerSecond(), settings.newStreamsPerSecond(), nanos.getAsLong());
  }

  /**
   * Who is told of each stream refused for its identity (the serve command writes an Event on the
   * client's ServiceAccount). Called on a gRPC thread: it must return at once.
   */
  public void onIdentityRefused(Consumer<XdsIdentity.Refusal> listener) {
    this.refused = Objects.requireNonNull(listener);
  }

  private void tell(XdsIdentity.Refusal refusal) {
    try {
      refused.accept(refusal);
    } catch (RuntimeException e) {
      LOG.warn("reporting a refused identity failed: {}", e.toString());
    }
  }

  /**
   * Whether streams of this method count their resource names themselves: Fairlead's delta ADS
   * streams ({@link DeltaStream}) keep their subscriptions as sets shared between streams, so the
   * interceptor keeps no copy of its own (it would be most of a proxy's memory) and they ask {@link
   * #resourceNames} instead.
   */
  static boolean countsOwnNames(MethodDescriptor<?, ?> method) {
    return method
        .getFullMethodName()
        .equals(
            AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod().getFullMethodName());
  }

  /** For streams that count their own names: the refusal when {@code names} is over the limit. */
  Optional<Status> resourceNames(int names) {
    if (names <= settings.maxResourceNames()) {
      return Optional.empty();
    }
    metrics.limitHit("resource_names");
    return Optional.of(
        Status.RESOURCE_EXHAUSTED.withDescription(
            "stream subscribes to "
                + names
                + " resource names; at most "
                + settings.maxResourceNames()));
  }

  /** Streams open now, for tests and the gauges. */
  public int openStreams() {
    return open.get();
  }

  /** Bytes sent on streams whose clients have not read them, for tests. */
  long unreadBytes() {
    return unread.get();
  }

  /**
   * Lets waiting streams send, in the order they waited, while the budget allows: the first in line
   * that does not fit yet keeps its place and stops the others. Called with no stream's lock held
   * (it takes each waiting stream's).
   */
  private void unpark() {
    Limited<?, ?> next;
    while (unread.get() < settings.unread().maxBytes() && (next = parked.pollFirst()) != null) {
      if (!next.resume()) {
        parked.offerFirst(next);
        return;
      }
    }
  }

  /**
   * While streams wait for the budget, a {@link #sweep} every sixtieth of {@code stuckAfter} (at
   * least 10 ms): on its own thread, so that neither the discovery service's threads nor gRPC's
   * look through the holders, and so that waiting streams go on even when nothing more is sent.
   */
  private void scheduleSweep() {
    if (sweeping.compareAndSet(false, true)) {
      long every = Math.max(10, settings.unread().stuckAfter().toMillis() / 60);
      scheduler.accept(
          () -> {
            sweeping.set(false);
            try {
              sweep();
            } catch (RuntimeException e) {
              LOG.warn("sweeping the streams that wait for the unread budget failed", e);
            }
            if (!parked.isEmpty()) {
              scheduleSweep();
            }
          },
          every);
    }
  }

  /**
   * Cuts the streams that have held part of the budget for longer than {@code stuckAfter} without
   * their clients reading, then lets waiting streams go on. Called with no stream's lock held.
   */
  void sweep() {
    long now = nanos.getAsLong();
    long stuck = settings.unread().stuckAfter().toNanos();
    for (Limited<?, ?> holder : holders) {
      if (now - holder.holdingSince > stuck) {
        metrics.limitHit("unread");
        LOG.warn(
            "cut an xDS stream from {}: its client has not read {} bytes for {}",
            holder.peer,
            holder.held,
            settings.unread().stuckAfter());
        holder.cutWith(
            Status.RESOURCE_EXHAUSTED.withDescription(
                "the client did not read its responses for " + settings.unread().stuckAfter()));
      }
    }
    unpark();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (!newStreams.take(nanos.getAsLong())) {
      return refuse(
          call,
          "rate",
          Status.RESOURCE_EXHAUSTED.withDescription(
              "too many new xDS streams; retry with backoff"));
    }
    if (open.incrementAndGet() > settings.maxStreams()) {
      open.decrementAndGet();
      return refuse(
          call,
          "streams",
          Status.RESOURCE_EXHAUSTED.withDescription(
              "the xDS server has its maximum of open streams"));
    }
    AtomicInteger onConnection =
        peer == null
            ? new AtomicInteger()
            : perConnection.computeIfAbsent(peer, p -> new AtomicInteger());
    if (onConnection.incrementAndGet() > settings.maxStreamsPerConnection()) {
      release(peer, onConnection);
      return refuse(
          call,
          "streams_per_connection",
          Status.RESOURCE_EXHAUSTED.withDescription("too many xDS streams on one connection"));
    }
    Optional<XdsIdentity.Peer> identity =
        bindIdentity
            ? XdsIdentity.peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION))
            : Optional.empty();
    Limited<Q, R> limited = new Limited<>(call, peer, onConnection, identity);
    try {
      limited.delegate = next.startCall(limited.guardedCall, headers);
    } catch (RuntimeException e) {
      limited.release();
      throw e;
    }
    if (limited.cut.get()) {
      limited.delegate.onCancel(); // cut while the service was still starting the call
    }
    return limited;
  }

  private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String limit, Status status) {
    metrics.limitHit(limit);
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private void release(SocketAddress peer, AtomicInteger onConnection) {
    open.decrementAndGet();
    if (onConnection.decrementAndGet() == 0 && peer != null) {
      perConnection.remove(peer, onConnection);
    }
  }

  /** One admitted stream: checks each request, and releases its counts exactly once. */
  private final class Limited<Q, R> extends ForwardingServerCallListener<Q> {
    private final ServerCall<Q, R> call;
    private final SocketAddress peer;
    private final AtomicInteger onConnection;
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean cut = new AtomicBoolean();

    /** What this stream subscribes to, by type: SotW name counts, delta name sets. */
    private final Map<String, Integer> sotwNames = new ConcurrentHashMap<>();

    private final Map<String, Set<String>> deltaNames = new ConcurrentHashMap<>();

    /** The stream counts its names itself ({@link #countsOwnNames}). */
    private final boolean ownNames;

    private final ServerCall<Q, R> guardedCall;
    private ServerCall.Listener<Q> delegate = new ServerCall.Listener<>() {};
    private final Optional<XdsIdentity.Peer> identity;

    /** Guards sending: the discovery service and gRPC's onReady both send. */
    private final Object sending = new Object();

    /** Bytes this stream counts in {@link #unread}, under {@code sending}. */
    private long held;

    /** When this stream began to hold part of {@link #unread} (nanos). */
    private volatile long holdingSince;

    /** Whether this stream is in {@link #parked}, under {@code sending}. */
    private boolean isParked;

    private final LatestResponses waiting = new LatestResponses();

    Limited(
        ServerCall<Q, R> call,
        SocketAddress peer,
        AtomicInteger onConnection,
        Optional<XdsIdentity.Peer> identity) {
      this.identity = identity;
      this.call = call;
      this.ownNames = countsOwnNames(call.getMethodDescriptor());
      this.peer = peer;
      this.onConnection = onConnection;
      this.guardedCall =
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
              // gRPC flow control: while the client does not read, or while the server-wide
              // unread budget is spent, responses wait here, at most one per type, each newer
              // one replacing or merged into the one waiting; the client gets the newest state of
              // each type when it can be sent.
              synchronized (sending) {
                if (cut.get()) {
                  return;
                }
                boolean spent = false;
                if (waiting.isEmpty() && call.isReady()) {
                  if (trySend(message)) {
                    return;
                  }
                  spent = true;
                }
                boolean first = waiting.isEmpty();
                long before = waiting.merged();
                waiting.hold(message);
                if (waiting.merged() > before) {
                  metrics.responseMerged();
                }
                if (spent || isParked) {
                  park(); // it waits its turn for the budget, behind the streams waiting already
                } else if (first && call.isReady() && !flush()) {
                  // it became ready meanwhile (its onReady may already have run), but the budget
                  // is spent: it waits its turn
                  park();
                }
              }
            }

            @Override
            public void close(Status status, Metadata trailers) {
              if (!cut.get()) {
                super.close(status, trailers);
              }
            }
          };
    }

    @Override
    protected ServerCall.Listener<Q> delegate() {
      return delegate;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onMessage(Q message) {
      if (cut.get()) {
        return;
      }
      Q request = message;
      if (bindIdentity) {
        XdsIdentity.Bound bound =
            XdsIdentity.bind(message, identity.map(XdsIdentity.Peer::namespace));
        if (bound.refusal().isPresent()) {
          metrics.limitHit("identity");
          LOG.warn("refused an xDS stream from {}: {}", peer, bound.refusal().get());
          identity.ifPresent(p -> tell(new XdsIdentity.Refusal(p, bound.refusal().get())));
          cutWith(Status.PERMISSION_DENIED.withDescription(bound.refusal().get()));
          return;
        }
        request = (Q) bound.request();
      }
      Optional<Status> refused = check(request);
      if (refused.isPresent()) {
        cutWith(refused.get());
        return;
      }
      super.onMessage(request);
    }

    /** Why the stream must end after this request, if it must. */
    private Optional<Status> check(Object message) {
      Node node = null;
      if (message instanceof DiscoveryRequest r) {
        // SotW names the whole set each time: a count per type is enough.
        node = r.hasNode() ? r.getNode() : null;
        sotwNames.put(r.getTypeUrl(), r.getResourceNamesCount());
      } else if (message instanceof DeltaDiscoveryRequest r) {
        node = r.hasNode() ? r.getNode() : null;
        if (!ownNames) {
          // Delta adds and removes names: the set is needed to count them right.
          Set<String> set = deltaNames.computeIfAbsent(r.getTypeUrl(), t -> new HashSet<>());
          r.getResourceNamesUnsubscribeList().forEach(set::remove);
          set.addAll(r.getResourceNamesSubscribeList());
        }
      }
      if (node != null && node.getSerializedSize() > settings.maxNodeMetadataBytes()) {
        metrics.limitHit("node_size");
        return Optional.of(
            Status.INVALID_ARGUMENT.withDescription(
                "node is "
                    + node.getSerializedSize()
                    + " bytes; at most "
                    + settings.maxNodeMetadataBytes()));
      }
      int names = sotwNames.values().stream().mapToInt(Integer::intValue).sum();
      for (Set<String> set : deltaNames.values()) {
        names += set.size();
      }
      return resourceNames(names);
    }

    /** Ends the stream: cancelled underneath (watches closed), refused towards the client. */
    private void cutWith(Status status) {
      if (!cut.compareAndSet(false, true)) {
        return;
      }
      synchronized (sending) {
        waiting.drain();
        call.close(status, new Metadata());
      }
      delegate.onCancel();
      release();
    }

    @Override
    public void onReady() {
      synchronized (sending) {
        if (cut.get()) {
          return;
        }
        giveBack(); // the client read what it held: under gRPC's threshold again
        if (!isParked && !flush()) {
          park(); // a parked stream waits its turn: unpark resumes it
        }
      }
      unpark();
      super.onReady();
    }

    /**
     * Sends one response if the budget has room for it (or nothing else is unread: a response
     * larger than the whole budget still goes, alone), counting it while the client has not read
     * it; false, sending nothing, when the budget is spent. Its size is reserved before it is sent,
     * so streams sending at once on many threads cannot all pass the check together. The caller
     * holds {@code sending}.
     */
    private boolean trySend(R message) {
      long size = message instanceof com.google.protobuf.MessageLite m ? m.getSerializedSize() : 0;
      long after = unread.addAndGet(size);
      if (after > settings.unread().maxBytes() && after != size) {
        unread.addAndGet(-size);
        return false;
      }
      call.sendMessage(message);
      if (call.isReady()) {
        unread.addAndGet(-size); // the client keeps up: under gRPC's per-stream threshold
      } else if (size > 0) {
        if (held == 0) {
          holdingSince = nanos.getAsLong();
          holders.add(this);
        }
        held += size;
      }
      return true;
    }

    /** Returns what this stream held of the budget; the caller holds {@code sending}. */
    private void giveBack() {
      if (held > 0) {
        unread.addAndGet(-held);
        held = 0;
        holders.remove(this);
      }
    }

    /**
     * Waits for the budget, behind the streams waiting already; the caller holds {@code sending}.
     */
    private void park() {
      if (!isParked) {
        isParked = true;
        metrics.limitHit("unread_wait");
        parked.offerLast(this);
        scheduleSweep();
      }
    }

    /**
     * Sends what waited for the budget: false when the budget has no room for it yet (the stream
     * stays parked). A stream that ended, has nothing waiting or whose client is not reading leaves
     * the line (gRPC's onReady sends for the last). No lock held.
     */
    private boolean resume() {
      synchronized (sending) {
        if (cut.get() || released.get() || waiting.isEmpty() || !call.isReady() || flush()) {
          isParked = false;
          return true;
        }
        return false;
      }
    }

    /**
     * Sends what waits, while the client and the budget allow: false when the budget stopped it
     * (the rest waits again, in its order). The caller holds {@code sending}.
     */
    @SuppressWarnings("unchecked")
    private boolean flush() {
      List<Object> all = waiting.drain();
      for (int i = 0; i < all.size(); i++) {
        if (!call.isReady() || !trySend((R) all.get(i))) {
          boolean spent = call.isReady();
          for (Object rest : all.subList(i, all.size())) {
            waiting.hold(rest);
          }
          return !spent;
        }
      }
      return true;
    }

    @Override
    public void onHalfClose() {
      if (!cut.get()) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      release();
      if (!cut.get()) {
        super.onCancel();
      }
    }

    @Override
    public void onComplete() {
      release();
      if (!cut.get()) {
        super.onComplete();
      }
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        sotwNames.clear();
        deltaNames.clear();
        synchronized (sending) {
          giveBack();
          waiting.drain();
        }
        // left in the line, if it is in it: resume() drops a released stream when it comes up
        XdsLimits.this.release(peer, onConnection);
        unpark();
      }
    }
  }

  /** A token bucket: {@code rate} tokens a second, at most {@code burst} saved. */
  static final class TokenBucket {
    private final double rate;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(double rate, double burst, long now) {
      this.rate = rate;
      this.burst = burst;
      this.tokens = burst;
      this.last = now;
    }

    synchronized boolean take(long now) {
      tokens = Math.min(burst, tokens + (now - last) * rate / Duration.ofSeconds(1).toNanos());
      last = now;
      if (tokens < 1) {
        return false;
      }
      tokens--;
      return true;
    }
  }
}
