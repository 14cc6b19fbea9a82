package io.fairlead.translators.model;

import java.util.Optional;

/**
 * One backend of a Service port.
 *
 * @param hostname a stable pod identity shared by all ports of the pod (its IP), used when hashing
 *     on the pod rather than ip:port
 */
public record EndpointEntry(
    String address,
    int port,
    String hostname,
    Optional<String> zone,
    Optional<String> nodeName,
    Optional<String> podName,
    EndpointHealth health) {}
