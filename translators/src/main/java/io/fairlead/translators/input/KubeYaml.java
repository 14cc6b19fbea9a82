package io.fairlead.translators.input;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.PodMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The one reader of Kubernetes manifests (golden tests, CLI, watched directory). A source holds
 * documents of YAML 1.2 or JSON; a document is an object, a list ({@code kind: List}, or any {@code
 * *List} with items) or a sequence of objects.
 *
 * <p>v1 Services and discovery.k8s.io/v1 EndpointSlices are read strictly: an unknown field is an
 * error, since a misspelt field would otherwise vanish silently. Other kinds are skipped with one
 * info diagnostic per source. Anything unusable fails the whole source with a one-line message
 * naming the source, the document, the line and the field.
 */
public final class KubeYaml {

  /**
   * Objects read from one source, in document order; the diagnostics name ignored objects. Of a v1
   * Pod only the metadata is read (and checked strictly); its spec and status are skipped.
   */
  public record Parsed(
      List<Service> services,
      List<EndpointSlice> endpointSlices,
      List<PodMetadata> pods,
      List<Diagnostic> diagnostics) {

    public Parsed {
      services = List.copyOf(services);
      endpointSlices = List.copyOf(endpointSlices);
      pods = List.copyOf(pods);
      diagnostics = List.copyOf(diagnostics);
    }

    /** Objects without Pods. */
    public Parsed(
        List<Service> services, List<EndpointSlice> endpointSlices, List<Diagnostic> diagnostics) {
      this(services, endpointSlices, List.of(), diagnostics);
    }
  }

  /** Input that cannot be used at all; the message is one line, {@code source: problem}. */
  public static final class InvalidInputException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    public InvalidInputException(String source, String problem) {
      super(oneLine(source) + ": " + oneLine(problem));
      this.source = oneLine(source);
      this.problem = oneLine(problem);
    }

    /** The file (or other label) that could not be used. */
    public String source() {
      return source;
    }

    /** What is wrong, without the source. */
    public String problem() {
      return problem;
    }

    private static String oneLine(String text) {
      return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
  }

  /** The diagnostic key of ignored objects. */
  public static final String IGNORED_KEY = "kind";

  /**
   * Converts plain trees into Fabric8 model objects, refusing fields the type does not have, at any
   * depth. Shared by everything that reads manifests.
   */
  public static final ObjectMapper STRICT =
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

  /** Reads bytes that must be UTF-8. */
  public static Parsed parse(String source, byte[] content) throws InvalidInputException {
    return parse(source, ManifestDocuments.decode(source, content));
  }

  public static Parsed parse(String source, String text) throws InvalidInputException {
    Reading reading = new Reading(source);
    List<ManifestDocuments.Document> documents = ManifestDocuments.split(source, text);
    for (int i = 0; i < documents.size(); i++) {
      ManifestDocuments.Document d = documents.get(i);
      String where = "document " + (i + 1);
      if (d.value() instanceof List<?> items) {
        reading.items(where, items, d.node());
      } else if (d.value() != null) {
        reading.object(where, d.value(), d.node());
      }
    }
    return reading.result();
  }

  /** The objects of one source, collected in document order. */
  private static final class Reading {
    private final String source;
    private final List<Service> services = new ArrayList<>();
    private final List<EndpointSlice> slices = new ArrayList<>();
    private final List<PodMetadata> pods = new ArrayList<>();
    private final List<String> ignored = new ArrayList<>();

    Reading(String source) {
      this.source = source;
    }

    Parsed result() {
      List<Diagnostic> diagnostics =
          ignored.isEmpty()
              ? List.of()
              : List.of(
                  Diagnostic.info(
                      Reason.IGNORED_OBJECTS,
                      new Subject.Source(source, IGNORED_KEY),
                      "ignored "
                          + ignored.size()
                          + " object(s) of kinds other than v1 Service,"
                          + " discovery.k8s.io/v1 EndpointSlice and v1 Pod: "
                          + String.join(", ", ignored)));
      return new Parsed(services, slices, pods, diagnostics);
    }

    void items(String where, List<?> items, Optional<Node> node) throws InvalidInputException {
      for (int j = 0; j < items.size(); j++) {
        if (items.get(j) != null) { // an empty list entry, as in "- " at the end of a list
          object(where + " item " + (j + 1), items.get(j), FieldProblem.element(node, j));
        }
      }
    }

    void object(String where, Object value, Optional<Node> node) throws InvalidInputException {
      if (!(value instanceof Map<?, ?> map)) {
        throw problem(
            where, node, "expected a Kubernetes object (a mapping with apiVersion and kind)");
      }
      String at = where + describeRaw(map);
      if (!(map.get("apiVersion") instanceof String apiVersion)
          || apiVersion.isBlank()
          || !(map.get("kind") instanceof String kind)
          || kind.isBlank()) {
        throw problem(at, node, "apiVersion and kind are required");
      }
      if (kind.equals("List") || (kind.endsWith("List") && map.containsKey("items"))) {
        Object items = map.get("items");
        if (items != null && !(items instanceof List<?>)) {
          throw problem(at, FieldProblem.child(node, "items"), "items: expected a list of objects");
        }
        items(at, items == null ? List.of() : (List<?>) items, FieldProblem.child(node, "items"));
      } else if (kind.equals("Service") && apiVersion.equals("v1")) {
        services.add(named(at, node, convert(at, map, node, Service.class)));
      } else if (kind.equals("EndpointSlice") && apiVersion.equals("discovery.k8s.io/v1")) {
        slices.add(named(at, node, convert(at, map, node, EndpointSlice.class)));
      } else if (kind.equals("Pod") && apiVersion.equals("v1")) {
        // Only the metadata is read, as the Kubernetes source keeps only it.
        Pod pod = new Pod();
        pod.setMetadata(
            convert(
                at,
                map.get("metadata") instanceof Map<?, ?> m ? m : Map.of(),
                FieldProblem.child(node, "metadata"),
                ObjectMeta.class));
        pods.add(PodMetadata.of(named(at, node, pod)));
      } else {
        ignored.add(apiVersion + " " + kind + " " + qualifiedName(map));
      }
    }

    private <T> T convert(String where, Map<?, ?> map, Optional<Node> node, Class<T> type)
        throws InvalidInputException {
      try {
        return STRICT.convertValue(map, type);
      } catch (IllegalArgumentException e) {
        FieldProblem p = FieldProblem.of(e, node);
        throw new InvalidInputException(source, where + atLine(p.line()) + ": " + p.describe());
      }
    }

    /** Checks the name and fills in the namespace the API server would default to. */
    private <T extends HasMetadata> T named(String where, Optional<Node> node, T object)
        throws InvalidInputException {
      if (object.getMetadata() == null
          || object.getMetadata().getName() == null
          || object.getMetadata().getName().isBlank()) {
        throw problem(where, node, object.getKind() + " has no metadata.name");
      }
      String ns = object.getMetadata().getNamespace();
      if (ns == null || ns.isBlank()) {
        object.getMetadata().setNamespace("default");
      }
      return object;
    }

    private InvalidInputException problem(String where, Optional<Node> node, String problem) {
      return new InvalidInputException(
          source, where + atLine(FieldProblem.line(node)) + ": " + problem);
    }
  }

  private static String atLine(OptionalInt line) {
    return line.isPresent() ? " at line " + line.getAsInt() : "";
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

  /** {@code namespace/name}, the bare name without a namespace, or (unnamed). */
  private static String qualifiedName(Map<?, ?> map) {
    if (!(map.get("metadata") instanceof Map<?, ?> metadata) || metadata.get("name") == null) {
      return "(unnamed)";
    }
    Object ns = metadata.get("namespace");
    return (ns == null ? "" : ns + "/") + metadata.get("name");
  }
}
