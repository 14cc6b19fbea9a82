package io.fairlead.translators.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairlead.translators.input.KubeYaml.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Splits manifest text into documents. Text starting with a brace or bracket is JSON (as kubectl
 * and Fabric8 decide); anything else is YAML 1.2, so {@code yes} and {@code on} stay strings,
 * duplicate keys are errors, and syntax errors carry a line and column.
 */
final class ManifestDocuments {

  /**
   * One document.
   *
   * @param value maps, lists and scalars; null for an empty document
   * @param node its YAML node, for line numbers; empty for JSON
   */
  record Document(Object value, Optional<Node> node) {}

  /**
   * Limits that keep one hostile file from exhausting the stack, the heap or the CPU. A Kubernetes
   * object is at most about 1.5 MiB (etcd's request limit) and a few levels deep; these are far
   * above what any real manifest needs and far below what would hurt.
   */
  static final int MAX_DEPTH = 64;

  /** Aliases in one stream: real manifests use a handful; "billion laughs" needs many. */
  static final int MAX_ALIASES = 100;

  /**
   * Nodes that aliases may stand for in all, counted expanded ("billion laughs" with few aliases).
   */
  static final long MAX_ALIAS_EXPANSION = 100_000;

  /** One document (one object), in characters: the API server's limit, about 1.5 MiB. */
  static final int MAX_DOCUMENT_CHARS = 3 * 1024 * 1024 / 2;

  /** A whole file or stream, in characters. */
  public static final int MAX_STREAM_CHARS = 16 * 1024 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_DEPTH)
                          .maxDocumentLength(MAX_STREAM_CHARS)
                          .maxStringLength(MAX_DOCUMENT_CHARS)
                          .build())
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
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
    if (text.length() > MAX_STREAM_CHARS) {
      throw new InvalidInputException(
          source,
          "too large: " + text.length() + " characters; at most " + MAX_STREAM_CHARS + " are read");
    }
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
    } catch (IOException | RuntimeException | StackOverflowError e) {
      throw new InvalidInputException(source, "invalid JSON: " + oneLine(rootMessage(e)));
    }
    return documents;
  }

  private static List<Document> yaml(String source, String text) throws InvalidInputException {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(source)
            .setCodePointLimit(MAX_STREAM_CHARS)
            .setMaxAliasesForCollections(MAX_ALIASES)
            .setAllowRecursiveKeys(false)
            .build();
    List<Document> documents = new ArrayList<>();
    try {
      // The composer and the constructor recurse; check the shape on the flat event stream first.
      checkShape(source, new Parse(settings).parseString(text));
      for (Node node : new Compose(settings).composeAllFromString(text)) {
        Object value = new StandardConstructor(settings).constructSingleDocument(Optional.of(node));
        documents.add(new Document(value, Optional.of(node)));
      }
    } catch (MarkedYamlEngineException e) {
      throw new InvalidInputException(source, yamlMessage(e));
    } catch (YamlEngineException e) {
      throw new InvalidInputException(source, "invalid YAML: " + oneLine(e.getMessage()));
    } catch (RuntimeException | StackOverflowError e) {
      // A parser defect on some input must not end the caller: it is unusable input all the same.
      throw new InvalidInputException(
          source, "invalid YAML: " + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
    }
    return documents;
  }

  /**
   * Refuses nesting deeper than {@link #MAX_DEPTH}, an alias to a collection that is still open (a
   * self-referencing structure, which would never end), more than {@link #MAX_ALIASES} aliases, and
   * documents larger than {@link #MAX_DOCUMENT_CHARS}.
   */
  private static void checkShape(String source, Iterable<Event> events)
      throws InvalidInputException {
    record Open(Optional<Anchor> anchor, long nodesAtStart) {}
    Deque<Open> open = new ArrayDeque<>();
    Set<Anchor> openAnchors = new HashSet<>();
    Map<Anchor, Long> anchorSizes = new HashMap<>();
    long nodes = 0;
    long expansion = 0;
    int aliases = 0;
    int documentStart = 0;
    int document = 0;
    for (Event e : events) {
      switch (e.getEventId()) {
        case DocumentStart -> {
          document++;
          documentStart = e.getStartMark().map(Mark::getIndex).orElse(0);
        }
        case DocumentEnd -> {
          int end = e.getEndMark().map(Mark::getIndex).orElse(0);
          if (end - documentStart > MAX_DOCUMENT_CHARS) {
            throw new InvalidInputException(
                source,
                "document "
                    + document
                    + " is "
                    + (end - documentStart)
                    + " characters; a Kubernetes object is at most "
                    + MAX_DOCUMENT_CHARS);
          }
        }
        case Scalar -> {
          nodes++;
          ((NodeEvent) e).getAnchor().ifPresent(a -> anchorSizes.put(a, 1L));
        }
        case MappingStart, SequenceStart -> {
          Optional<Anchor> anchor = ((NodeEvent) e).getAnchor();
          open.push(new Open(anchor, nodes++));
          anchor.ifPresent(openAnchors::add);
          if (open.size() > MAX_DEPTH) {
            throw new InvalidInputException(
                source, at(e) + "nested deeper than " + MAX_DEPTH + " levels");
          }
        }
        case MappingEnd, SequenceEnd -> {
          Open closed = open.pop();
          long size = nodes - closed.nodesAtStart();
          closed
              .anchor()
              .ifPresent(
                  a -> {
                    openAnchors.remove(a);
                    anchorSizes.put(a, size);
                  });
        }
        case Alias -> {
          Anchor alias = ((AliasEvent) e).getAlias();
          if (++aliases > MAX_ALIASES) {
            throw new InvalidInputException(
                source, at(e) + "more than " + MAX_ALIASES + " aliases");
          }
          if (openAnchors.contains(alias)) {
            throw new InvalidInputException(
                source,
                at(e) + "alias *" + alias.getValue() + " refers to a collection that contains it");
          }
          long size = anchorSizes.getOrDefault(alias, 1L);
          nodes += size;
          expansion += size;
          if (expansion > MAX_ALIAS_EXPANSION) {
            throw new InvalidInputException(
                source, at(e) + "aliases expand to more than " + MAX_ALIAS_EXPANSION + " nodes");
          }
        }
        default -> {}
      }
    }
  }

  private static String at(Event e) {
    return e.getStartMark().map(m -> "line " + (m.getLine() + 1) + ": ").orElse("");
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.strip().replaceAll("\\s*\\R\\s*", " ");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static String yamlMessage(MarkedYamlEngineException e) {
    StringBuilder b = new StringBuilder("invalid YAML");
    e.getProblemMark()
        .ifPresent(
            m ->
                b.append(" at line ")
                    .append(m.getLine() + 1)
                    .append(", column ")
                    .append(m.getColumn() + 1));
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
      b.append(" at line ")
          .append(e.getLocation().getLineNr())
          .append(", column ")
          .append(e.getLocation().getColumnNr());
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
