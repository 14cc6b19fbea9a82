package io.fairlead.policies;

import java.util.Optional;

/** The algorithm named by {@code fairlead.io/lb-policy}, before its tuning keys are applied. */
public enum LbKind {
  ROUND_ROBIN("round-robin", false),
  LEAST_REQUEST("least-request", false),
  RANDOM("random", false),
  RING_HASH("ring-hash", true),
  MAGLEV("maglev", true),
  WEIGHTED_ROUND_ROBIN("weighted-round-robin", false);

  private final String keyword;
  private final boolean hashing;

  LbKind(String keyword, boolean hashing) {
    this.keyword = keyword;
    this.hashing = hashing;
  }

  public String keyword() {
    return keyword;
  }

  public boolean hashing() {
    return hashing;
  }

  public static Optional<LbKind> of(String keyword) {
    for (LbKind k : values()) {
      if (k.keyword.equals(keyword)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
