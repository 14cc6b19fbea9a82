package io.fairlead.policies;

import java.util.Optional;

/**
 * What the parser needs to know of one Service port.
 *
 * @param name the port name; empty for a Service's single unnamed port
 * @param transport TCP, UDP or SCTP as Kubernetes says
 */
public record PortSpec(String name, int port, String transport, Optional<String> appProtocol) {

  /** The name used in resource names and messages: the port name, else its number. */
  public String label() {
    return name.isEmpty() ? Integer.toString(port) : name;
  }
}
