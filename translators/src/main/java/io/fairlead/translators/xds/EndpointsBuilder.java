package io.fairlead.translators.xds;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.fairlead.policies.PortPolicy;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ClusterLoadAssignment of one port, as seen from one proxy context: node-local filtering
 * ({@code internalTrafficPolicy: Local}) and zone priorities ({@code PreferClose}) depend on where
 * the proxy runs.
 *
 * <p>Which endpoints are sent follows kube-proxy: not-serving endpoints never; serving and
 * terminating ones as DRAINING (Envoy keeps their sessions, nobody sends them new traffic), or as
 * HEALTHY when no endpoint is ready at all. A locality's weight counts the endpoints that take new
 * traffic; gRPC balances localities by that weight, so a locality without one is left out.
 */
final class EndpointsBuilder {

  /**
   * Envoy's default overprovisioning factor (140, that is 1.4) spills traffic to priority 1 while
   * priority 0 is less than 1/1.4 healthy. PreferClose keeps everything local while one local
   * endpoint is ready, which needs a factor of at least 100 × the local endpoint count. Envoy's
   * arithmetic (64-bit) would take any uint32; the cap only keeps the value readable
   * (docs/envoy-semantics.md#overprovisioning).
   */
  static final int MAX_OVERPROVISIONING_FACTOR = 100 * 10_000;

  private EndpointsBuilder() {}

  static ClusterLoadAssignment build(
      String name,
      PortPolicy p,
      List<EndpointEntry> endpoints,
      ProxyContext ctx,
      ClientCapabilities.Dialect dialect) {
    List<EndpointEntry> visible = endpoints;
    if (p.topology().nodeLocal() && ctx.role() != ProxyRole.GATEWAY && ctx.node().isPresent()) {
      String node = ctx.node().get();
      visible =
          endpoints.stream().filter(e -> e.nodeName().filter(node::equals).isPresent()).toList();
    }
    List<Sent> sent = sendable(visible);
    // Pod weights: on every endpoint of the port once one Pod has one, else on none, so ports
    // without weighted Pods are sent as before (docs/envoy-semantics.md#endpoint-weight).
    boolean weighted = endpoints.stream().anyMatch(e -> e.weight().isPresent());
    if (p.topology().failover().isPresent()) {
      return failover(name, p, sent, ctx, dialect, p.topology().failover().get(), weighted);
    }
    Optional<String> ownZone = p.topology().preferClose() ? ctx.zone() : Optional.empty();
    boolean anyLocal =
        ownZone.isPresent() && sent.stream().anyMatch(e -> e.entry().zone().equals(ownZone));
    // Priority 0 must not be empty, so without same-zone endpoints everything stays at 0.
    Map<Integer, Map<String, List<Sent>>> byPriority = new TreeMap<>();
    for (Sent e : sent) {
      int priority = anyLocal && !e.entry().zone().equals(ownZone) ? 1 : 0;
      byPriority
          .computeIfAbsent(priority, k -> new TreeMap<>())
          .computeIfAbsent(e.entry().zone().orElse(""), k -> new ArrayList<>())
          .add(e);
    }
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(name);
    byPriority.forEach(
        (priority, zones) ->
            zones.forEach(
                (zone, eps) -> {
                  long takingTraffic = takingTraffic(eps);
                  if (takingTraffic == 0 && dialect.readyLocalitiesOnly()) {
                    // gRPC would give the locality its weight's share and fail or idle those picks.
                    return;
                  }
                  LocalityLbEndpoints.Builder loc =
                      LocalityLbEndpoints.newBuilder().setPriority(priority);
                  if (takingTraffic > 0) {
                    loc.setLoadBalancingWeight(Protos.uint32((int) takingTraffic));
                  }
                  // Always present, even empty: grpc-js rejects a locality-less entry.
                  loc.setLocality(
                      zone.isEmpty()
                          ? Locality.getDefaultInstance()
                          : Locality.newBuilder().setZone(zone).build());
                  eps.forEach(
                      e ->
                          loc.addLbEndpoints(lbEndpoint(e, p.affinity().portAffinity(), weighted)));
                  cla.addEndpoints(loc);
                }));
    if (anyLocal && dialect.overprovisioning()) {
      int local = byPriority.get(0).values().stream().mapToInt(List::size).sum();
      cla.getPolicyBuilder()
          .setOverprovisioningFactor(
              UInt32Value.of(Math.min(MAX_OVERPROVISIONING_FACTOR, 100 * Math.max(1, local))));
    }
    return cla.build();
  }

  /**
   * {@code fairlead.io/failover}: the proxy's zone first, then the listed zones in order, then
   * every other zone. Priorities are numbered over the groups that are actually sent, so they stay
   * contiguous from 0 (Envoy and gRPC both expect that) whichever zones are empty. As with
   * PreferClose, each priority keeps all the traffic while one of its endpoints is healthy.
   */
  private static ClusterLoadAssignment failover(
      String name,
      PortPolicy p,
      List<Sent> sent,
      ProxyContext ctx,
      ClientCapabilities.Dialect dialect,
      List<String> order,
      boolean weighted) {
    List<String> ranked = new ArrayList<>();
    ctx.zone().ifPresent(ranked::add);
    order.stream().filter(z -> !ranked.contains(z)).forEach(ranked::add);
    Map<Integer, Map<String, List<Sent>>> byRank = new TreeMap<>();
    for (Sent e : sent) {
      String zone = e.entry().zone().orElse("");
      int rank = zone.isEmpty() || !ranked.contains(zone) ? ranked.size() : ranked.indexOf(zone);
      byRank
          .computeIfAbsent(rank, k -> new TreeMap<>())
          .computeIfAbsent(zone, k -> new ArrayList<>())
          .add(e);
    }
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(name);
    int priority = 0;
    int largest = 0;
    for (Map<String, List<Sent>> zones : byRank.values()) {
      List<LocalityLbEndpoints> localities = new ArrayList<>();
      int endpoints = 0;
      for (Map.Entry<String, List<Sent>> zone : zones.entrySet()) {
        Optional<LocalityLbEndpoints.Builder> loc =
            locality(zone.getKey(), zone.getValue(), p, dialect, weighted);
        if (loc.isPresent()) {
          localities.add(loc.get().setPriority(priority).build());
          endpoints += zone.getValue().size();
        }
      }
      if (!localities.isEmpty()) {
        cla.addAllEndpoints(localities);
        largest = Math.max(largest, endpoints);
        priority++;
      }
    }
    if (priority > 1 && dialect.overprovisioning()) {
      cla.getPolicyBuilder()
          .setOverprovisioningFactor(
              UInt32Value.of(Math.min(MAX_OVERPROVISIONING_FACTOR, 100 * largest)));
    }
    return cla.build();
  }

  /** One zone's locality, or none when the client must not get a locality without ready ones. */
  private static Optional<LocalityLbEndpoints.Builder> locality(
      String zone,
      List<Sent> eps,
      PortPolicy p,
      ClientCapabilities.Dialect dialect,
      boolean weighted) {
    long takingTraffic = takingTraffic(eps);
    if (takingTraffic == 0 && dialect.readyLocalitiesOnly()) {
      return Optional.empty();
    }
    LocalityLbEndpoints.Builder loc = LocalityLbEndpoints.newBuilder();
    if (takingTraffic > 0) {
      loc.setLoadBalancingWeight(Protos.uint32((int) takingTraffic));
    }
    loc.setLocality(
        zone.isEmpty()
            ? Locality.getDefaultInstance()
            : Locality.newBuilder().setZone(zone).build());
    eps.forEach(e -> loc.addLbEndpoints(lbEndpoint(e, p.affinity().portAffinity(), weighted)));
    return Optional.of(loc);
  }

  /**
   * A locality's weight: the sum of the weights of its endpoints that take new traffic (their count
   * when no Pod has a weight). gRPC picks localities by it
   * (docs/envoy-semantics.md#weights-locality); at most 10,000 per endpoint, it stays far below
   * 2^32 for any real locality.
   */
  private static long takingTraffic(List<Sent> eps) {
    long sum =
        eps.stream()
            .filter(e -> e.status() == HealthStatus.HEALTHY)
            .mapToLong(e -> e.entry().effectiveWeight())
            .sum();
    return Math.min(sum, Integer.MAX_VALUE);
  }

  /** An endpoint and the health status it is sent with. */
  private record Sent(EndpointEntry entry, HealthStatus status) {}

  /**
   * Not-serving endpoints are left out: with Envoy's panic mode or a client that misreads UNHEALTHY
   * they could still be picked. When nothing is ready, serving-terminating endpoints take the
   * traffic, as kube-proxy does (KEP-1669).
   */
  private static List<Sent> sendable(List<EndpointEntry> visible) {
    boolean anyReady = visible.stream().anyMatch(e -> e.health() == EndpointHealth.HEALTHY);
    List<Sent> out = new ArrayList<>();
    for (EndpointEntry e : visible) {
      switch (e.health()) {
        case HEALTHY -> out.add(new Sent(e, HealthStatus.HEALTHY));
        case DRAINING ->
            out.add(new Sent(e, anyReady ? HealthStatus.DRAINING : HealthStatus.HEALTHY));
        case UNHEALTHY -> {}
      }
    }
    return out;
  }

  private static LbEndpoint lbEndpoint(Sent e, boolean hashOnPod, boolean weighted) {
    Endpoint.Builder ep =
        Endpoint.newBuilder().setAddress(Protos.address(e.entry().address(), e.entry().port()));
    if (hashOnPod) {
      ep.setHostname(e.entry().hostname());
    }
    LbEndpoint.Builder lb = LbEndpoint.newBuilder().setEndpoint(ep).setHealthStatus(e.status());
    if (weighted) {
      lb.setLoadBalancingWeight(Protos.uint32(e.entry().effectiveWeight()));
    }
    return lb.build();
  }
}
