package io.fairlead.translators;

import com.google.common.net.InetAddresses;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.NativeFields;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.ParseResult;
import io.fairlead.policies.ParsedService;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.PortSpec;
import io.fairlead.policies.Reason;
import io.fairlead.policies.ServicePolicyParser;
import io.fairlead.policies.Subject;
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
import java.util.function.Function;

/**
 * KubeState to ServiceModel: parses each Service's policy and merges its EndpointSlices. Pure and
 * deterministic; {@link #buildService} is the unit of incremental translation.
 */
public final class KubeModelBuilder {

  private static final Comparator<EndpointEntry> ENDPOINT_ORDER =
      Comparator.comparing((EndpointEntry e) -> e.zone().orElse(""))
          .thenComparing(EndpointEntry::address)
          .thenComparingInt(EndpointEntry::port);

  private KubeModelBuilder() {}

  public static ServiceModel build(KubeState state) {
    List<ServiceEntry> services = new ArrayList<>();
    Set<Diagnostic> diagnostics = new TreeSet<>();
    for (Map.Entry<ObjectRef, Service> e : state.services().entrySet()) {
      Built built = buildService(e.getValue(), state.slicesOf(e.getKey()), state::pod);
      built.entry().ifPresent(services::add);
      diagnostics.addAll(built.diagnostics());
    }
    diagnostics.addAll(unlabelledSlices(state));
    for (ObjectRef named : state.slicesByService().keySet()) {
      diagnostics.addAll(orphansOf(state, named));
    }
    Splits.Resolution splits = Splits.resolve(services);
    diagnostics.addAll(splits.diagnostics());
    return new ServiceModel(splits.services(), List.copyOf(diagnostics));
  }

  /** Warnings for the EndpointSlices without a {@code kubernetes.io/service-name} label. */
  public static List<Diagnostic> unlabelledSlices(KubeState state) {
    List<Diagnostic> out = new ArrayList<>();
    for (ObjectRef ref : state.unlabelledSlices().keySet()) {
      out.add(
          Diagnostic.warning(
              Reason.ORPHAN_SLICE,
              Subject.of(ref, "metadata.labels"),
              "EndpointSlice has no " + KubeLabels.SERVICE_NAME + " label; ignored"));
    }
    return out;
  }

  /** Warnings for the EndpointSlices labelled with {@code service} when it does not exist. */
  public static List<Diagnostic> orphansOf(KubeState state, ObjectRef service) {
    if (state.services().containsKey(service)) {
      return List.of();
    }
    List<Diagnostic> out = new ArrayList<>();
    var slices = state.slicesByService().get(service);
    if (slices == null) {
      return List.of();
    }
    for (ObjectRef ref : slices.keySet()) {
      out.add(
          Diagnostic.warning(
              Reason.ORPHAN_SLICE,
              Subject.of(ref, "metadata.labels[" + KubeLabels.SERVICE_NAME + "]"),
              "EndpointSlice belongs to Service " + service + ", which does not exist; ignored"));
    }
    return out;
  }

  /** The model of one Service, or none when Fairlead does not route it. */
  public record Built(Optional<ServiceEntry> entry, List<Diagnostic> diagnostics) {}

  /** The model of one Service when no Pod has a weight (no Pods are known). */
  public static Built buildService(Service service, List<EndpointSlice> slices) {
    return buildService(service, slices, pod -> Optional.empty());
  }

  /**
   * The model of one Service; {@code pods} gives the Pods its endpoints name ({@code targetRef}),
   * for their {@code fairlead.io/weight}.
   */
  public static Built buildService(
      Service service,
      List<EndpointSlice> slices,
      Function<ObjectRef, Optional<PodMetadata>> pods) {
    ObjectRef ref = KubeRefs.of(service);
    ObjectRef object = ref;
    List<Diagnostic> diagnostics = new ArrayList<>();
    Optional<String> badName =
        KubeNames.namespace(ref.namespace())
            .map(p -> "metadata.namespace " + p)
            .or(() -> KubeNames.serviceName(ref.name()).map(p -> "metadata.name " + p));
    if (badName.isPresent()) {
      // A name the API server would refuse could also collide with another Service's resources.
      diagnostics.add(
          Diagnostic.error(
              Reason.INVALID_OBJECT,
              Subject.of(ObjectRef.parse(KubeNames.shorten(object.toString())), "metadata"),
              badName.get() + "; not routed"));
      return new Built(Optional.empty(), diagnostics);
    }
    ServiceSpec spec = service.getSpec();
    if (spec == null || spec.getPorts() == null || spec.getPorts().isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              Reason.UNSUPPORTED,
              Subject.of(object, "spec.ports"),
              "Service has no ports; nothing to route"));
      return new Built(Optional.empty(), diagnostics);
    }
    if ("ExternalName".equals(spec.getType())) {
      diagnostics.add(
          Diagnostic.info(
              Reason.UNSUPPORTED,
              Subject.of(object, "spec.type"),
              "ExternalName Services are resolved by DNS, not routed by Fairlead"));
      return new Built(Optional.empty(), diagnostics);
    }
    List<ServicePort> ports = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<Integer> numbers = new HashSet<>();
    for (int i = 0; i < spec.getPorts().size(); i++) {
      ServicePort p = spec.getPorts().get(i);
      if (p == null) {
        diagnostics.add(
            Diagnostic.error(
                Reason.INVALID_OBJECT,
                Subject.of(object, "spec.ports[" + i + "]"),
                "empty port entry; ignored"));
        continue;
      }
      String transport = Objects.requireNonNullElse(p.getProtocol(), "TCP");
      Optional<String> badPortName =
          KubeNames.portName(Objects.requireNonNullElse(p.getName(), ""));
      if (badPortName.isPresent()) {
        diagnostics.add(
            Diagnostic.error(
                Reason.INVALID_OBJECT,
                Subject.of(object, "spec.ports[" + i + "].name"),
                badPortName.get() + "; port ignored"));
      } else if (p.getPort() != null && !KubeNames.isPort(p.getPort())) {
        diagnostics.add(
            Diagnostic.error(
                Reason.INVALID_OBJECT,
                Subject.of(object, "spec.ports[" + label(p) + "].port"),
                p.getPort() + " is not a port (1-65535); ignored"));
      } else if (transport.equals("TCP")
          && (!names.add(Objects.requireNonNullElse(p.getName(), ""))
              || (p.getPort() != null && !numbers.add(p.getPort())))) {
        diagnostics.add(
            Diagnostic.error(
                Reason.INVALID_OBJECT,
                Subject.of(object, "spec.ports[" + label(p) + "]"),
                "port name or number given twice; the first one is used"));
      } else if (!transport.equals("TCP")) {
        diagnostics.add(
            Diagnostic.warning(
                Reason.UNSUPPORTED,
                Subject.of(object, "spec.ports[" + label(p) + "].protocol"),
                transport + " ports are not proxied; Fairlead handles TCP-based protocols only"));
      } else if (p.getPort() == null) {
        diagnostics.add(
            Diagnostic.error(
                Reason.INVALID_OBJECT,
                Subject.of(object, "spec.ports[" + label(p) + "].port"),
                "port number missing; ignored"));
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
    ParsedService parsed =
        ServicePolicyParser.parse(object, annotations, nativeFields(spec), specs);
    diagnostics.addAll(parsed.diagnostics());
    if (slices.isEmpty() && !specs.isEmpty()) {
      diagnostics.add(
          Diagnostic.info(
              Reason.NO_ENDPOINTS,
              Subject.of(object, "endpoints"),
              "Service has no EndpointSlices yet; its clusters have no endpoints"));
    }
    List<PortEntry> entries = new ArrayList<>();
    for (PortPolicy policy : parsed.ports()) {
      List<EndpointEntry> eps = endpoints(policy.port(), slices, object, pods, diagnostics);
      if (eps.stream().anyMatch(e -> e.weight().isPresent())) {
        unweighted(policy)
            .ifPresent(
                why ->
                    diagnostics.add(
                        Diagnostic.warning(
                            Reason.NO_EFFECT,
                            Subject.of(
                                object,
                                policy.port().label(),
                                AnnotationRegistry.LB_POLICY.fullName()),
                            "port " + policy.port().label() + ": " + why)));
      }
      entries.add(new PortEntry(policy, eps));
    }
    List<String> clusterIps = clusterIps(spec, object, diagnostics);
    Optional<io.fairlead.policies.ExportTo> exportTo =
        Optional.of(parsed.exportTo())
            .filter(e -> !e.equals(io.fairlead.policies.ExportTo.EVERYONE));
    return new Built(
        Optional.of(new ServiceEntry(ref, clusterIps, List.copyOf(entries), exportTo)),
        diagnostics);
  }

  /** Why a port's policy ignores the Pods' weights, when it does. */
  private static Optional<String> unweighted(PortPolicy policy) {
    io.fairlead.policies.LoadBalancing lb = policy.balancing().algorithm();
    if (lb instanceof io.fairlead.policies.LoadBalancing.Random) {
      return Optional.of(
          "random balancing ignores the Pods' fairlead.io/weight (Envoy picks uniformly); use"
              + " round-robin, least-request or a hashing policy");
    }
    if (lb instanceof io.fairlead.policies.LoadBalancing.WeightedRoundRobin) {
      return Optional.of(
          "weighted-round-robin replaces the Pods' fairlead.io/weight with weights from their"
              + " load reports (Envoy's updateWeightsOnHosts); the annotation has no effect");
    }
    return Optional.empty();
  }

  private static String label(ServicePort p) {
    return p.getName() != null && !p.getName().isEmpty()
        ? p.getName()
        : String.valueOf(p.getPort());
  }

  private static NativeFields nativeFields(ServiceSpec spec) {
    return new NativeFields(
        Optional.ofNullable(spec.getSessionAffinity()),
        Optional.ofNullable(spec.getTrafficDistribution()),
        Optional.ofNullable(spec.getInternalTrafficPolicy()));
  }

  private static List<String> clusterIps(
      ServiceSpec spec, ObjectRef object, List<Diagnostic> diagnostics) {
    List<String> ips = new ArrayList<>();
    if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
      ips.addAll(spec.getClusterIPs());
    } else if (spec.getClusterIP() != null) {
      ips.add(spec.getClusterIP());
    }
    ips.removeIf(ip -> ip == null || ip.isEmpty() || ip.equals("None"));
    List<String> bad =
        ips.stream().filter(ip -> !KubeNames.isIp(ip)).map(KubeNames::shorten).toList();
    if (!bad.isEmpty()) {
      diagnostics.add(
          Diagnostic.error(
              Reason.INVALID_OBJECT,
              Subject.of(object, "spec.clusterIPs"),
              "not IP addresses: " + String.join(", ", bad) + "; ignored"));
      ips.removeIf(ip -> !KubeNames.isIp(ip));
    }
    // One IPv6 address has many spellings; Envoy compares addresses, so claims must too.
    ips.replaceAll(KubeModelBuilder::canonical);
    return List.copyOf(new TreeSet<>(ips));
  }

  /** An IPv6 address in its RFC 5952 form ({@code fd00::1}); an IPv4 address as it is. */
  private static String canonical(String ip) {
    java.net.InetAddress address = InetAddresses.forString(ip);
    return address instanceof java.net.Inet6Address ? InetAddresses.toAddrString(address) : ip;
  }

  /** Merges the slices' endpoints for one port, matched by port name, de-duplicated. */
  private static List<EndpointEntry> endpoints(
      PortSpec port,
      List<EndpointSlice> slices,
      ObjectRef object,
      Function<ObjectRef, Optional<PodMetadata>> pods,
      List<Diagnostic> diagnostics) {
    Map<String, EndpointEntry> byAddress = new TreeMap<>();
    Set<String> fqdnSlices = new HashSet<>();
    Set<String> badAddresses = new TreeSet<>();
    Set<String> badPorts = new TreeSet<>();
    for (EndpointSlice slice : slices) {
      String type = Objects.requireNonNullElse(slice.getAddressType(), "IPv4");
      if (type.equals("FQDN")) {
        fqdnSlices.add(slice.getMetadata().getName());
        continue;
      }
      Optional<Integer> number = portNumber(slice, port.name());
      if (number.isPresent() && !KubeNames.isPort(number.get())) {
        badPorts.add(slice.getMetadata().getName() + ": " + number.get());
        continue;
      }
      if (number.isEmpty() || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint ep : slice.getEndpoints()) {
        if (ep == null || ep.getAddresses() == null || ep.getAddresses().isEmpty()) {
          continue;
        }
        // Kubernetes uses only the first address of an endpoint.
        String address = ep.getAddresses().get(0);
        if (!KubeNames.isAddress(address, type)) {
          badAddresses.add(address == null ? "null" : KubeNames.shorten(address));
          continue;
        }
        EndpointEntry entry =
            new EndpointEntry(
                address,
                number.get(),
                address,
                // A zone or node the API server would refuse is treated as unknown.
                Optional.ofNullable(ep.getZone()).filter(KubeNames::isLabelValue),
                Optional.ofNullable(ep.getNodeName())
                    .filter(n -> !n.isEmpty() && KubeNames.subdomain(n).isEmpty()),
                Optional.ofNullable(ep.getTargetRef()).map(r -> r.getName()),
                health(ep.getConditions()),
                weight(KubeLabels.podOf(slice, ep).flatMap(pods), diagnostics));
        byAddress.merge(address + "|" + number.get(), entry, KubeModelBuilder::healthier);
      }
    }
    if (!badAddresses.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              Reason.INVALID_OBJECT,
              Subject.of(object, "endpoints"),
              "port "
                  + port.label()
                  + ": "
                  + badAddresses.size()
                  + " endpoint address(es) are not valid for their slice's address type ("
                  + String.join(", ", badAddresses.stream().limit(5).toList())
                  + (badAddresses.size() > 5 ? ", ..." : "")
                  + "); those endpoints are ignored"));
    }
    if (!badPorts.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              Reason.INVALID_OBJECT,
              Subject.of(object, "endpoints"),
              "port "
                  + port.label()
                  + ": slice ports out of range 1-65535 ("
                  + String.join(", ", badPorts)
                  + "); ignored"));
    }
    if (!fqdnSlices.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              Reason.UNSUPPORTED,
              Subject.of(object, "endpoints"),
              "FQDN EndpointSlices " + new TreeSet<>(fqdnSlices) + " are not supported; ignored"));
    }
    return byAddress.values().stream().sorted(ENDPOINT_ORDER).toList();
  }

  /**
   * Each endpoint with its Pod's {@code fairlead.io/weight}. A value that does not parse is an
   * error on the Pod (once, however many ports and Services name it) and the endpoint counts as 1.
   */
  private static Optional<Integer> weight(Optional<PodMetadata> pod, List<Diagnostic> diagnostics) {
    Optional<String> raw = pod.flatMap(PodMetadata::weight);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    ParseResult<Integer> parsed = AnnotationRegistry.POD_WEIGHT.parse(raw.get());
    if (parsed instanceof ParseResult.Ok<Integer> ok) {
      return Optional.of(ok.value());
    }
    Diagnostic d =
        Diagnostic.error(
            Reason.INVALID_VALUE,
            Subject.of(pod.get().ref(), AnnotationRegistry.POD_WEIGHT.fullName()),
            "Pod "
                + pod.get().ref()
                + ": "
                + ((ParseResult.Err<Integer>) parsed).message()
                + "; its endpoints count as weight 1");
    if (!diagnostics.contains(d)) {
      diagnostics.add(d);
    }
    return Optional.empty();
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
