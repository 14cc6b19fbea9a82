package io.fairlead.policies;

import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which namespaces' proxies receive a Service ({@code fairlead.io/export-to}), as Istio's {@code
 * exportTo}: everyone, the Service's own namespace, and/or a list of namespaces.
 *
 * @param everyone {@code *}
 * @param ownNamespace {@code .}
 * @param namespaces named namespaces
 */
public record ExportTo(boolean everyone, boolean ownNamespace, SortedSet<String> namespaces) {

  public static final ExportTo EVERYONE = new ExportTo(true, false, new TreeSet<>());

  public ExportTo {
    namespaces = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(namespaces));
  }

  /**
   * Whether a proxy of {@code proxyNamespace} may receive a Service of {@code serviceNamespace}. A
   * proxy whose namespace is not known receives only Services exported to everyone.
   */
  public boolean allows(String serviceNamespace, Optional<String> proxyNamespace) {
    if (everyone) {
      return true;
    }
    return proxyNamespace
        .filter(ns -> (ownNamespace && ns.equals(serviceNamespace)) || namespaces.contains(ns))
        .isPresent();
  }

  /** As the annotation spells it. */
  public String describe() {
    if (everyone) {
      return "*";
    }
    Set<String> parts = new TreeSet<>(namespaces);
    return (ownNamespace ? "." + (parts.isEmpty() ? "" : ",") : "") + String.join(",", parts);
  }
}
