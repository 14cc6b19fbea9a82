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

  /** Whether this algorithm consumes hash keys. */
  default boolean isHashing() {
    return false;
  }

  /** The annotation value that names this algorithm. */
  String keyword();

  record RoundRobin() implements LoadBalancing {
    @Override
    public String keyword() {
      return "round-robin";
    }
  }

  record LeastRequest(int choices) implements LoadBalancing {
    @Override
    public String keyword() {
      return "least-request";
    }
  }

  record Random() implements LoadBalancing {
    @Override
    public String keyword() {
      return "random";
    }
  }

  record RingHash(long minRingSize, long maxRingSize) implements LoadBalancing {
    @Override
    public boolean isHashing() {
      return true;
    }

    @Override
    public String keyword() {
      return "ring-hash";
    }
  }

  record Maglev(long tableSize) implements LoadBalancing {
    @Override
    public boolean isHashing() {
      return true;
    }

    @Override
    public String keyword() {
      return "maglev";
    }
  }
}
