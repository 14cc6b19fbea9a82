package io.fairlead.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fairlead.bootstrap.NodeMetadataKeys;
import io.fairlead.k8s.util.DaemonThreads;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this replica can still do its job, for {@code /healthz}: an xDS client asks the discovery
 * service, in-process (whatever the port's TLS), for clusters every period and must get an answer,
 * and Netty's direct memory must not be exhausted. A process that answers HTTP but no proxy is not
 * alive, and Kubernetes should restart it.
 *
 * <p>The probe is a sidecar scoped to a namespace that does not exist, so its node group is tiny
 * and costs nothing to translate.
 */
public final class LivenessProbe implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LivenessProbe.class);
  static final String NODE_ID = "fairlead-liveness-probe";

  /** The namespace the probe declares, which holds nothing: its group is always empty. */
  static final String NOWHERE = "fairlead-liveness-probe";

  /**
   * Consecutive failed probes before the process is reported dead: one slow answer is not death.
   */
  private static final int FAILURES_TO_DIE = 3;

  private final ManagedChannel channel;
  private final BooleanSupplier serving;
  private final Duration timeout;
  private final LongSupplier usedDirect;
  private final LongSupplier maxDirect;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("fairlead-liveness"));
  private volatile int failures;
  private volatile String lastFailure = "";

  /**
   * @param serving whether the server answers requests yet (they are held until the first publish)
   */
  LivenessProbe(
      ManagedChannel channel, BooleanSupplier serving, Duration period, Duration timeout) {
    this(
        channel,
        serving,
        period,
        timeout,
        PlatformDependent::usedDirectMemory,
        PlatformDependent::maxDirectMemory);
  }

  LivenessProbe(
      ManagedChannel channel,
      BooleanSupplier serving,
      Duration period,
      Duration timeout,
      LongSupplier usedDirect,
      LongSupplier maxDirect) {
    this.channel = channel;
    this.serving = serving;
    this.timeout = timeout;
    this.usedDirect = usedDirect;
    this.maxDirect = maxDirect;
    timer.scheduleWithFixedDelay(
        this::probe, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Why the process should be restarted, or nothing while it is alive. */
  public Optional<String> problem() {
    long used = usedDirect.getAsLong();
    long max = maxDirect.getAsLong();
    if (used >= 0 && max > 0 && used >= max * 95 / 100) {
      return Optional.of("direct memory exhausted: " + used + " of " + max + " bytes in use");
    }
    return failures >= FAILURES_TO_DIE
        ? Optional.of(
            "the xDS server did not answer " + failures + " probes in a row (" + lastFailure + ")")
        : Optional.empty();
  }

  void probe() {
    if (!serving.getAsBoolean()) {
      return; // requests are held until the first publish; that is /readyz's business
    }
    CompletableFuture<DiscoveryResponse> answer = new CompletableFuture<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    answer.completeExceptionally(
                        new IllegalStateException("stream ended without an answer"));
                  }
                });
    try {
      requests.onNext(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
              .setNode(
                  Node.newBuilder()
                      .setId(NODE_ID)
                      .setUserAgentName("envoy")
                      .setMetadata(
                          Struct.newBuilder()
                              .putFields(
                                  NodeMetadataKeys.VISIBLE_NAMESPACES,
                                  Value.newBuilder().setStringValue(NOWHERE).build())))
              .build());
      answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (failures > 0) {
        LOG.info("the xDS server answers the liveness probe again");
      }
      failures = 0;
    } catch (Exception e) {
      lastFailure =
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      failures++;
      LOG.warn("liveness probe {} failed: {}", failures, lastFailure);
    } finally {
      try {
        requests.onCompleted();
      } catch (RuntimeException ignored) {
        // the stream may already be gone
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    channel.shutdownNow();
  }
}
