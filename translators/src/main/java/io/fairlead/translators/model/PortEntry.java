package io.fairlead.translators.model;

import io.fairlead.policies.PortPolicy;
import java.util.List;
import java.util.Optional;

/**
 * A Service port with its effective policy and its merged, de-duplicated endpoints.
 *
 * @param split the port's split resolved against the other Services ({@code fairlead.io/split});
 *     empty when the port is not split or no backend resolved
 */
public record PortEntry(
    PortPolicy policy, List<EndpointEntry> endpoints, Optional<SplitTargets> split) {

  public PortEntry(PortPolicy policy, List<EndpointEntry> endpoints) {
    this(policy, endpoints, Optional.empty());
  }

  public int port() {
    return policy.port().port();
  }

  public PortEntry withSplit(Optional<SplitTargets> v) {
    return new PortEntry(policy, endpoints, v);
  }
}
