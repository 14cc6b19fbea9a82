package io.fairlead.xds;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * A SotW ADS call whose flow control a test decides: it records what it is sent and how it is
 * closed, and is ready until it is sent a response larger than {@code threshold} bytes (as gRPC's
 * call stops being ready once it holds 32 KiB its client has not read), or while the test says.
 */
final class FakeServerCall extends ServerCall<DiscoveryRequest, DiscoveryResponse> {

  private final int threshold;
  final List<DiscoveryResponse> sent = new ArrayList<>();
  final List<Status> closed = new ArrayList<>();
  boolean ready = true;

  /** Runs once, inside the next {@link #sendMessage}, before the message is recorded. */
  Runnable duringSend = () -> {};

  FakeServerCall(int threshold) {
    this.threshold = threshold;
  }

  @Override
  public void request(int n) {}

  @Override
  public void sendHeaders(Metadata headers) {}

  @Override
  public synchronized void sendMessage(DiscoveryResponse message) {
    Runnable during = duringSend;
    duringSend = () -> {};
    during.run();
    sent.add(message);
    if (message.getSerializedSize() > threshold) {
      ready = false;
    }
  }

  @Override
  public synchronized void close(Status status, Metadata trailers) {
    closed.add(status);
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public synchronized boolean isReady() {
    return ready;
  }

  @Override
  public MethodDescriptor<DiscoveryRequest, DiscoveryResponse> getMethodDescriptor() {
    return AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod();
  }
}
