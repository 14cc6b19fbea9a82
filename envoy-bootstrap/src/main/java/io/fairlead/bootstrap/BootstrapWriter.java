package io.fairlead.bootstrap;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.fairlead.translators.output.Trees;

/**
 * Writes a bootstrap as YAML or JSON through the same serializer as every other resource Fairlead
 * prints: canonical protobuf JSON with sorted keys.
 */
public final class BootstrapWriter {

  public enum Format {
    YAML,
    JSON
  }

  private BootstrapWriter() {}

  public static String write(Bootstrap bootstrap, Format format) {
    return switch (format) {
      case YAML -> toYaml(bootstrap);
      case JSON -> toJson(bootstrap);
    };
  }

  public static String toYaml(Bootstrap bootstrap) {
    return Trees.yaml(Trees.proto(bootstrap));
  }

  public static String toJson(Bootstrap bootstrap) {
    return Trees.json(Trees.proto(bootstrap));
  }
}
