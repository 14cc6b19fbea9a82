package io.fairlead.policies;

import java.util.List;

/** Exposure of a port through the gateway Envoys of one group. */
public record GatewayExposure(List<String> hosts, String pathPrefix, String group) {
  public static final String DEFAULT_GROUP = "default";
}
