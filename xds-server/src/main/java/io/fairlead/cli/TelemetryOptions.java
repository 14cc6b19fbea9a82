package io.fairlead.cli;

import io.fairlead.translators.TranslationSettings;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every proxy logs and traces: control-plane settings that reach the translator through {@link
 * TranslationSettings}, as {@code --cluster-domain} does. {@code serve} and {@code translate} take
 * them, so the resources {@code translate} prints are the ones {@code serve} would send.
 */
final class TelemetryOptions {

  @Option(
      names = "--access-log",
      paramLabel = "FORMAT",
      defaultValue = "json",
      converter = Choices.AccessLogFormats.class,
      completionCandidates = Choices.AccessLogFormats.class,
      description =
          "Proxies' access log on stdout, one of: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})."
              + " A Service or port opts out with fairlead.io/access-log: off.")
  TranslationSettings.AccessLogFormat accessLog;

  @Option(
      names = "--tracing",
      paramLabel = "otlp:HOST:PORT",
      converter = Collector.class,
      description =
          "Send spans to this OpenTelemetry collector (OTLP over gRPC) from every sidecar and"
              + " gateway; HOST is a DNS name or an IPv4 address. Default: no tracing.")
  Collector.Address tracing;

  @Option(
      names = "--tracing-sampling",
      paramLabel = "PERCENT",
      description =
          "Share of new requests traced, 0 to 100 (default: "
              + TranslationSettings.Tracing.DEFAULT_SAMPLING_PERCENT
              + "); needs --tracing.")
  Double tracingSampling;

  /** The settings with these options applied. */
  TranslationSettings apply(TranslationSettings settings) {
    if (tracing == null && tracingSampling != null) {
      throw new IllegalArgumentException("--tracing-sampling needs --tracing otlp:HOST:PORT");
    }
    Optional<TranslationSettings.Tracing> t = Optional.empty();
    if (tracing != null) {
      t =
          Optional.of(
              new TranslationSettings.Tracing(
                  tracing.host(),
                  tracing.port(),
                  tracingSampling == null
                      ? TranslationSettings.Tracing.DEFAULT_SAMPLING_PERCENT
                      : tracingSampling));
    }
    return settings.withAccessLog(accessLog).withTracing(t);
  }

  /** {@code otlp:HOST:PORT}. */
  static final class Collector implements CommandLine.ITypeConverter<Collector.Address> {

    record Address(String host, int port) {}

    @Override
    public Address convert(String value) {
      String[] parts = value.split(":", -1);
      if (parts.length != 3 || !parts[0].equals("otlp")) {
        throw new CommandLine.TypeConversionException(
            "expected otlp:HOST:PORT but was '" + value + "'");
      }
      int port;
      try {
        port = Integer.parseInt(parts[2]);
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + parts[2] + "' is not a port number");
      }
      try {
        // Checks the host and port now, so a bad value fails here rather than at startup.
        new TranslationSettings.Tracing(parts[1], port, 0);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
      return new Address(parts[1], port);
    }
  }
}
