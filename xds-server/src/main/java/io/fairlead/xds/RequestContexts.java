package io.fairlead.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Optional;

/**
 * Hands what the callbacks know about a request's stream to the config watcher. The server calls
 * the request callbacks and then creates the watch for the same request on the same thread, so a
 * thread-local keyed by the request's identity links the two without touching the library.
 */
final class RequestContexts {

  /**
   * @param node the stream's node, for requests that omit it after the first
   * @param rejectedVersion for a NACK of the stream's latest response: that response's version
   */
  record Context(Object request, Node node, Optional<String> rejectedVersion) {}

  private final ThreadLocal<Context> current = new ThreadLocal<>();

  void set(Object request, Node node, Optional<String> rejectedVersion) {
    current.set(new Context(request, node, rejectedVersion));
  }

  /** The context of exactly this request object, if it is the last one seen on this thread. */
  Optional<Context> take(Object request) {
    Context context = current.get();
    current.remove();
    return context != null && context.request() == request
        ? Optional.of(context)
        : Optional.empty();
  }
}
