package io.fairlead.translators;

import io.fairlead.policies.AnnotationKey;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.policies.TrafficSplit;
import io.fairlead.translators.model.PortEntry;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.SplitTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Resolves each root Service's {@code fairlead.io/split} against the other Services of the model:
 * the only step of model building that looks across Services. A backend that is missing, lacks the
 * port, speaks another protocol family (HTTP or tcp) than the root port, or is exported to fewer
 * namespaces than the root is left out with an error; with no backend left, the root's own
 * endpoints serve. Pure and deterministic.
 */
public final class Splits {

  private Splits() {}

  /**
   * The model's Services, the roots' ports carrying their resolved splits, and what was left out.
   */
  public record Resolution(List<ServiceEntry> services, List<Diagnostic> diagnostics) {}

  public static Resolution resolve(List<ServiceEntry> services) {
    Map<ObjectRef, ServiceEntry> byRef = new TreeMap<>();
    services.forEach(s -> byRef.put(s.ref(), s));
    Function<ObjectRef, Optional<ServiceEntry>> lookup = r -> Optional.ofNullable(byRef.get(r));
    List<ServiceEntry> out = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    for (ServiceEntry svc : services) {
      out.add(resolve(svc, lookup, diagnostics));
    }
    return new Resolution(List.copyOf(out), List.copyOf(diagnostics));
  }

  /**
   * One Service resolved against the others, which {@code lookup} gives (as built, before their own
   * splits are resolved): the incremental form, for a root whose Service or backends changed.
   */
  public static Resolution resolveOne(
      ServiceEntry svc, Function<ObjectRef, Optional<ServiceEntry>> lookup) {
    List<Diagnostic> diagnostics = new ArrayList<>();
    ServiceEntry resolved = resolve(svc, lookup, diagnostics);
    return new Resolution(List.of(resolved), List.copyOf(diagnostics));
  }

  /** Whether a port of {@code svc} has a split to resolve. */
  public static boolean hasSplit(ServiceEntry svc) {
    return svc.ports().stream().anyMatch(p -> p.policy().traffic().split().isPresent());
  }

  /** The Services that {@code svc}'s splits and split-match rules name, in its namespace. */
  public static Set<ObjectRef> named(ServiceEntry svc) {
    Set<ObjectRef> out = new TreeSet<>();
    for (PortEntry port : svc.ports()) {
      port.policy()
          .traffic()
          .split()
          .ifPresent(
              split -> {
                split
                    .backends()
                    .forEach(b -> out.add(new ObjectRef(svc.ref().namespace(), b.service())));
                split
                    .matches()
                    .forEach(m -> out.add(new ObjectRef(svc.ref().namespace(), m.service())));
              });
    }
    return java.util.Collections.unmodifiableSet(out);
  }

  private static ServiceEntry resolve(
      ServiceEntry svc,
      Function<ObjectRef, Optional<ServiceEntry>> lookup,
      List<Diagnostic> diagnostics) {
    if (!hasSplit(svc)) {
      return svc;
    }
    List<PortEntry> ports = new ArrayList<>();
    for (PortEntry port : svc.ports()) {
      ports.add(
          port.policy().traffic().split().isEmpty()
              ? port
              : port.withSplit(resolve(svc, port, lookup, diagnostics)));
    }
    return new ServiceEntry(svc.ref(), svc.clusterIps(), List.copyOf(ports), svc.exportTo());
  }

  private static Optional<SplitTargets> resolve(
      ServiceEntry root,
      PortEntry port,
      Function<ObjectRef, Optional<ServiceEntry>> byRef,
      List<Diagnostic> out) {
    TrafficSplit split = port.policy().traffic().split().orElseThrow();
    PortPolicy p = port.policy();
    List<SplitTargets.Backend> backends = new ArrayList<>();
    for (TrafficSplit.Backend b : split.backends()) {
      Optional<Target> t = target(root, port, b.service(), byRef, AnnotationRegistry.SPLIT, out);
      if (t.isPresent() && b.weight() > 0) {
        backends.add(new SplitTargets.Backend(t.get().ref(), b.weight(), t.get().port()));
      }
    }
    if (backends.isEmpty()) {
      out.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              at(root, p, AnnotationRegistry.SPLIT),
              "port "
                  + p.port().label()
                  + ": no backend of the split can take traffic; the root Service's own endpoints serve"
                  + (split.matches().isEmpty()
                      ? ""
                      : ", and the split-match rules are not applied")));
      return Optional.empty();
    }
    List<SplitTargets.MatchTarget> matches = new ArrayList<>();
    for (TrafficSplit.Match m : split.matches()) {
      target(root, port, m.service(), byRef, AnnotationRegistry.SPLIT_MATCH, out)
          .ifPresent(t -> matches.add(new SplitTargets.MatchTarget(m, t.ref(), t.port())));
    }
    return Optional.of(new SplitTargets(backends, matches));
  }

  private record Target(ObjectRef ref, PortEntry port) {}

  /** The backend Service's matching port, or an error saying why it is left out. */
  private static Optional<Target> target(
      ServiceEntry root,
      PortEntry rootPort,
      String name,
      Function<ObjectRef, Optional<ServiceEntry>> byRef,
      AnnotationKey<?> key,
      List<Diagnostic> out) {
    PortPolicy p = rootPort.policy();
    ObjectRef ref = new ObjectRef(root.ref().namespace(), name);
    String label = "port " + p.port().label() + ": backend " + ref;
    ServiceEntry backend = ref.equals(root.ref()) ? root : byRef.apply(ref).orElse(null);
    if (backend == null) {
      out.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              at(root, p, key),
              label + " does not exist (or is not routed); left out"));
      return Optional.empty();
    }
    String portName = p.port().name();
    Optional<PortEntry> match =
        backend.ports().stream()
            .filter(b -> !portName.isEmpty() && b.policy().port().name().equals(portName))
            .findFirst()
            .or(
                () ->
                    backend.ports().stream().filter(b -> b.port() == p.port().port()).findFirst());
    if (match.isEmpty()) {
      out.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              at(root, p, key),
              label
                  + " has no port "
                  + (portName.isEmpty() ? "" : "named " + portName + " or ")
                  + "numbered "
                  + p.port().port()
                  + "; left out"));
      return Optional.empty();
    }
    PortEntry b = match.get();
    if (b.policy().protocol().isHttp() != p.protocol().isHttp()) {
      out.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              at(root, p, key),
              label
                  + " port "
                  + b.policy().port().label()
                  + (p.protocol().isHttp()
                      ? " is tcp, but the root port is HTTP-family"
                      : " is HTTP-family, but the root port is tcp")
                  + "; left out"));
      return Optional.empty();
    }
    if (backend.exportTo().isPresent() && !backend.exportTo().equals(root.exportTo())) {
      out.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              at(root, p, key),
              label
                  + " is exported to other namespaces than the root Service (export-to); left out"));
      return Optional.empty();
    }
    if (b.policy().traffic().split().isPresent() && backend != root) {
      out.add(
          Diagnostic.warning(
              Reason.NO_EFFECT,
              at(root, p, key),
              label + " has a split of its own, which is not followed: splits do not nest"));
    }
    // The backend's own split never rides along: its endpoints are what the root routes to.
    return Optional.of(new Target(ref, b.withSplit(Optional.empty())));
  }

  private static Subject at(ServiceEntry root, PortPolicy p, AnnotationKey<?> key) {
    return Subject.of(root.ref(), p.port().label(), key.fullName());
  }
}
