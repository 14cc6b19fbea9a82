package io.fairlead.translators.model;

import io.fairlead.policies.PortPolicy;
import java.util.List;

/** A Service port with its effective policy and its merged, de-duplicated endpoints. */
public record PortEntry(PortPolicy policy, List<EndpointEntry> endpoints) {

  public int port() {
    return policy.port().port();
  }
}
