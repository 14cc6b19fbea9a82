package io.fairlead.policies;

import java.util.function.Function;

/**
 * One annotation Fairlead reads: its grammar, default and documentation, and its parser.
 *
 * @param name the key without the {@code fairlead.io/} prefix
 * @param onEnvoy what it does on sidecar and gateway Envoys
 * @param onGrpc what proxyless gRPC clients get
 */
public record AnnotationKey<T>(
    String name,
    String grammar,
    String defaultValue,
    String description,
    String onEnvoy,
    String onGrpc,
    Function<String, ParseResult<T>> parser) {

  public String fullName() {
    return AnnotationRegistry.PREFIX + name;
  }

  public ParseResult<T> parse(String value) {
    return parser.apply(value);
  }
}
