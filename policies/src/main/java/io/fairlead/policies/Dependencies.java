package io.fairlead.policies;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a workload declares it calls ({@code fairlead.io/dependencies}, on a Pod, carried to the
 * control plane in its sidecar's node metadata): Services by {@code namespace/name}, Services of
 * its own namespace by bare {@code name}, and whole namespaces by {@code namespace/*}. It only
 * narrows what the proxy is sent; it never adds a Service the proxy could not see otherwise.
 *
 * <p>Each entry is checked on its own: a bad entry is left out and listed in {@link #rejected()}
 * (the translator reports it as an error diagnostic on the proxy's group), the rest apply. A list
 * whose every entry is bad admits nothing: it never falls back to the whole mesh.
 *
 * @param services {@code namespace/name} entries
 * @param ownNamespaceServices bare names: Services of the proxy's own namespace
 * @param namespaces {@code namespace/*} entries
 * @param rejected the entries that do not parse, each with why, in the order given
 */
public record Dependencies(
    SortedSet<ObjectRef> services,
    SortedSet<String> ownNamespaceServices,
    SortedSet<String> namespaces,
    List<Rejected> rejected) {

  /** The most entries one list may have; more are rejected (node metadata stays small). */
  public static final int MAX_ENTRIES = 256;

  /** An entry left out, as written, and why. */
  public record Rejected(String entry, String reason) {}

  public Dependencies {
    services = Collections.unmodifiableSortedSet(new TreeSet<>(services));
    ownNamespaceServices = Collections.unmodifiableSortedSet(new TreeSet<>(ownNamespaceServices));
    namespaces = Collections.unmodifiableSortedSet(new TreeSet<>(namespaces));
    rejected = List.copyOf(rejected);
  }

  /**
   * Parses a comma list; never throws. Blank entries (a trailing comma) are skipped, duplicates
   * merged.
   */
  public static Dependencies parse(String text) {
    SortedSet<ObjectRef> services = new TreeSet<>();
    SortedSet<String> own = new TreeSet<>();
    SortedSet<String> namespaces = new TreeSet<>();
    List<Rejected> rejected = new ArrayList<>();
    int accepted = 0;
    for (String raw : text.split(",", -1)) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      if (accepted >= MAX_ENTRIES) {
        rejected.add(new Rejected(entry, "more than " + MAX_ENTRIES + " entries"));
        continue;
      }
      int slash = entry.indexOf('/');
      if (slash < 0) {
        Optional<String> why = labelProblem(entry, "Service name");
        if (why.isPresent()) {
          rejected.add(new Rejected(entry, why.get()));
          continue;
        }
        own.add(entry);
        accepted++;
        continue;
      }
      String namespace = entry.substring(0, slash);
      String name = entry.substring(slash + 1);
      Optional<String> why =
          labelProblem(namespace, "namespace")
              .or(() -> name.equals("*") ? Optional.empty() : labelProblem(name, "Service name"));
      if (why.isPresent()) {
        rejected.add(
            new Rejected(entry, why.get() + "; expected NAME, NAMESPACE/NAME or NAMESPACE/*"));
        continue;
      }
      if (name.equals("*")) {
        namespaces.add(namespace);
      } else {
        services.add(new ObjectRef(namespace, name));
      }
      accepted++;
    }
    return new Dependencies(services, own, namespaces, rejected);
  }

  private static Optional<String> labelProblem(String text, String what) {
    ParseResult<String> label = Values.dnsLabel(text);
    return label instanceof ParseResult.Err<String> e
        ? Optional.of(what + " " + e.message())
        : Optional.empty();
  }

  /**
   * Whether a Service is declared: by name, by its namespace, or by bare name when it is in the
   * proxy's own namespace (a bare name matches nothing while that namespace is unknown).
   */
  public boolean admits(ObjectRef service, Optional<String> proxyNamespace) {
    return services.contains(service)
        || namespaces.contains(service.namespace())
        || (ownNamespaceServices.contains(service.name())
            && proxyNamespace.filter(service.namespace()::equals).isPresent());
  }

  /** The accepted entries as a canonical comma list (for labels and logs). */
  public String describe() {
    List<String> parts = new ArrayList<>();
    services.forEach(s -> parts.add(s.toString()));
    parts.addAll(ownNamespaceServices);
    namespaces.forEach(ns -> parts.add(ns + "/*"));
    return String.join(",", parts);
  }
}
