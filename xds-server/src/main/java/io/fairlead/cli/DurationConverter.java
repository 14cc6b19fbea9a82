package io.fairlead.cli;

import io.fairlead.policies.Durations;
import io.fairlead.policies.ParseResult;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Duration options in the annotations' grammar ({@code 250ms}, {@code 30s}, {@code 1h30m}), not
 * Java's {@code PT30S}; a bad value is picocli's one-line error with exit status 2.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    ParseResult<Duration> parsed = Durations.parse(value);
    if (parsed instanceof ParseResult.Ok<Duration> ok) {
      return ok.value();
    }
    throw new CommandLine.TypeConversionException(((ParseResult.Err<Duration>) parsed).message());
  }
}
