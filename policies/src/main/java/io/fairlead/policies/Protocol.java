package io.fairlead.policies;

/** Application protocol of a Service port. */
public enum Protocol {
  HTTP,
  HTTP2,
  GRPC,
  TCP;

  /** HTTP-family ports get an HTTP connection manager and per-request balancing. */
  public boolean isHttp() {
    return this != TCP;
  }

  /** HTTP/2 and gRPC ports get HTTP/2 upstreams, so each stream is balanced on its own. */
  public boolean isHttp2() {
    return this == HTTP2 || this == GRPC;
  }
}
