package io.fairlead.demo;

import io.fairlead.k8s.util.DaemonThreads;
import io.grpc.Attributes;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One "pod": a gRPC server on its own loopback address that answers {@link Echo#WHO} with its name,
 * after an adjustable delay to play a slow backend. It also serves the standard gRPC health
 * service, and counts the connections it accepts, so the demo can show that many requests share one
 * long-lived connection.
 */
public final class EchoBackend implements AutoCloseable {

  private final String name;
  private final Server server;
  private final ScheduledExecutorService timer;
  private final AtomicLong delayMillis = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean unavailable =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final AtomicLong failures = new AtomicLong();

  /** The utilisation reported with each answer (ORCA), as raw double bits; NaN reports nothing. */
  private final AtomicLong utilization = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));

  /**
   * The request rate every backend reports with its utilisation. gRPC's and Envoy's weight is
   * {@code qps / utilization}, so with equal rates the weights are inversely proportional to the
   * utilisations; a report without qps is ignored by both.
   */
  public static final double REPORTED_QPS = 100;

  private EchoBackend(String host, int port) {
    this.name = host;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("echo-backend-timer-" + host));
    ServerServiceDefinition echo =
        ServerServiceDefinition.builder(Echo.SERVICE)
            .addMethod(
                Echo.WHO, ServerCalls.asyncUnaryCall((request, response) -> answer(response)))
            .build();
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
            .addService(
                io.grpc.ServerInterceptors.intercept(
                    echo, io.grpc.xds.orca.OrcaMetricReportingServerInterceptor.getInstance()))
            .addService(new HealthStatusManager().getHealthService())
            .addTransportFilter(
                new ServerTransportFilter() {
                  @Override
                  public Attributes transportReady(Attributes attributes) {
                    connections.incrementAndGet();
                    return attributes;
                  }
                })
            .build();
  }

  /**
   * Starts a backend answering with {@code host}, its loopback address (e.g. 127.0.0.12).
   *
   * @param port a port, or 0 for any free one
   * @throws IOException when the address cannot be bound
   */
  public static EchoBackend start(String host, int port) throws IOException {
    EchoBackend backend = new EchoBackend(Objects.requireNonNull(host), port);
    try {
      backend.server.start();
    } catch (IOException | RuntimeException e) {
      backend.timer.shutdownNow();
      throw e;
    }
    return backend;
  }

  private void answer(StreamObserver<String> response) {
    if (unavailable.get()) {
      failures.incrementAndGet();
      response.onError(
          io.grpc.Status.UNAVAILABLE.withDescription(name + " plays a failing pod").asException());
      return;
    }
    long delay = delayMillis.get();
    if (delay == 0) {
      reply(response);
    } else {
      timer.schedule(() -> reply(response), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void reply(StreamObserver<String> response) {
    double u = Double.longBitsToDouble(utilization.get());
    if (!Double.isNaN(u)) {
      // Per-request ORCA: the interceptor sends it in the endpoint-load-metrics-bin trailer.
      io.grpc.services.CallMetricRecorder.getCurrent()
          .recordApplicationUtilizationMetric(u)
          .recordQpsMetric(REPORTED_QPS);
    }
    response.onNext(name);
    response.onCompleted();
  }

  /** The name it answers with: its address, as a pod would be known by its IP. */
  public String name() {
    return name;
  }

  public int port() {
    return server.getPort();
  }

  /** Makes every following answer wait this long (zero for none). */
  public void delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay: " + delay);
    }
    delayMillis.set(delay.toMillis());
  }

  /**
   * Attaches an ORCA load report to every following answer: this application utilisation (above 0,
   * e.g. 0.9 for a busy pod) and {@link #REPORTED_QPS}; NaN stops reporting.
   */
  public void reportUtilization(double value) {
    if (!Double.isNaN(value) && !(value > 0)) {
      throw new IllegalArgumentException("utilization must be above 0: " + value);
    }
    utilization.set(Double.doubleToRawLongBits(value));
  }

  /** Makes every following call fail with UNAVAILABLE (true), or answer again (false). */
  public void failing(boolean fail) {
    unavailable.set(fail);
  }

  /** Calls answered with UNAVAILABLE since the start. */
  public long failures() {
    return failures.get();
  }

  public Duration delay() {
    return Duration.ofMillis(delayMillis.get());
  }

  /**
   * Connections accepted since the start; a client balancing per request opens one and keeps it.
   */
  public long connectionsAccepted() {
    return connections.get();
  }

  @Override
  public void close() {
    server.shutdownNow();
    timer.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + ":" + port();
  }
}
