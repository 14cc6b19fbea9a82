package io.fairlead.examples.envoy;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * gRPC backends standing in for pods, one per loopback address on a shared port. They serve the
 * standard health service and name themselves in the {@code x-backend} response header.
 */
final class GrpcBackends implements AutoCloseable {

  static final Metadata.Key<String> BACKEND =
      Metadata.Key.of(HttpBackends.BACKEND_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final List<Server> servers = new ArrayList<>();
  private final int port;

  private GrpcBackends(int port) {
    this.port = port;
  }

  static GrpcBackends start(List<String> addresses) throws IOException {
    for (int attempt = 0; ; attempt++) {
      int port;
      try (ServerSocket probe =
          new ServerSocket(0, 1, java.net.InetAddress.getByName(addresses.get(0)))) {
        port = probe.getLocalPort();
      }
      GrpcBackends b = new GrpcBackends(port);
      try {
        for (String address : addresses) {
          b.servers.add(
              NettyServerBuilder.forAddress(new InetSocketAddress(address, port))
                  .addService(
                      ServerInterceptors.intercept(
                          new HealthStatusManager().getHealthService(), naming(address)))
                  .build()
                  .start());
        }
        return b;
      } catch (IOException e) {
        b.close();
        if (!(e.getCause() instanceof BindException || e instanceof BindException)
            || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static ServerInterceptor naming(String address) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return next.startCall(
            new SimpleForwardingServerCall<>(call) {
              @Override
              public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(BACKEND, address);
                super.sendHeaders(responseHeaders);
              }
            },
            headers);
      }
    };
  }

  int port() {
    return port;
  }

  @Override
  public void close() {
    for (Server s : servers) {
      s.shutdownNow();
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
