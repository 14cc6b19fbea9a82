package io.fairlead.cli;

import io.fairlead.translators.TranslationSettings;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options of the commands that translate: facts about the cluster every proxy shares. */
final class ClusterOptions {

  @Option(
      names = "--cluster-domain",
      paramLabel = "DOMAIN",
      defaultValue = TranslationSettings.DEFAULT_CLUSTER_DOMAIN,
      converter = Domain.class,
      description =
          "The cluster's DNS domain, as the kubelet's --cluster-domain: proxyless clients dial"
              + " NAME.NAMESPACE.svc.DOMAIN, and health checks send it as Host (default: ${DEFAULT-VALUE}).")
  TranslationSettings settings;

  /** A DNS-1123 subdomain, else picocli's one-line error. */
  static final class Domain implements CommandLine.ITypeConverter<TranslationSettings> {
    @Override
    public TranslationSettings convert(String value) {
      try {
        return new TranslationSettings(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
