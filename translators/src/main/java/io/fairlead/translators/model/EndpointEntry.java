package io.fairlead.translators.model;

import java.util.Optional;

/**
 * One backend of a Service port.
 *
 * @param hostname a stable pod identity shared by all ports of the pod (its IP), used when hashing
 *     on the pod rather than ip:port
 * @param weight the Pod's {@code fairlead.io/weight}, when it has a valid one; empty means 1
 */
public record EndpointEntry(
    String address,
    int port,
    String hostname,
    Optional<String> zone,
    Optional<String> nodeName,
    Optional<String> podName,
    EndpointHealth health,
    Optional<Integer> weight) {

  /** An endpoint without a weight of its own. */
  public EndpointEntry(
      String address,
      int port,
      String hostname,
      Optional<String> zone,
      Optional<String> nodeName,
      Optional<String> podName,
      EndpointHealth health) {
    this(address, port, hostname, zone, nodeName, podName, health, Optional.empty());
  }

  /** The weight Envoy and gRPC are told: the Pod's, or 1. */
  public int effectiveWeight() {
    return weight.orElse(1);
  }

  /** This endpoint with another weight. */
  public EndpointEntry withWeight(Optional<Integer> w) {
    return new EndpointEntry(address, port, hostname, zone, nodeName, podName, health, w);
  }
}
