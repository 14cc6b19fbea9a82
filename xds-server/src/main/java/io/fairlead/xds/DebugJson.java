package io.fairlead.xds;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.ProxyContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The JSON documents of the debug endpoints. Protos are printed as canonical protobuf JSON. */
final class DebugJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DebugJson() {}

  static String config(String nodeId, PublishedGroup published)
      throws InvalidProtocolBufferException {
    List<Message> all = new ArrayList<>();
    all.addAll(published.clusters());
    all.addAll(published.endpoints());
    all.addAll(published.listeners());
    all.addAll(published.routes());
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(AnyTypes.registryFor(all));
    ObjectNode root = MAPPER.createObjectNode();
    root.put("node", nodeId);
    root.set("group", group(published.group()));
    ObjectNode versions = root.putObject("versions");
    published.versions().forEach(versions::put);
    root.set("clusters", protos(printer, published.clusters()));
    root.set("endpoints", protos(printer, published.endpoints()));
    root.set("listeners", protos(printer, published.listeners()));
    root.set("routes", protos(printer, published.routes()));
    return write(root);
  }

  static String connections(List<ConnectionInfo> connections) {
    ArrayNode list = MAPPER.createArrayNode();
    for (ConnectionInfo c : connections) {
      ObjectNode node = list.addObject();
      node.put("stream", c.stream());
      node.put("node", c.nodeId());
      node.put("protocol", c.protocol());
      node.set("group", group(c.group()));
      node.put("connectedSince", c.connectedSince().toString());
      ObjectNode acked = node.putObject("ackedVersions");
      c.ackedVersions().forEach(acked::put);
      ObjectNode nacks = node.putObject("nacks");
      for (Map.Entry<String, Nack> e : c.nacks().entrySet()) {
        ObjectNode nack = nacks.putObject(e.getKey());
        e.getValue().rejectedVersion().ifPresent(v -> nack.put("rejectedVersion", v));
        nack.put("nonce", e.getValue().nonce());
        nack.put("message", e.getValue().message());
        nack.put("at", e.getValue().at().toString());
      }
      ArrayNode problems = node.putArray("problems");
      c.problems().forEach(problems::add);
    }
    return write(list);
  }

  static String diagnostics(List<Diagnostic> diagnostics) {
    ArrayNode list = MAPPER.createArrayNode();
    for (Diagnostic d : diagnostics) {
      list.addObject()
          .put("severity", d.severity().label())
          .put("object", d.object())
          .put("key", d.key())
          .put("message", d.message());
    }
    return write(list);
  }

  private static ObjectNode group(ProxyContext context) {
    ObjectNode group = MAPPER.createObjectNode();
    group.put("label", NodeGroups.label(context));
    group.put("role", context.role().label());
    group.put("client", context.client().label());
    group.put("gatewayGroup", context.gatewayGroup());
    group.put("gatewayPort", context.gatewayPort());
    context.zone().ifPresent(zone -> group.put("zone", zone));
    context.node().ifPresent(node -> group.put("node", node));
    if (!context.namespaces().isEmpty()) {
      context.namespaces().forEach(group.putArray("visibleNamespaces")::add);
    }
    context.dependencies().ifPresent(d -> group.put("dependencies", d.describe()));
    if (context.onDemand()) {
      group.put("onDemand", true);
    }
    return group;
  }

  private static ArrayNode protos(JsonFormat.Printer printer, List<? extends Message> messages)
      throws InvalidProtocolBufferException {
    ArrayNode list = MAPPER.createArrayNode();
    for (Message message : messages) {
      list.add(parse(printer.print(message)));
    }
    return list;
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("protobuf printed invalid JSON", e);
    }
  }

  private static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
