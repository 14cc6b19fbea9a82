package io.fairlead.translators;

import io.fairlead.policies.ObjectRef;

/**
 * What the translation of every proxy's resources shares and the Kubernetes objects do not say:
 * facts about the cluster, the same for every proxy of one control plane. Input to the pure
 * translator, like the model and the proxy context; never a static flag.
 *
 * @param clusterDomain the cluster's DNS domain (the kubelet's {@code --cluster-domain}): Service
 *     names end in {@code .svc.} and this, as the names proxyless clients dial and the health
 *     checks' Host do
 */
public record TranslationSettings(String clusterDomain) {

  public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

  /** A cluster with the default domain, {@code cluster.local}. */
  public static final TranslationSettings DEFAULT = new TranslationSettings(DEFAULT_CLUSTER_DOMAIN);

  /**
   * @throws IllegalArgumentException when the domain is not a DNS-1123 subdomain
   */
  public TranslationSettings {
    KubeNames.subdomain(clusterDomain)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException("cluster domain " + problem);
            });
  }

  /** The DNS name of a Service in this cluster: {@code name.namespace.svc.DOMAIN}. */
  public String serviceHost(ObjectRef service) {
    return KubeNames.serviceHost(service, clusterDomain);
  }
}
