package io.fairlead.translators;

/** The xDS client implementation, which decides what a config may contain. */
public enum ClientKind {
  ENVOY("envoy"),
  GRPC_JAVA("grpc-java"),
  GRPC_NODE("grpc-node"),
  /** Any other gRPC implementation (C++, Go, Python...): the common gRPC subset. */
  GRPC_OTHER("grpc");

  private final String label;

  ClientKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public boolean isGrpc() {
    return this != ENVOY;
  }
}
