package io.fairlead.translators.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.validate.EnvoyTypes;
import io.fairlead.translators.xds.XdsResources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plain trees (maps, lists, scalars) of what Fairlead prints, with keys sorted, written as YAML or
 * JSON. Protos go through canonical protobuf JSON, so an Any shows its {@code @type}.
 */
public final class Trees {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final ObjectMapper YAML =
      new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .disable(YAMLGenerator.Feature.SPLIT_LINES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .build())
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(EnvoyTypes.registry());

  private Trees() {}

  /** A proto as a sorted tree of its canonical JSON. */
  public static Object proto(Message message) {
    try {
      return sorted(JSON.readValue(PRINTER.print(message), Object.class));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      // Only an Any of a type missing from EnvoyTypes gets here: a bug, not user input.
      throw new IllegalStateException(
          "cannot print " + message.getDescriptorForType().getFullName(), e);
    }
  }

  public static List<Object> protos(List<? extends Message> messages) {
    return messages.stream().map(Trees::proto).toList();
  }

  public static List<Object> diagnostics(List<Diagnostic> diagnostics) {
    List<Object> out = new ArrayList<>();
    diagnostics.forEach(d -> out.add(diagnostic(d)));
    return out;
  }

  /** One diagnostic as printed everywhere: severity, reason code, object, port, key, message. */
  public static Map<String, Object> diagnostic(Diagnostic d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("severity", d.severity().label());
    m.put("reason", d.reason().eventReason());
    m.put("object", d.object());
    if (d.subject() instanceof io.fairlead.policies.Subject.Kube k && k.port().isPresent()) {
      m.put("port", k.port().get());
    }
    m.put("key", d.key());
    m.put("message", d.message());
    return m;
  }

  /** The document {@code fairlead translate} prints. */
  public static Map<String, Object> resources(XdsResources r) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("clusters", protos(r.clusters()));
    doc.put("endpoints", protos(r.endpoints()));
    doc.put("listeners", protos(r.listeners()));
    doc.put("routes", protos(r.routes()));
    doc.put("diagnostics", diagnostics(r.diagnostics()));
    return doc;
  }

  public static String yaml(Object tree) {
    try {
      return YAML.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String json(Object tree) {
    try {
      return JSON.writeValueAsString(tree) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Object sorted(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      ((Map<String, Object>) m).forEach((k, v) -> out.put(k, sorted(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      return l.stream().map(Trees::sorted).toList();
    }
    return node;
  }
}
