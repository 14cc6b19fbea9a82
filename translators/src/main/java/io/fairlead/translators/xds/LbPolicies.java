package io.fairlead.translators.xds;

import com.google.protobuf.FloatValue;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin;
import io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.ConsistentHashingLbConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.common.v3.SlowStartConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality;
import io.envoyproxy.envoy.type.v3.Percent;
import io.fairlead.policies.LoadBalancing;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.WrrTuning;
import java.util.Optional;

/**
 * The load-balancing part of a cluster. Envoy gets typed {@code load_balancing_policy} extensions;
 * gRPC clients get the legacy {@code lb_policy} enum, which every gRPC version reads (grpc-node
 * rejects a typed RingHash that sets ring sizes).
 */
final class LbPolicies {

  /**
   * Envoy's aggression is a runtime value; its key must be named. Nothing sets it in Fairlead's
   * bootstraps, so the annotated default applies, and an operator may override it fleet-wide.
   */
  static final String SLOW_START_AGGRESSION_RUNTIME_KEY = "fairlead.slow_start.aggression";

  private LbPolicies() {}

  /** The legacy form: the enum and the config message that goes with it, if any. */
  record Legacy(
      Cluster.LbPolicy policy,
      Optional<Cluster.RingHashLbConfig> ringHash,
      Optional<Cluster.LeastRequestLbConfig> leastRequest) {}

  static LoadBalancingPolicy typed(PortPolicy p) {
    LoadBalancing lb = p.balancing().algorithm();
    Optional<SlowStartConfig> slowStart =
        p.balancing()
            .slowStart()
            .map(
                w -> {
                  SlowStartConfig.Builder b =
                      SlowStartConfig.newBuilder().setSlowStartWindow(Protos.duration(w));
                  p.balancing()
                      .slowStartAggression()
                      .ifPresent(
                          a ->
                              b.setAggression(
                                  RuntimeDouble.newBuilder()
                                      .setDefaultValue(a)
                                      .setRuntimeKey(SLOW_START_AGGRESSION_RUNTIME_KEY)));
                  p.balancing()
                      .slowStartMinWeight()
                      .ifPresent(m -> b.setMinWeightPercent(Percent.newBuilder().setValue(m)));
                  return b.build();
                });
    TypedExtensionConfig policy;
    if (lb instanceof LoadBalancing.LeastRequest lr) {
      LeastRequest.Builder b =
          LeastRequest.newBuilder().setChoiceCount(Protos.uint32(lr.choices()));
      slowStart.ifPresent(b::setSlowStartConfig);
      policy = Protos.extension("envoy.load_balancing_policies.least_request", b.build());
    } else if (lb instanceof LoadBalancing.Random) {
      policy =
          Protos.extension("envoy.load_balancing_policies.random", Random.getDefaultInstance());
    } else if (lb instanceof LoadBalancing.RingHash rh) {
      policy =
          Protos.extension(
              "envoy.load_balancing_policies.ring_hash",
              RingHash.newBuilder()
                  .setHashFunction(RingHash.HashFunction.XX_HASH)
                  .setMinimumRingSize(UInt64Value.of(rh.minRingSize()))
                  .setMaximumRingSize(UInt64Value.of(rh.maxRingSize()))
                  .setConsistentHashingLbConfig(consistentHashing(p))
                  .build());
    } else if (lb instanceof LoadBalancing.WeightedRoundRobin w) {
      policy = clientSideWeightedRoundRobin(w.tuning());
    } else if (lb instanceof LoadBalancing.Maglev m) {
      policy =
          Protos.extension(
              "envoy.load_balancing_policies.maglev",
              Maglev.newBuilder()
                  .setTableSize(UInt64Value.of(m.tableSize()))
                  .setConsistentHashingLbConfig(consistentHashing(p))
                  .build());
    } else {
      RoundRobin.Builder b = RoundRobin.newBuilder();
      slowStart.ifPresent(b::setSlowStartConfig);
      policy = Protos.extension("envoy.load_balancing_policies.round_robin", b.build());
    }
    return LoadBalancingPolicy.newBuilder()
        .addPolicies(LoadBalancingPolicy.Policy.newBuilder().setTypedExtensionConfig(policy))
        .build();
  }

  /**
   * Client-side weighted round-robin as gRPC expects it (gRFC A52): {@code wrr_locality} weighs the
   * localities and picks endpoints within one with client-side WRR, or with round-robin on a client
   * that has no WRR. Empty unless the port uses weighted round-robin.
   */
  static Optional<LoadBalancingPolicy> wrrLocality(PortPolicy p) {
    if (!(p.balancing().algorithm() instanceof LoadBalancing.WeightedRoundRobin w)) {
      return Optional.empty();
    }
    LoadBalancingPolicy endpointPicking =
        LoadBalancingPolicy.newBuilder()
            .addPolicies(
                LoadBalancingPolicy.Policy.newBuilder()
                    .setTypedExtensionConfig(clientSideWeightedRoundRobin(w.tuning())))
            .addPolicies(
                LoadBalancingPolicy.Policy.newBuilder()
                    .setTypedExtensionConfig(
                        Protos.extension(
                            "envoy.load_balancing_policies.round_robin",
                            RoundRobin.getDefaultInstance())))
            .build();
    return Optional.of(
        LoadBalancingPolicy.newBuilder()
            .addPolicies(
                LoadBalancingPolicy.Policy.newBuilder()
                    .setTypedExtensionConfig(
                        Protos.extension(
                            "envoy.load_balancing_policies.wrr_locality",
                            WrrLocality.newBuilder()
                                .setEndpointPickingPolicy(endpointPicking)
                                .build())))
            .build());
  }

  /**
   * The periods only when the annotation writes them, so the clients' defaults apply otherwise. The
   * penalty always: Envoy reads an unset one as 0, gRPC as the documented 1.0.
   */
  private static TypedExtensionConfig clientSideWeightedRoundRobin(WrrTuning t) {
    ClientSideWeightedRoundRobin.Builder b = ClientSideWeightedRoundRobin.newBuilder();
    t.blackoutPeriod().ifPresent(d -> b.setBlackoutPeriod(Protos.duration(d)));
    t.weightExpirationPeriod().ifPresent(d -> b.setWeightExpirationPeriod(Protos.duration(d)));
    t.weightUpdatePeriod().ifPresent(d -> b.setWeightUpdatePeriod(Protos.duration(d)));
    b.setErrorUtilizationPenalty(
        FloatValue.of(
            t.errorUtilizationPenalty().orElse(WrrTuning.DEFAULT_ERROR_PENALTY).floatValue()));
    b.addAllMetricNamesForComputingUtilization(t.utilizationMetrics());
    return Protos.extension(
        "envoy.load_balancing_policies.client_side_weighted_round_robin", b.build());
  }

  private static ConsistentHashingLbConfig consistentHashing(PortPolicy p) {
    ConsistentHashingLbConfig.Builder b =
        ConsistentHashingLbConfig.newBuilder()
            .setUseHostnameForHashing(p.affinity().portAffinity());
    p.balancing().hashBalanceFactor().ifPresent(f -> b.setHashBalanceFactor(Protos.uint32(f)));
    return b.build();
  }

  static Legacy legacy(PortPolicy p) {
    LoadBalancing lb = p.balancing().algorithm();
    if (lb instanceof LoadBalancing.RingHash rh) {
      return new Legacy(
          Cluster.LbPolicy.RING_HASH,
          Optional.of(
              Cluster.RingHashLbConfig.newBuilder()
                  .setHashFunction(Cluster.RingHashLbConfig.HashFunction.XX_HASH)
                  .setMinimumRingSize(UInt64Value.of(rh.minRingSize()))
                  .setMaximumRingSize(UInt64Value.of(rh.maxRingSize()))
                  .build()),
          Optional.empty());
    }
    if (lb instanceof LoadBalancing.LeastRequest lr) {
      return new Legacy(
          Cluster.LbPolicy.LEAST_REQUEST,
          Optional.empty(),
          Optional.of(
              Cluster.LeastRequestLbConfig.newBuilder()
                  .setChoiceCount(Protos.uint32(lr.choices()))
                  .build()));
    }
    return new Legacy(Cluster.LbPolicy.ROUND_ROBIN, Optional.empty(), Optional.empty());
  }
}
