package io.fairlead.translators;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.NativeFields;
import io.fairlead.policies.ParsedService;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.PortSpec;
import io.fairlead.policies.ServicePolicyParser;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.PortEntry;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.ServiceModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * KubeState to ServiceModel: parses each Service's policy and merges its EndpointSlices. Pure and
 * deterministic; {@link #buildService} is the unit of incremental translation.
 */
public final class KubeModelBuilder {

  /** The label that ties an EndpointSlice to its Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private static final Comparator<EndpointEntry> ENDPOINT_ORDER =
      Comparator.comparing((EndpointEntry e) -> e.zone().orElse(""))
          .thenComparing(EndpointEntry::address)
          .thenComparingInt(EndpointEntry::port);

  private KubeModelBuilder() {}

  public static ServiceModel build(KubeState state) {
    Map<ObjectRef, List<EndpointSlice>> slicesByService = slicesByService(state);
    List<ServiceEntry> services = new ArrayList<>();
    Set<Diagnostic> diagnostics = new TreeSet<>();
    for (Map.Entry<ObjectRef, Service> e : state.services().entrySet()) {
      Built built = buildService(e.getValue(), slicesByService.getOrDefault(e.getKey(), List.of()));
      built.entry().ifPresent(services::add);
      diagnostics.addAll(built.diagnostics());
    }
    diagnostics.addAll(orphanSlices(state, slicesByService));
    return new ServiceModel(List.copyOf(services), List.copyOf(diagnostics));
  }

  /** The slices of each Service, by the service-name label, in ref order. */
  public static Map<ObjectRef, List<EndpointSlice>> slicesByService(KubeState state) {
    Map<ObjectRef, List<EndpointSlice>> out = new TreeMap<>();
    for (Map.Entry<ObjectRef, EndpointSlice> e : state.endpointSlices().entrySet()) {
      serviceOf(e.getValue())
          .ifPresent(svc -> out.computeIfAbsent(svc, k -> new ArrayList<>()).add(e.getValue()));
    }
    return out;
  }

  /** The Service an EndpointSlice belongs to, from its label. */
  public static Optional<ObjectRef> serviceOf(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String name = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    return name == null || name.isEmpty()
        ? Optional.empty()
        : Optional.of(new ObjectRef(ObjectRef.of(slice).namespace(), name));
  }

  /** Diagnostics for EndpointSlices that belong to no existing Service. */
  public static List<Diagnostic> orphanSlices(KubeState state, Map<ObjectRef, List<EndpointSlice>> bySvc) {
    List<Diagnostic> out = new ArrayList<>();
    for (Map.Entry<ObjectRef, EndpointSlice> e : state.endpointSlices().entrySet()) {
      Optional<ObjectRef> svc = serviceOf(e.getValue());
      if (svc.isEmpty()) {
        out.add(
            Diagnostic.warning(
                e.getKey().toString(),
                "metadata.labels",
                "EndpointSlice has no " + SERVICE_NAME_LABEL + " label; ignored"));
      } else if (!state.services().containsKey(svc.get())) {
        out.add(
            Diagnostic.warning(
                e.getKey().toString(),
                "metadata.labels[" + SERVICE_NAME_LABEL + "]",
                "EndpointSlice belongs to Service " + svc.get() + ", which does not exist; ignored"));
      }
    }
    return out;
  }

  /** The model of one Service, or none when Fairlead does not route it. */
  public record Built(Optional<ServiceEntry> entry, List<Diagnostic> diagnostics) {}

  public static Built buildService(Service service, List<EndpointSlice> slices) {
    ObjectRef ref = ObjectRef.of(service);
    String object = ref.toString();
    List<Diagnostic> diagnostics = new ArrayList<>();
    ServiceSpec spec = service.getSpec();
    if (spec == null || spec.getPorts() == null || spec.getPorts().isEmpty()) {
      diagnostics.add(Diagnostic.warning(object, "spec.ports", "Service has no ports; nothing to route"));
      return new Built(Optional.empty(), diagnostics);
    }
    if ("ExternalName".equals(spec.getType())) {
      diagnostics.add(
          Diagnostic.info(object, "spec.type", "ExternalName Services are resolved by DNS, not routed by Fairlead"));
      return new Built(Optional.empty(), diagnostics);
    }
    List<ServicePort> ports = new ArrayList<>();
    for (ServicePort p : spec.getPorts()) {
      String transport = Objects.requireNonNullElse(p.getProtocol(), "TCP");
      if (!transport.equals("TCP")) {
        diagnostics.add(
            Diagnostic.warning(
                object,
                "spec.ports[" + label(p) + "].protocol",
                transport + " ports are not proxied; Fairlead handles TCP-based protocols only"));
      } else if (p.getPort() == null) {
        diagnostics.add(Diagnostic.error(object, "spec.ports[" + label(p) + "].port", "port number missing; ignored"));
      } else {
        ports.add(p);
      }
    }
    List<PortSpec> specs =
        ports.stream()
            .map(
                p ->
                    new PortSpec(
                        Objects.requireNonNullElse(p.getName(), ""),
                        p.getPort(),
                        "TCP",
                        Optional.ofNullable(p.getAppProtocol()).filter(s -> !s.isEmpty())))
            .toList();
    Map<String, String> annotations =
        Objects.requireNonNullElse(service.getMetadata().getAnnotations(), Map.of());
    ParsedService parsed = ServicePolicyParser.parse(object, annotations, nativeFields(spec), specs);
    diagnostics.addAll(parsed.diagnostics());
    if (slices.isEmpty() && !specs.isEmpty()) {
      diagnostics.add(
          Diagnostic.info(object, "endpoints", "Service has no EndpointSlices yet; its clusters have no endpoints"));
    }
    List<PortEntry> entries = new ArrayList<>();
    for (PortPolicy policy : parsed.ports()) {
      entries.add(new PortEntry(policy, endpoints(policy.port(), slices, object, diagnostics)));
    }
    List<String> clusterIps = clusterIps(spec);
    return new Built(Optional.of(new ServiceEntry(ref, clusterIps, List.copyOf(entries))), diagnostics);
  }

  private static String label(ServicePort p) {
    return p.getName() != null && !p.getName().isEmpty() ? p.getName() : String.valueOf(p.getPort());
  }

  private static NativeFields nativeFields(ServiceSpec spec) {
    Optional<Integer> timeout =
        Optional.ofNullable(spec.getSessionAffinityConfig())
            .map(c -> c.getClientIP())
            .map(c -> c.getTimeoutSeconds());
    return new NativeFields(
        Optional.ofNullable(spec.getSessionAffinity()),
        timeout,
        Optional.ofNullable(spec.getTrafficDistribution()),
        Optional.ofNullable(spec.getInternalTrafficPolicy()));
  }

  private static List<String> clusterIps(ServiceSpec spec) {
    List<String> ips = new ArrayList<>();
    if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
      ips.addAll(spec.getClusterIPs());
    } else if (spec.getClusterIP() != null) {
      ips.add(spec.getClusterIP());
    }
    ips.removeIf(ip -> ip == null || ip.isEmpty() || ip.equals("None"));
    return List.copyOf(new TreeSet<>(ips));
  }

  /** Merges the slices' endpoints for one port, matched by port name, de-duplicated. */
  private static List<EndpointEntry> endpoints(
      PortSpec port, List<EndpointSlice> slices, String object, List<Diagnostic> diagnostics) {
    Map<String, EndpointEntry> byAddress = new TreeMap<>();
    Set<String> fqdnSlices = new HashSet<>();
    for (EndpointSlice slice : slices) {
      String type = Objects.requireNonNullElse(slice.getAddressType(), "IPv4");
      if (type.equals("FQDN")) {
        fqdnSlices.add(slice.getMetadata().getName());
        continue;
      }
      Optional<Integer> number = portNumber(slice, port.name());
      if (number.isEmpty() || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint ep : slice.getEndpoints()) {
        if (ep.getAddresses() == null || ep.getAddresses().isEmpty()) {
          continue;
        }
        // Kubernetes uses only the first address of an endpoint.
        String address = ep.getAddresses().get(0);
        EndpointEntry entry =
            new EndpointEntry(
                address,
                number.get(),
                address,
                Optional.ofNullable(ep.getZone()).filter(z -> !z.isEmpty()),
                Optional.ofNullable(ep.getNodeName()).filter(n -> !n.isEmpty()),
                Optional.ofNullable(ep.getTargetRef()).map(r -> r.getName()),
                health(ep.getConditions()));
        byAddress.merge(address + "|" + number.get(), entry, KubeModelBuilder::healthier);
      }
    }
    if (!fqdnSlices.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              object, "endpoints", "FQDN EndpointSlices " + new TreeSet<>(fqdnSlices) + " are not supported; ignored"));
    }
    return byAddress.values().stream().sorted(ENDPOINT_ORDER).toList();
  }

  private static EndpointEntry healthier(EndpointEntry a, EndpointEntry b) {
    return a.health().ordinal() <= b.health().ordinal() ? a : b;
  }

  private static Optional<Integer> portNumber(EndpointSlice slice, String portName) {
    if (slice.getPorts() == null) {
      return Optional.empty();
    }
    for (EndpointPort p : slice.getPorts()) {
      if (Objects.requireNonNullElse(p.getName(), "").equals(portName) && p.getPort() != null) {
        return Optional.of(p.getPort());
      }
    }
    return Optional.empty();
  }

  /**
   * ready means HEALTHY; serving while terminating means DRAINING; anything else gets no traffic.
   * Absent conditions mean true, as the EndpointSlice API says.
   */
  static EndpointHealth health(EndpointConditions c) {
    boolean ready = c == null || c.getReady() == null || c.getReady();
    boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
    boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
    if (ready && !terminating) {
      return EndpointHealth.HEALTHY;
    }
    if (serving && terminating) {
      return EndpointHealth.DRAINING;
    }
    return EndpointHealth.UNHEALTHY;
  }
}
