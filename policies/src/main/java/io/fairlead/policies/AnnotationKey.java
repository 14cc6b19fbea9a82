package io.fairlead.policies;

import java.util.List;
import java.util.function.Function;

/**
 * One annotation Fairlead reads: its grammar, default and documentation, and its parser.
 *
 * @param name the key without the {@code fairlead.io/} prefix
 * @param onEnvoy what it does on sidecar and gateway Envoys
 * @param onGrpc what proxyless gRPC clients get
 * @param bounds the numeric limits of its grammar (empty when it has none), which the boundary
 *     tests check
 */
public record AnnotationKey<T>(
    String name,
    String grammar,
    String defaultValue,
    String description,
    String onEnvoy,
    String onGrpc,
    Function<String, ParseResult<T>> parser,
    List<Bound<T>> bounds) {

  public AnnotationKey {
    bounds = List.copyOf(bounds);
  }

  /** A key whose grammar has no numeric limit. */
  public AnnotationKey(
      String name,
      String grammar,
      String defaultValue,
      String description,
      String onEnvoy,
      String onGrpc,
      Function<String, ParseResult<T>> parser) {
    this(name, grammar, defaultValue, description, onEnvoy, onGrpc, parser, List.of());
  }

  /** This key with the numeric limits of its grammar. */
  public AnnotationKey<T> bounded(List<Bound<T>> limits) {
    return new AnnotationKey<>(
        name, grammar, defaultValue, description, onEnvoy, onGrpc, parser, limits);
  }

  public String fullName() {
    return AnnotationRegistry.PREFIX + name;
  }

  public ParseResult<T> parse(String value) {
    return parser.apply(value);
  }
}
