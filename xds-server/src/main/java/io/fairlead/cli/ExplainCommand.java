package io.fairlead.cli;

import io.fairlead.k8s.LoadResult;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.PortEntry;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.xds.ClientCapabilities;
import io.fairlead.translators.xds.ResourceNames;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Explains the effective policy of a Service, port by port, in words.",
      "For each value: where it came from; what each client kind gets; the diagnostics. Exit status as for translate."
    })
final class ExplainCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ManifestInput input;

  @Mixin ClusterOptions cluster;

  @Parameters(
      paramLabel = "NAMESPACE/SERVICE",
      description = "The Service (a bare name means namespace default).")
  String service;

  @Override
  public Integer call() throws Exception {
    ObjectRef ref = ObjectRef.parse(service);
    LoadResult loaded = input.load();
    ServiceModel model = KubeModelBuilder.build(loaded.state());
    Optional<ServiceEntry> entry =
        model.services().stream().filter(s -> s.ref().equals(ref)).findFirst();
    // about the Service, and about its Pods (a weight that does not parse)
    java.util.Set<String> about = new java.util.TreeSet<>(java.util.Set.of(ref.toString()));
    loaded.state().podsOfService(ref).forEach(pod -> about.add(pod.toString()));
    List<Diagnostic> diagnostics =
        model.diagnostics().stream().filter(d -> about.contains(d.object())).toList();
    PrintWriter out = spec.commandLine().getOut();
    if (entry.isEmpty() && !loaded.state().services().containsKey(ref)) {
      String known =
          loaded.state().services().keySet().stream()
              .map(ObjectRef::toString)
              .collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          "no Service "
              + ref
              + " in "
              + input
              + (known.isEmpty() ? " (it has no Services)" : "; Services: " + known));
    }
    out.println("Service " + ref);
    entry.ifPresentOrElse(
        e -> explain(e, out),
        () -> out.println("  Fairlead does not route this Service (see diagnostics)."));
    nativeNotes(loaded.state().services().get(ref), out);
    printDiagnostics(out, diagnostics);
    out.flush();
    return diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR)
        ? ExitCodes.ERROR_DIAGNOSTICS
        : ExitCodes.OK;
  }

  private void explain(ServiceEntry svc, PrintWriter out) {
    out.println(
        "  virtual IPs: "
            + (svc.clusterIps().isEmpty()
                ? "none (headless: sidecars get clusters only)"
                : String.join(", ", svc.clusterIps())));
    for (PortEntry port : svc.ports()) {
      PortPolicy p = port.policy();
      out.println();
      out.println(
          "Port "
              + p.port().label()
              + " ("
              + p.port().port()
              + ")  cluster "
              + ResourceNames.cluster(svc.ref(), p.port().port()));
      out.println("  endpoints: " + endpoints(port.endpoints()));
      weights(port.endpoints()).ifPresent(w -> out.println("  endpoint weights: " + w));
      for (PolicyText.Line line : PolicyText.lines(p, port.split())) {
        out.printf(
            "  %-24s %s%n", line.setting(), line.value() + "   [" + line.from().words() + "]");
      }
      out.println("  what each client gets:");
      out.println("    envoy (sidecar, gateway): everything above");
      for (ClientKind client : List.of(ClientKind.GRPC_JAVA, ClientKind.GRPC_NODE)) {
        ClientCapabilities.Adapted a = ClientCapabilities.adapt(p, client, svc.ref());
        out.println(
            "    "
                + client.label()
                + " (xds:///"
                + ResourceNames.proxylessListener(svc.ref(), p.port().port(), cluster.settings)
                + "): "
                + PolicyText.lb(a.policy().balancing().algorithm())
                + (a.policy().affinity().hashKeys().isEmpty()
                    ? ""
                    : " on " + PolicyText.hashKeys(a.policy().affinity().hashKeys())));
        List<Diagnostic> downgrades = new java.util.ArrayList<>(a.downgrades());
        downgrades.addAll(
            ClientCapabilities.endpointWeights(a.policy(), port.endpoints(), client, svc.ref())
                .downgrades());
        for (Diagnostic d : downgrades) {
          out.println("      - " + d.message().substring(d.message().indexOf(": ") + 2));
        }
      }
    }
  }

  /** What the native fields become, where that needs words. */
  private static void nativeNotes(io.fabric8.kubernetes.api.model.Service svc, PrintWriter out) {
    var spec = svc.getSpec();
    if (spec != null && "ClientIP".equals(spec.getSessionAffinity())) {
      Integer timeout =
          Optional.ofNullable(spec.getSessionAffinityConfig())
              .map(c -> c.getClientIP())
              .map(c -> c.getTimeoutSeconds())
              .orElse(10800);
      out.println();
      out.println(
          "Note: sessionAffinity: ClientIP is source-IP consistent hashing here. Its timeoutSeconds ("
              + timeout
              + ") has no equivalent: a client keeps its backend while the endpoint set allows it.");
      out.println(
          "      For time-bounded pinning use fairlead.io/session-persistence with fairlead.io/persistence-timeout.");
    }
  }

  private static String endpoints(List<EndpointEntry> eps) {
    if (eps.isEmpty()) {
      return "none";
    }
    Map<EndpointHealth, Long> byHealth =
        eps.stream()
            .collect(
                Collectors.groupingBy(EndpointEntry::health, TreeMap::new, Collectors.counting()));
    String zones =
        eps.stream()
            .map(e -> e.zone().orElse("no zone"))
            .distinct()
            .sorted()
            .collect(Collectors.joining(", "));
    return byHealth.entrySet().stream()
            .map(e -> e.getValue() + " " + words(e.getKey()))
            .collect(Collectors.joining(", "))
        + " (zones: "
        + zones
        + ")";
  }

  /**
   * The Pods' weights ({@code fairlead.io/weight}) as Envoy gets them, with each ready endpoint's
   * share of new requests; empty when no Pod of the port has a weight.
   */
  static Optional<String> weights(List<EndpointEntry> eps) {
    if (eps.stream().allMatch(e -> e.weight().isEmpty())) {
      return Optional.empty();
    }
    long ready =
        eps.stream()
            .filter(e -> e.health() == EndpointHealth.HEALTHY)
            .mapToLong(EndpointEntry::effectiveWeight)
            .sum();
    return Optional.of(
        eps.stream()
                .map(
                    e ->
                        e.address()
                            + e.podName().map(n -> " (" + n + ")").orElse("")
                            + " "
                            + e.effectiveWeight()
                            + (e.health() == EndpointHealth.HEALTHY && ready > 0
                                ? String.format(
                                    java.util.Locale.ROOT,
                                    " = %.0f%%",
                                    100.0 * e.effectiveWeight() / ready)
                                : ""))
                .collect(Collectors.joining(", "))
            + "   [Pod fairlead.io/weight; unannotated Pods 1; shares of the ready endpoints]");
  }

  private static String words(EndpointHealth h) {
    return switch (h) {
      case HEALTHY -> "ready";
      case DRAINING -> "terminating (keep sessions, no new traffic)";
      case UNHEALTHY -> "not serving";
    };
  }

  private static void printDiagnostics(PrintWriter out, List<Diagnostic> diagnostics) {
    out.println();
    if (diagnostics.isEmpty()) {
      out.println("Diagnostics: none");
      return;
    }
    out.println("Diagnostics:");
    for (Diagnostic d : diagnostics) {
      out.println("  " + d.severity().label() + "  " + d.key() + ": " + d.message());
    }
  }
}
