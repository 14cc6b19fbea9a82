package io.fairlead.examples;

/**
 * Every annotation at once, for real-client tests: what a client cannot apply must be left out, and
 * what it can (header hashing, ring size, retries, timeout, max-requests) must be accepted.
 */
public final class AllAnnotations {

  private AllAnnotations() {}

  /** The annotations as YAML map entries, indented for a Service's metadata.annotations. */
  public static String yaml(String hashHeader) {
    return String.join(
        "\n    ",
        "fairlead.io/hash-on: header:" + hashHeader + ",cookie:sid,source-ip,query:u",
        "fairlead.io/ring-size: 2048-4096",
        "fairlead.io/hash-balance-factor: \"150\"",
        "fairlead.io/port-affinity: all-ports",
        "fairlead.io/session-persistence: cookie:ep",
        "fairlead.io/persistence-timeout: 30m",
        "fairlead.io/max-connection-duration: 5m",
        "fairlead.io/health-check: grpc,interval=5s",
        "fairlead.io/outlier-detection: default",
        "fairlead.io/circuit-breakers: max-connections=100,max-requests=1000",
        "fairlead.io/retries: attempts=2,on=unavailable|5xx,per-try-timeout=1s",
        "fairlead.io/timeout: 30s");
  }
}
