package io.fairlead.policies;

import java.util.List;
import java.util.Optional;

/**
 * A root Service port's traffic split (the SMI TrafficSplit meaning): clients keep dialling the
 * root Service, and its requests go to other Services of the same namespace, in proportion to their
 * weights, after the match rules have taken the requests they match.
 *
 * @param backends the weighted backends, sorted by Service name (so the order in which the
 *     annotation names them never moves a key from one backend to another)
 * @param matches rules tried in order before the split; the first that matches decides
 */
public record TrafficSplit(List<Backend> backends, List<Match> matches) {

  /** The largest weight of one backend; weights are relative. */
  public static final int MAX_WEIGHT = 10_000;

  /** At most this many backends and this many match rules. */
  public static final int MAX_BACKENDS = 16;

  public TrafficSplit {
    backends = List.copyOf(backends);
    matches = List.copyOf(matches);
  }

  public TrafficSplit withMatches(List<Match> v) {
    return new TrafficSplit(backends, v);
  }

  /** The sum of the weights; always at least 1. */
  public int totalWeight() {
    return backends.stream().mapToInt(Backend::weight).sum();
  }

  /**
   * One backend Service of the split.
   *
   * @param service a Service of the root's namespace (it may be the root itself)
   * @param weight its relative share, 0 to {@link #MAX_WEIGHT}
   */
  public record Backend(String service, int weight) {}

  /**
   * A request matching {@code header} (and {@code value}, exactly, when given) goes to {@code
   * service}.
   *
   * @param header a lower-case HTTP header name
   * @param value the exact value; empty means the header only has to be present
   */
  public record Match(String header, Optional<String> value, String service) {

    public String describe() {
      return "header:" + header + value.map(v -> "=" + v).orElse("") + "->" + service;
    }
  }
}
