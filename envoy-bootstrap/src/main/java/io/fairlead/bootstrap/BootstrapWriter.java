package io.fairlead.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig;
import io.envoyproxy.envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;

/**
 * Renders a bootstrap as protobuf JSON (proto field names, as in Envoy's documentation), then
 * re-serializes it with sorted keys as pretty JSON or YAML, so the output is byte-for-byte stable.
 */
public final class BootstrapWriter {

  public enum Format { YAML, JSON }

  /** Every message type that {@link BootstrapGenerator} packs into an Any. */
  public static final JsonFormat.TypeRegistry TYPE_REGISTRY = JsonFormat.TypeRegistry.newBuilder()
      .add(DownstreamConnectionsConfig.getDescriptor())
      .add(FixedHeapConfig.getDescriptor())
      .add(HttpProtocolOptions.getDescriptor())
      .add(UpstreamTlsContext.getDescriptor())
      .build();

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .usingTypeRegistry(TYPE_REGISTRY)
      .preservingProtoFieldNames()
      .omittingInsignificantWhitespace();

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // Struct values such as the gateway port are strings and must stay strings when read back.
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build();

  private BootstrapWriter() {}

  public static String write(Bootstrap bootstrap, Format format) {
    return switch (format) {
      case YAML -> toYaml(bootstrap);
      case JSON -> toJson(bootstrap);
    };
  }

  public static String toYaml(Bootstrap bootstrap) {
    return reserialize(bootstrap, YAML);
  }

  public static String toJson(Bootstrap bootstrap) {
    return reserialize(bootstrap, JSON) + "\n";
  }

  private static String reserialize(Bootstrap bootstrap, ObjectMapper target) {
    try {
      // Read into plain maps: ORDER_MAP_ENTRIES_BY_KEYS sorts maps, not JsonNode trees.
      Object tree = JSON.readValue(PRINTER.print(bootstrap), Object.class);
      return target.writeValueAsString(tree);
    } catch (InvalidProtocolBufferException e) {
      // Only an Any whose type is missing from TYPE_REGISTRY gets here: a programming error.
      throw new IllegalStateException("bootstrap contains a type missing from the registry", e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("protobuf JSON could not be re-serialized", e);
    }
  }
}
