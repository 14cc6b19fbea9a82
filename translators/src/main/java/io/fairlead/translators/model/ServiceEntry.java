package io.fairlead.translators.model;

import io.fairlead.policies.ExportTo;
import io.fairlead.policies.ObjectRef;
import java.util.List;
import java.util.Optional;

/**
 * A Service as the translator sees it.
 *
 * @param clusterIps the virtual IPs (one per family); empty for headless Services
 * @param exportTo which namespaces' proxies receive it; empty means every namespace
 */
public record ServiceEntry(
    ObjectRef ref, List<String> clusterIps, List<PortEntry> ports, Optional<ExportTo> exportTo) {

  public ServiceEntry(ObjectRef ref, List<String> clusterIps, List<PortEntry> ports) {
    this(ref, clusterIps, ports, Optional.empty());
  }

  /** Whether a proxy of that namespace (empty when unknown) receives this Service. */
  public boolean exportedTo(Optional<String> proxyNamespace) {
    return exportTo.map(e -> e.allows(ref.namespace(), proxyNamespace)).orElse(true);
  }
}
