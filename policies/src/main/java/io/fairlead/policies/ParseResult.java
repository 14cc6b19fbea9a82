package io.fairlead.policies;

import java.util.function.Function;

/** The outcome of parsing one annotation value: a value, or a one-line reason it is invalid. */
public sealed interface ParseResult<T> {

  record Ok<T>(T value) implements ParseResult<T> {}

  record Err<T>(String message) implements ParseResult<T> {}

  static <T> ParseResult<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> ParseResult<T> err(String message) {
    return new Err<>(message);
  }

  default <R> ParseResult<R> map(Function<T, R> f) {
    if (this instanceof Ok<T> ok) {
      return new Ok<>(f.apply(ok.value()));
    }
    return new Err<>(((Err<T>) this).message());
  }
}
