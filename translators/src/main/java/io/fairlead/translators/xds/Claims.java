package io.fairlead.translators.xds;

import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Conflicts between Services, decided on model values (references, virtual IPs, ports, gateway
 * hosts and paths), never by reading generated Envoy resources back. The first claim in
 * namespace/name order, then port order, wins; each other claimant gets an error diagnostic and
 * leaves that claim out. Kubernetes itself prevents most of these; a directory of manifests, or two
 * teams annotating the same gateway host, does not.
 *
 * <p>Name collisions between Services cannot happen: names are validated as the API server would
 * ({@code KubeNames}), so {@code namespace/name:port} is unique.
 */
final class Claims {

  private Claims() {}

  /**
   * A sidecar listener's claim on a virtual IP and port.
   *
   * @param address {@code ip:port}
   * @param listener the listener (and its route) that goes if the claim is lost
   */
  record Address(ObjectRef service, String port, String address, String listener) {}

  /** Which listeners lose their claim, and why. */
  record AddressResolution(Set<String> losingListeners, List<Diagnostic> diagnostics) {}

  static AddressResolution addresses(List<Address> claims) {
    List<Address> ordered = new ArrayList<>(claims);
    ordered.sort(
        Comparator.comparing(Address::service)
            .thenComparing(Address::listener)
            .thenComparing(Address::address));
    Map<String, Address> owners = new HashMap<>();
    Set<String> losing = new LinkedHashSet<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    for (Address claim : ordered) {
      Address owner = owners.putIfAbsent(claim.address(), claim);
      if (owner != null && !owner.listener().equals(claim.listener())) {
        losing.add(claim.listener());
        diagnostics.add(
            Diagnostic.error(
                Reason.ADDRESS_CONFLICT,
                Subject.of(claim.service(), claim.port(), "spec.clusterIP"),
                claim.address()
                    + " is also the address of "
                    + owner.listener()
                    + "; sidecars route it to "
                    + owner.listener()
                    + " only"));
      }
    }
    return new AddressResolution(Set.copyOf(losing), List.copyOf(diagnostics));
  }

  /**
   * The exposed ports that keep their gateway host and path claims, and the others' diagnostics.
   */
  record GatewayResolution(
      Map<String, Map<String, GatewayListenerBuilder.Exposed>> routesByHost,
      List<Diagnostic> diagnostics) {}

  /**
   * Host, then path prefix, to the one exposed port that claims it in gateway group {@code group}.
   */
  static GatewayResolution gatewayRoutes(
      List<GatewayListenerBuilder.Exposed> exposed, String group) {
    List<GatewayListenerBuilder.Exposed> ordered = new ArrayList<>(exposed);
    ordered.sort(
        Comparator.comparing((GatewayListenerBuilder.Exposed e) -> e.service().ref())
            .thenComparingInt(e -> e.policy().port().port()));
    Map<String, Map<String, GatewayListenerBuilder.Exposed>> hosts = new TreeMap<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    for (GatewayListenerBuilder.Exposed e : ordered) {
      for (String host : e.exposure().hosts()) {
        Map<String, GatewayListenerBuilder.Exposed> routes =
            hosts.computeIfAbsent(host, h -> new TreeMap<>());
        GatewayListenerBuilder.Exposed winner = routes.putIfAbsent(e.exposure().pathPrefix(), e);
        if (winner != null) {
          diagnostics.add(
              Diagnostic.error(
                  Reason.ROUTE_CONFLICT,
                  Subject.of(
                      e.service().ref(),
                      e.policy().port().label(),
                      AnnotationRegistry.GATEWAY_HOST.fullName()),
                  "host "
                      + host
                      + " path "
                      + e.exposure().pathPrefix()
                      + " is already exposed by "
                      + winner.service().ref()
                      + " port "
                      + winner.policy().port().label()
                      + " in gateway group "
                      + group
                      + "; not exposed"));
        }
      }
    }
    return new GatewayResolution(hosts, List.copyOf(diagnostics));
  }
}
