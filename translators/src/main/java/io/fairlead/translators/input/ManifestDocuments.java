package io.fairlead.translators.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairlead.translators.input.KubeYaml.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Splits manifest text into documents. Text starting with a brace or bracket is JSON (as
 * kubectl and Fabric8 decide); anything else is YAML 1.2, so {@code yes} and {@code on} stay
 * strings, duplicate keys are errors, and syntax errors carry a line and column.
 */
final class ManifestDocuments {

  /**
   * One document.
   *
   * @param value maps, lists and scalars; null for an empty document
   * @param node its YAML node, for line numbers; empty for JSON
   */
  record Document(Object value, Optional<Node> node) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final char BOM = '\uFEFF';

  private ManifestDocuments() {}

  static String decode(String source, byte[] content) throws InvalidInputException {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(source, "not valid UTF-8 text");
    }
  }

  static List<Document> split(String source, String text) throws InvalidInputException {
    // editors on Windows may start a UTF-8 file with a byte order mark
    String body = !text.isEmpty() && text.charAt(0) == BOM ? text.substring(1) : text;
    String start = body.stripLeading();
    return start.startsWith("{") || start.startsWith("[") ? json(source, body) : yaml(source, body);
  }

  private static List<Document> json(String source, String text) throws InvalidInputException {
    List<Document> documents = new ArrayList<>();
    try (MappingIterator<Object> it = JSON.readerFor(Object.class).readValues(text)) {
      while (it.hasNextValue()) {
        documents.add(new Document(it.nextValue(), Optional.empty()));
      }
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(source, jsonMessage(e));
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(source, "invalid JSON: " + rootMessage(e));
    }
    return documents;
  }

  private static List<Document> yaml(String source, String text) throws InvalidInputException {
    LoadSettings settings = LoadSettings.builder().setLabel(source).build();
    List<Document> documents = new ArrayList<>();
    try {
      for (Node node : new Compose(settings).composeAllFromString(text)) {
        Object value = new StandardConstructor(settings).constructSingleDocument(Optional.of(node));
        documents.add(new Document(value, Optional.of(node)));
      }
    } catch (MarkedYamlEngineException e) {
      throw new InvalidInputException(source, yamlMessage(e));
    } catch (YamlEngineException e) {
      throw new InvalidInputException(source, "invalid YAML: " + e.getMessage());
    }
    return documents;
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

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
