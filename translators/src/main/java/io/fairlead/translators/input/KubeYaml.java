package io.fairlead.translators.input;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.Diagnostic;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Strict reading of multi-document Kubernetes YAML (or JSON). Unknown fields are errors, since a
 * misspelt field would otherwise vanish silently; kinds other than Service and EndpointSlice are
 * skipped with an info diagnostic.
 */
public final class KubeYaml {

  /** Objects read from one source. */
  public record Parsed(List<Service> services, List<EndpointSlice> endpointSlices, List<Diagnostic> diagnostics) {}

  /** Input that cannot be used at all; the message is one line. */
  public static final class InvalidInputException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setAnnotationIntrospector(
              new JacksonAnnotationIntrospector() {
                private static final long serialVersionUID = 1L;

                @Override
                public Boolean hasAnySetter(Annotated a) {
                  // Fabric8 keeps unknown fields in additionalProperties; refuse them instead.
                  return Boolean.FALSE;
                }
              });

  private KubeYaml() {}

  public static Parsed parse(String source, String text) throws InvalidInputException {
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    List<Object> documents = new ArrayList<>();
    try (MappingIterator<Object> it = MAPPER.readerFor(Object.class).readValues(text)) {
      while (it.hasNextValue()) {
        documents.add(it.nextValue());
      }
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(source + ": invalid YAML: " + oneLine(e));
    }
    int index = 0;
    for (Object doc : documents) {
      index++;
      if (doc == null) {
        continue;
      }
      if (!(doc instanceof Map<?, ?> map)) {
        throw new InvalidInputException(source + ": document " + index + " is not a Kubernetes object");
      }
      read(source, index, map, services, slices, diagnostics);
    }
    return new Parsed(services, slices, diagnostics);
  }

  private static void read(
      String source,
      int index,
      Map<?, ?> map,
      List<Service> services,
      List<EndpointSlice> slices,
      List<Diagnostic> diagnostics)
      throws InvalidInputException {
    Object kind = map.get("kind");
    Object apiVersion = map.get("apiVersion");
    String where = source + " document " + index;
    if ("List".equals(kind) && map.get("items") instanceof List<?> items) {
      for (Object item : items) {
        if (item instanceof Map<?, ?> m) {
          read(source, index, m, services, slices, diagnostics);
        }
      }
    } else if ("Service".equals(kind) && "v1".equals(apiVersion)) {
      services.add(named(convert(where, map, Service.class), where));
    } else if ("EndpointSlice".equals(kind) && "discovery.k8s.io/v1".equals(apiVersion)) {
      slices.add(named(convert(where, map, EndpointSlice.class), where));
    } else if (kind == null || apiVersion == null) {
      throw new InvalidInputException(where + ": missing kind or apiVersion");
    } else {
      diagnostics.add(Diagnostic.info(source, "kind", apiVersion + " " + kind + " (document " + index + ") is not read by Fairlead; ignored"));
    }
  }

  private static <T extends HasMetadata> T named(T object, String where) throws InvalidInputException {
    if (object.getMetadata() == null || object.getMetadata().getName() == null || object.getMetadata().getName().isEmpty()) {
      throw new InvalidInputException(where + ": metadata.name is missing");
    }
    return object;
  }

  private static <T> T convert(String where, Map<?, ?> map, Class<T> type) throws InvalidInputException {
    try {
      return STRICT.convertValue(map, type);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": " + oneLine(e));
    }
  }

  private static String oneLine(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof JsonMappingException)) {
      t = t.getCause();
    }
    String message = t instanceof JsonMappingException jme ? jme.getOriginalMessage() : t.getMessage();
    if (t instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
      message = message + " at " + path(jme);
    }
    String line = message == null ? t.getClass().getSimpleName() : message;
    int nl = line.indexOf('\n');
    line = nl < 0 ? line : line.substring(0, nl);
    return line.replaceAll("\\s*\\(class [^)]*\\)", "").replaceAll(",? *not marked as ignorable.*", "");
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.toString();
  }
}
