package io.fairlead.translators.model;

import io.fairlead.translators.ObjectRef;
import java.util.List;

/**
 * A Service as the translator sees it.
 *
 * @param clusterIps the virtual IPs (one per family); empty for headless Services
 */
public record ServiceEntry(ObjectRef ref, List<String> clusterIps, List<PortEntry> ports) {

  /** The DNS name proxyless clients dial. */
  public String fqdn() {
    return ref.name() + "." + ref.namespace() + ".svc.cluster.local";
  }
}
