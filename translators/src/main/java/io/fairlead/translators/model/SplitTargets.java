package io.fairlead.translators.model;

import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.TrafficSplit;
import java.util.List;

/**
 * A root Service port's split, resolved against the other Services of the model: only backends that
 * exist, have the port and may be routed to are here.
 *
 * @param backends the weighted backends with a positive weight, sorted by Service name
 * @param matches the match rules whose Service resolved, in the annotation's order
 */
public record SplitTargets(List<Backend> backends, List<MatchTarget> matches) {

  public SplitTargets {
    backends = List.copyOf(backends);
    matches = List.copyOf(matches);
  }

  /**
   * One backend: its Service, its weight, and its port (policy and endpoints, never split itself),
   * so that a gateway can build the backend's cluster with the root's route.
   */
  public record Backend(ObjectRef service, int weight, PortEntry port) {}

  /** A match rule and the backend its requests go to. */
  public record MatchTarget(TrafficSplit.Match rule, ObjectRef service, PortEntry port) {}
}
