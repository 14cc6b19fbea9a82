package io.fairlead.translators.input;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.fairlead.policies.EditDistance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * What was wrong with one field of an object, from Jackson's mapping error: the field path ({@code
 * spec.ports[0].port}), the problem in words, and the line it is on when known.
 */
record FieldProblem(String path, String problem, OptionalInt line) {

  /** Finds the mapping error behind a failed conversion and locates it in the object's node. */
  static FieldProblem of(Throwable failure, Optional<Node> object) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof JsonMappingException e) {
        return new FieldProblem(path(e.getPath()), problem(e), line(find(object, e.getPath())));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    String message = failure.getMessage();
    return new FieldProblem(
        "", message == null ? failure.getClass().getSimpleName() : message, line(object));
  }

  /** {@code spec.ports[0].port: problem}, or just the problem when there is no path. */
  String describe() {
    return path.isEmpty() ? problem : path + ": " + problem;
  }

  static OptionalInt line(Optional<Node> node) {
    return node.flatMap(Node::getStartMark)
        .map(m -> OptionalInt.of(m.getLine() + 1))
        .orElse(OptionalInt.empty());
  }

  /** The value under {@code field} of a mapping node. */
  static Optional<Node> child(Optional<Node> node, String field) {
    return node.flatMap(n -> tuple(n, field)).map(NodeTuple::getValueNode);
  }

  /** Element {@code index} of a sequence node. */
  static Optional<Node> element(Optional<Node> node, int index) {
    return node.filter(n -> n instanceof SequenceNode s && index < s.getValue().size())
        .map(n -> ((SequenceNode) n).getValue().get(index));
  }

  private static String problem(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field" + suggestion(u.getPropertyName(), u.getKnownPropertyIds());
    }
    String message =
        e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    // Jackson names Java classes; the user wrote YAML
    return message
        .replaceAll("\\s*\\(class [^)]*\\)", "")
        .replaceAll("`[a-z0-9_.]+\\.([A-Za-z0-9_$]+)`", "`$1`");
  }

  /** " (did you mean clusterIP or clusterIPs?)" when known fields are near misses. */
  private static String suggestion(String name, Collection<Object> known) {
    String lower = name.toLowerCase(Locale.ROOT);
    List<String> nearest = List.of();
    int best = 3; // farther than two edits is not a typo
    for (String candidate : known.stream().map(String::valueOf).sorted().toList()) {
      int d = EditDistance.between(lower, candidate.toLowerCase(Locale.ROOT));
      if (d < best) {
        best = d;
        nearest = new ArrayList<>(List.of(candidate));
      } else if (d == best) {
        nearest.add(candidate);
      }
    }
    return nearest.isEmpty() || nearest.size() > 3
        ? ""
        : " (did you mean " + String.join(" or ", nearest) + "?)";
  }

  private static String path(List<JsonMappingException.Reference> references) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference r : references) {
      if (r.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  /**
   * The node a path leads to, or the deepest one found along it. A field ends at its key, so an
   * unknown field points at the line that names it.
   */
  private static Optional<Node> find(
      Optional<Node> object, List<JsonMappingException.Reference> references) {
    Optional<Node> at = object;
    for (int i = 0; i < references.size() && at.isPresent(); i++) {
      JsonMappingException.Reference r = references.get(i);
      boolean last = i == references.size() - 1;
      Optional<Node> next;
      if (r.getFieldName() != null) {
        Optional<NodeTuple> tuple = tuple(at.get(), r.getFieldName());
        next = tuple.map(t -> last ? t.getKeyNode() : t.getValueNode());
      } else {
        next = element(at, r.getIndex());
      }
      if (next.isEmpty()) {
        return at;
      }
      at = next;
    }
    return at;
  }

  private static Optional<NodeTuple> tuple(Node node, String field) {
    if (!(node instanceof MappingNode m)) {
      return Optional.empty();
    }
    return m.getValue().stream()
        .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(field))
        .findFirst();
  }
}
