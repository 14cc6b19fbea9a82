package io.fairlead.policies;

import java.util.Optional;

/**
 * The native Service fields Fairlead honours, as they appear in the spec. {@code
 * sessionAffinityConfig.clientIP.timeoutSeconds} is not among them: consistent hashing has no time
 * bound (docs/annotations.md, "Native Service fields").
 */
public record NativeFields(
    Optional<String> sessionAffinity,
    Optional<String> trafficDistribution,
    Optional<String> internalTrafficPolicy) {

  public static final NativeFields NONE =
      new NativeFields(Optional.empty(), Optional.empty(), Optional.empty());

  public boolean clientIpAffinity() {
    return sessionAffinity.filter("ClientIP"::equals).isPresent();
  }

  public boolean preferClose() {
    return trafficDistribution
        .filter(v -> v.equals("PreferClose") || v.equals("PreferSameZone"))
        .isPresent();
  }

  public boolean internalLocal() {
    return internalTrafficPolicy.filter("Local"::equals).isPresent();
  }
}
