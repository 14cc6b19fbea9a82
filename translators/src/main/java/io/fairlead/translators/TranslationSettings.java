package io.fairlead.translators;

import io.fairlead.policies.ObjectRef;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the translation of every proxy's resources shares and the Kubernetes objects do not say:
 * facts about the cluster and the control plane's own settings, the same for every proxy of one
 * control plane. Input to the pure translator, like the model and the proxy context; never a static
 * flag.
 *
 * @param clusterDomain the cluster's DNS domain (the kubelet's {@code --cluster-domain}): Service
 *     names end in {@code .svc.} and this, as the names proxyless clients dial and the health
 *     checks' Host do
 * @param accessLog the proxies' access log format ({@code serve --access-log}); {@link
 *     AccessLogFormat#OFF} in {@link #DEFAULT}, so a library user and the golden cases opt in,
 *     while {@code serve} and {@code translate} default to JSON
 * @param tracing where proxies send spans ({@code serve --tracing}), if anywhere
 */
public record TranslationSettings(
    String clusterDomain, AccessLogFormat accessLog, Optional<Tracing> tracing) {

  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

  /** A cluster with the default domain, {@code cluster.local}, no access log and no tracing. */
  public static final TranslationSettings DEFAULT = new TranslationSettings(DEFAULT_CLUSTER_DOMAIN);

  /** How proxies write their access log on stdout. */
  public enum AccessLogFormat {
    /** One JSON object per line. */
    JSON,
    /** One line of text in a fixed field order. */
    TEXT,
    /** No access log. */
    OFF;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * An OpenTelemetry (OTLP/gRPC) collector and the share of requests traced.
   *
   * @param host a DNS name or an IPv4 address
   * @param port the collector's OTLP/gRPC port
   * @param samplingPercent the share of new traces sampled, 0 to 100
   */
  public record Tracing(String host, int port, double samplingPercent) {

    public static final double DEFAULT_SAMPLING_PERCENT = 1.0;

    private static final Pattern IPV4 =
        Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /**
     * @throws IllegalArgumentException for a host that is neither a DNS name nor an IPv4 address, a
     *     port outside 1 to 65535 or a share outside 0 to 100
     */
    public Tracing {
      Objects.requireNonNull(host);
      if (!IPV4.matcher(host).matches()) {
        KubeNames.subdomain(host)
            .ifPresent(
                problem -> {
                  throw new IllegalArgumentException("collector host " + problem);
                });
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("collector port " + port + " is not 1 to 65535");
      }
      if (!(samplingPercent >= 0 && samplingPercent <= 100)) {
        throw new IllegalArgumentException(
            "sampling " + samplingPercent + "% is not a percentage from 0 to 100");
      }
    }

    /** Whether the host is an address, so the collector's cluster is STATIC rather than DNS. */
    public boolean isAddress() {
      return IPV4.matcher(host).matches();
    }
  }

  /** A cluster with this domain, no access log and no tracing. */
  public TranslationSettings(String clusterDomain) {
    this(clusterDomain, AccessLogFormat.OFF, Optional.empty());
  }

  /**
   * @throws IllegalArgumentException when the domain is not a DNS-1123 subdomain
   */
  public TranslationSettings {
    KubeNames.subdomain(clusterDomain)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException("cluster domain " + problem);
            });
    Objects.requireNonNull(accessLog);
    Objects.requireNonNull(tracing);
  }

  public TranslationSettings withAccessLog(AccessLogFormat v) {
    return new TranslationSettings(clusterDomain, v, tracing);
  }

  public TranslationSettings withTracing(Optional<Tracing> v) {
    return new TranslationSettings(clusterDomain, accessLog, v);
  }

  /** The DNS name of a Service in this cluster: {@code name.namespace.svc.DOMAIN}. */
  public String serviceHost(ObjectRef service) {
    return KubeNames.serviceHost(service, clusterDomain);
  }
}
