package io.fairlead.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a multi-document manifest (YAML, or JSON when it starts with a brace or bracket, as
 * Fabric8 does) into Services and EndpointSlices. Any structural problem fails the whole file
 * with a one-line message naming the document.
 */
final class ManifestParser {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper JSON = new ObjectMapper();

  private ManifestParser() {}

  static ParsedManifest parse(String label, byte[] content) throws KubeSourceException {
    List<Object> documents = documents(label, decode(content));
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      Object document = documents.get(i);
      String where = "document " + (i + 1);
      // a top-level sequence is read as a list of objects
      List<?> items = document instanceof List<?> list ? list : Collections.singletonList(document);
      for (int j = 0; j < items.size(); j++) {
        String at = document instanceof List<?> ? where + " item " + (j + 1) : where;
        if (items.get(j) != null) {
          for (HasMetadata object : objects(at, items.get(j))) {
            if (object instanceof Service s) {
              services.add(named(at, s));
            } else if (object instanceof EndpointSlice e) {
              slices.add(named(at, e));
            } else {
              ignored.add(describe(object));
            }
          }
        }
      }
    }
    return new ParsedManifest(services, slices, ignored);
  }

  private static String decode(byte[] content) throws KubeSourceException {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new KubeSourceException("not valid UTF-8 text");
    }
  }

  private static List<Object> documents(String label, String text) throws KubeSourceException {
    String start = text.stripLeading();
    if (start.startsWith("{") || start.startsWith("[")) {
      try (MappingIterator<Object> it = JSON.readerFor(Object.class).readValues(text)) {
        return new ArrayList<>(it.readAll());
      } catch (JsonProcessingException e) {
        throw new KubeSourceException(jsonMessage(e), e);
      } catch (IOException | RuntimeException e) {
        throw new KubeSourceException(causeMessage(e), e);
      }
    }
    try {
      List<Object> documents = new ArrayList<>();
      new Load(LoadSettings.builder().setLabel(label).build())
          .loadAllFromString(text)
          .forEach(documents::add);
      return documents;
    } catch (MarkedYamlEngineException e) {
      throw new KubeSourceException(yamlMessage(e), e);
    } catch (YamlEngineException e) {
      throw new KubeSourceException("invalid YAML: " + e.getMessage(), e);
    }
  }

  private static List<HasMetadata> objects(String where, Object document)
      throws KubeSourceException {
    if (!(document instanceof Map<?, ?> map)) {
      throw new KubeSourceException(
          where + ": expected a Kubernetes object (a mapping with apiVersion and kind)");
    }
    String name = describeRaw(map);
    if (!(map.get("apiVersion") instanceof String v) || v.isBlank()
        || !(map.get("kind") instanceof String k) || k.isBlank()) {
      throw new KubeSourceException(where + name + ": apiVersion and kind are required");
    }
    KubernetesResource resource;
    try {
      resource = SERIALIZATION.convertValue(map, KubernetesResource.class);
    } catch (RuntimeException e) {
      throw new KubeSourceException(where + name + ": " + conversionMessage(e), e);
    }
    List<HasMetadata> objects = new ArrayList<>();
    if (resource instanceof KubernetesResourceList<?> list) {
      for (Object item : list.getItems()) {
        if (!(item instanceof HasMetadata h)) {
          throw new KubeSourceException(where + name + ": list items must be Kubernetes objects");
        }
        objects.add(h);
      }
    } else if (resource instanceof HasMetadata h) {
      objects.add(h);
    } else {
      throw new KubeSourceException(where + name + ": not a Kubernetes object");
    }
    return objects;
  }

  /** Checks the name and fills in the namespace the API server would default to. */
  private static <T extends HasMetadata> T named(String where, T object)
      throws KubeSourceException {
    if (object.getMetadata() == null
        || object.getMetadata().getName() == null
        || object.getMetadata().getName().isBlank()) {
      throw new KubeSourceException(where + ": " + object.getKind() + " has no metadata.name");
    }
    String ns = object.getMetadata().getNamespace();
    if (ns == null || ns.isBlank()) {
      object.getMetadata().setNamespace("default");
    }
    return object;
  }

  private static String describe(HasMetadata object) {
    String name =
        object.getMetadata() == null || object.getMetadata().getName() == null
            ? "(unnamed)"
            : (object.getMetadata().getNamespace() == null
                    ? ""
                    : object.getMetadata().getNamespace() + "/")
                + object.getMetadata().getName();
    return object.getApiVersion() + " " + object.getKind() + " " + name;
  }

  /** " (Service web)" when the raw document names itself, for error messages. */
  private static String describeRaw(Map<?, ?> map) {
    Object kind = map.get("kind");
    Object name = map.get("metadata") instanceof Map<?, ?> m ? m.get("name") : null;
    if (kind == null && name == null) {
      return "";
    }
    return " (" + (kind == null ? "?" : kind) + (name == null ? "" : " " + name) + ")";
  }

  private static String yamlMessage(MarkedYamlEngineException e) {
    StringBuilder b = new StringBuilder("invalid YAML");
    e.getProblemMark()
        .ifPresent(m -> b.append(" at line ").append(m.getLine() + 1)
            .append(", column ").append(m.getColumn() + 1));
    b.append(": ").append(e.getProblem());
    if (e.getContext() != null) {
      b.append(" (").append(e.getContext());
      int problemLine = e.getProblemMark().map(m -> m.getLine()).orElse(-1);
      e.getContextMark()
          .filter(m -> m.getLine() != problemLine)
          .ifPresent(m -> b.append(" started at line ").append(m.getLine() + 1));
      b.append(')');
    }
    return b.toString();
  }

  private static String jsonMessage(JsonProcessingException e) {
    StringBuilder b = new StringBuilder("invalid JSON");
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      b.append(" at line ").append(e.getLocation().getLineNr())
          .append(", column ").append(e.getLocation().getColumnNr());
    }
    return b.append(": ").append(e.getOriginalMessage()).toString();
  }

  /** "spec.ports[0].port: Cannot deserialize ..." from Jackson's reference chain. */
  private static String conversionMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonMappingException m) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : m.getPath()) {
          if (ref.getFieldName() != null) {
            path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
          } else if (ref.getIndex() >= 0) {
            path.append('[').append(ref.getIndex()).append(']');
          }
        }
        return (path.length() == 0 ? "" : path + ": ") + m.getOriginalMessage();
      }
    }
    return causeMessage(e);
  }

  private static String causeMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
