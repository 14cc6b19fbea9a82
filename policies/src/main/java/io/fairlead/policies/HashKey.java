package io.fairlead.policies;

import java.time.Duration;
import java.util.Optional;

/** One consistent-hash key; a port's keys are tried in order. */
public sealed interface HashKey {

  /** The key as {@code hash-on} spells it, with its subnet granularity where masked. */
  String describe();

  /** Whether proxyless gRPC clients can hash on it (they hash on headers only). */
  default boolean grpcCapable() {
    return false;
  }

  record Header(String name) implements HashKey {
    @Override
    public String describe() {
      return "header:" + name;
    }

    @Override
    public boolean grpcCapable() {
      return true;
    }
  }

  /** Envoy generates the cookie when absent; a zero ttl makes a session cookie. */
  record Cookie(String name, Duration ttl, Optional<String> path) implements HashKey {
    @Override
    public String describe() {
      return "cookie:" + name;
    }
  }

  /**
   * The client's address, masked to a subnet (LVS persistence granularity). 32/128 means the whole
   * address.
   */
  record SourceIp(int prefixV4, int prefixV6) implements HashKey {
    public boolean isMasked() {
      return prefixV4 < 32 || prefixV6 < 128;
    }

    @Override
    public String describe() {
      return isMasked() ? "source-ip(/" + prefixV4 + ",/" + prefixV6 + ")" : "source-ip";
    }
  }

  record Query(String name) implements HashKey {
    @Override
    public String describe() {
      return "query:" + name;
    }
  }

  /**
   * The identity of a gRPC client channel: what source-IP affinity becomes for proxyless clients,
   * which cannot hash on addresses. Never parsed from an annotation.
   */
  record ChannelId() implements HashKey {
    @Override
    public String describe() {
      return "grpc-channel-id";
    }

    @Override
    public boolean grpcCapable() {
      return true;
    }
  }
}
