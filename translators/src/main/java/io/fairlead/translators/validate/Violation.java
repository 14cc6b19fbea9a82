package io.fairlead.translators.validate;

/**
 * One way an Envoy resource breaks a rule Envoy enforces when loading it.
 *
 * @param resource the resource, as {@code Type/name} (e.g. {@code Cluster/echo}) for resources
 *     validated as a set, or the name the caller gave to {@link XdsValidator#validateMessage}
 * @param path the field path in proto field names, e.g. {@code
 *     load_assignment.endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value}; map
 *     entries appear as {@code field["key"]}; empty for the resource itself
 * @param message what is wrong, in words
 */
public record Violation(String resource, String path, String message) {

  @Override
  public String toString() {
    return resource + (path.isEmpty() ? "" : " " + path) + ": " + message;
  }
}
