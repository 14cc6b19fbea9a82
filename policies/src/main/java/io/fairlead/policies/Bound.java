package io.fairlead.policies;

import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * One numeric limit in an annotation's grammar: a count, a percentage, a length or a duration that
 * the parser accepts from {@code min} to {@code max}, both included, and refuses one past either
 * end. {@code AnnotationBoundsTest} turns every bound of every key into those four checks, so a new
 * bounded key is tested at its limits by declaring its bounds here.
 *
 * @param what the bounded part of the value, for test names ({@code unhealthy}, {@code length})
 * @param text the annotation value whose bounded part is {@code n}, the rest valid
 * @param read the bounded part of a parsed value, to check that the limit reads back as itself
 */
public record Bound<T>(
    String what, long min, long max, LongFunction<String> text, ToLongFunction<T> read) {

  public Bound {
    if (min > max) {
      throw new IllegalArgumentException(what + ": min " + min + " is above max " + max);
    }
  }

  /** The annotation value with {@code n} as its bounded part. */
  public String valueWith(long n) {
    return text.apply(n);
  }

  /** The bounded part of a value the parser accepted. */
  public long readBack(T parsed) {
    return read.applyAsLong(parsed);
  }
}
