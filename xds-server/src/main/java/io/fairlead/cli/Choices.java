package io.fairlead.cli;

import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * An option whose value is one word of a fixed list, read into an enum constant. A subclass names
 * the words; an option names the subclass as its {@code converter} and {@code
 * completionCandidates}, so that help lists the words ({@code ${COMPLETION-CANDIDATES}}) and
 * picocli's error for any other word names them all, in one line and with exit status 2. Words
 * match ignoring case.
 *
 * <p>picocli's own enum conversion would list the constants' Java names as well ({@code GRPC_JAVA,
 * grpc-java}) and accept them; these options accept exactly the documented words.
 */
abstract class Choices<E> implements CommandLine.ITypeConverter<E>, Iterable<String> {

  private final Map<String, E> words = new LinkedHashMap<>();
  private final Map<String, E> aliases = new LinkedHashMap<>();

  Choices(List<E> values, Function<E, String> word) {
    values.forEach(v -> words.put(word.apply(v), v));
  }

  /** Another word for a value, accepted but not listed. */
  final Choices<E> alias(String word, E value) {
    aliases.put(word, value);
    return this;
  }

  @Override
  public final E convert(String value) {
    String key = value.toLowerCase(Locale.ROOT);
    E found = words.get(key);
    if (found == null) {
      found = aliases.get(key);
    }
    if (found == null) {
      throw new CommandLine.TypeConversionException(
          "expected one of " + words.keySet() + " but was '" + value + "'");
    }
    return found;
  }

  @Override
  public final Iterator<String> iterator() {
    return words.keySet().iterator();
  }

  /** {@code --role} of translate: every role. */
  static final class Roles extends Choices<ProxyRole> {
    Roles() {
      super(List.of(ProxyRole.values()), ProxyRole::label);
    }
  }

  /** {@code --role} of bootstrap: the Envoy roles; proxyless clients need no Envoy bootstrap. */
  static final class EnvoyRoles extends Choices<ProxyRole> {
    EnvoyRoles() {
      super(List.of(ProxyRole.SIDECAR, ProxyRole.GATEWAY), ProxyRole::label);
    }
  }

  /** {@code --client}: every kind of xDS client. */
  static final class Clients extends Choices<ClientKind> {
    Clients() {
      super(List.of(ClientKind.values()), ClientKind::label);
    }
  }

  /** {@code -o/--output}. */
  static final class Outputs extends Choices<OutputFormat> {
    Outputs() {
      super(List.of(OutputFormat.values()), OutputFormat::label);
      alias("yml", OutputFormat.YAML);
    }
  }

  /** {@code --access-log} of serve and translate. */
  static final class AccessLogFormats extends Choices<TranslationSettings.AccessLogFormat> {
    AccessLogFormats() {
      super(
          List.of(TranslationSettings.AccessLogFormat.values()),
          TranslationSettings.AccessLogFormat::label);
    }
  }
}
