package io.fairlead.policies;

/** The balancing algorithm of one Service port. */
public sealed interface LoadBalancing {

  long DEFAULT_RING_MIN = 1024;
  long DEFAULT_RING_MAX = 8 * 1024 * 1024;

  /** Envoy bounds both ring sizes to 8M. */
  long RING_LIMIT = 8 * 1024 * 1024;

  long DEFAULT_MAGLEV_TABLE = 65537;
  long MAGLEV_TABLE_LIMIT = 5000011;
  int DEFAULT_LEAST_REQUEST_CHOICES = 2;

  /** The algorithm's name and nature; its tuning is in the record. */
  LbKind kind();

  /** Whether this algorithm consumes hash keys. */
  default boolean isHashing() {
    return kind().hashing();
  }

  /** The annotation value that names this algorithm. */
  default String keyword() {
    return kind().keyword();
  }

  record RoundRobin() implements LoadBalancing {
    @Override
    public LbKind kind() {
      return LbKind.ROUND_ROBIN;
    }
  }

  record LeastRequest(int choices) implements LoadBalancing {
    @Override
    public LbKind kind() {
      return LbKind.LEAST_REQUEST;
    }
  }

  record Random() implements LoadBalancing {
    @Override
    public LbKind kind() {
      return LbKind.RANDOM;
    }
  }

  record RingHash(long minRingSize, long maxRingSize) implements LoadBalancing {
    @Override
    public LbKind kind() {
      return LbKind.RING_HASH;
    }
  }

  record Maglev(long tableSize) implements LoadBalancing {
    @Override
    public LbKind kind() {
      return LbKind.MAGLEV;
    }
  }

  /**
   * Client-side weighted round-robin: each endpoint's weight follows the load it reports (ORCA),
   * {@code qps / (utilization + eps / qps * error penalty)}.
   */
  record WeightedRoundRobin(WrrTuning tuning) implements LoadBalancing {
    @Override
    public LbKind kind() {
      return LbKind.WEIGHTED_ROUND_ROBIN;
    }
  }
}
