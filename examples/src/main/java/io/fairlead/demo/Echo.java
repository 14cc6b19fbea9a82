package io.fairlead.demo;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's gRPC service, {@code fairlead.demo.Echo/Who}: it answers with the name of the backend
 * that served the call. Messages are plain UTF-8 strings, so no protoc step is needed.
 */
public final class Echo {

  public static final String SERVICE = "fairlead.demo.Echo";

  public static final MethodDescriptor<String, String> WHO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Who"))
          .setRequestMarshaller(Utf8.INSTANCE)
          .setResponseMarshaller(Utf8.INSTANCE)
          .setIdempotent(true)
          .build();

  private Echo() {}

  /** Calls {@code Who} and returns the name of the backend that answered. */
  public static String who(Channel channel, Duration deadline) {
    return who(channel, Map.of(), deadline);
  }

  /**
   * Calls {@code Who} with extra request headers (e.g. a hash key) and returns the backend's name.
   */
  public static String who(Channel channel, Map<String, String> headers, Duration deadline) {
    Channel target = channel;
    if (!headers.isEmpty()) {
      Metadata metadata = new Metadata();
      headers.forEach(
          (name, value) ->
              metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
      target =
          ClientInterceptors.intercept(
              channel, MetadataUtils.newAttachHeadersInterceptor(metadata));
    }
    CallOptions options =
        CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    return ClientCalls.blockingUnaryCall(target, WHO, options, "");
  }

  /** A UTF-8 string as the whole message. */
  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
