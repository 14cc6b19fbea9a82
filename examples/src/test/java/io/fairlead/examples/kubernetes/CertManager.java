package io.fairlead.examples.kubernetes;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.List;
import java.util.Map;

/**
 * The cert-manager objects the examples use (cert-manager.io/v1), with exactly the spec fields they
 * set, read strictly like every other manifest: a misspelt field fails here, before cert-manager's
 * webhook would refuse it. The field names follow cert-manager's v1 API reference.
 */
final class CertManager {

  private CertManager() {}

  @Group("cert-manager.io")
  @Version("v1")
  @Kind("Issuer")
  static final class Issuer extends CustomResource<IssuerSpec, Void> implements Namespaced {}

  /** One of {@code selfSigned} (an empty object) or {@code ca}. */
  record IssuerSpec(Map<String, Object> selfSigned, CaIssuer ca) {}

  record CaIssuer(String secretName) {}

  @Group("cert-manager.io")
  @Version("v1")
  @Kind("Certificate")
  static final class Certificate extends CustomResource<CertificateSpec, Void>
      implements Namespaced {}

  record CertificateSpec(
      String secretName,
      String commonName,
      List<String> dnsNames,
      List<String> uris,
      Boolean isCA,
      String duration,
      String renewBefore,
      List<String> usages,
      PrivateKey privateKey,
      IssuerRef issuerRef) {}

  record PrivateKey(String algorithm, Integer size, String encoding, String rotationPolicy) {}

  record IssuerRef(String name, String kind, String group) {}
}
