package io.fairlead.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.fairlead.bootstrap.NodeMetadataKeys;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Binds a proxy to the identity in its client certificate under mutual TLS: the namespace of its
 * SPIFFE ID ({@code spiffe://TRUST_DOMAIN/ns/NS/sa/SA}) becomes the node's {@code
 * fairlead.io/namespace}, which decides what {@code fairlead.io/export-to} lets it receive. A node
 * that declares another namespace is refused; one without a certificate identity is of no
 * namespace. {@code fairlead.io/visible-namespaces} stays as declared: it can only narrow what a
 * proxy gets.
 */
public final class XdsIdentity {

  private static final Pattern SPIFFE =
      Pattern.compile(
          "spiffe://[^/]+/ns/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/sa/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)");
  private static final int URI_SAN = 6;

  private XdsIdentity() {}

  /**
   * Who a client certificate's SPIFFE ID names: {@code
   * spiffe://TD/ns/NAMESPACE/sa/SERVICE_ACCOUNT}.
   */
  public record Peer(String namespace, String serviceAccount) {}

  /**
   * A stream refused because its node claims another namespace than its certificate.
   *
   * @param peer who the certificate names
   * @param message why, in one line
   */
  public record Refusal(Peer peer, String message) {}

  /** The namespace of the peer's SPIFFE ID, if the session has a client certificate with one. */
  static Optional<String> namespace(SSLSession session) {
    return peer(session).map(Peer::namespace);
  }

  /** The peer's SPIFFE ID, if the session has a client certificate with one. */
  static Optional<Peer> peer(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0
          || !(chain[0] instanceof X509Certificate leaf)
          || leaf.getSubjectAlternativeNames() == null) {
        return Optional.empty();
      }
      for (List<?> san : leaf.getSubjectAlternativeNames()) {
        if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
          Matcher m = SPIFFE.matcher(String.valueOf(san.get(1)));
          if (m.matches()) {
            return Optional.of(new Peer(m.group(1), m.group(3)));
          }
        }
      }
    } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** A request with its node bound to {@code namespace}, or why it is refused. */
  record Bound(Object request, Optional<String> refusal) {}

  static Bound bind(Object request, Optional<String> namespace) {
    Node node =
        request instanceof DiscoveryRequest r && r.hasNode()
            ? r.getNode()
            : request instanceof DeltaDiscoveryRequest d && d.hasNode() ? d.getNode() : null;
    if (node == null) {
      return new Bound(request, Optional.empty());
    }
    Value declared = node.getMetadata().getFieldsOrDefault(NodeMetadataKeys.NAMESPACE, null);
    if (declared != null
        && namespace.isPresent()
        && !declared.getStringValue().equals(namespace.get())) {
      return new Bound(
          request,
          Optional.of(
              "node metadata says namespace '"
                  + declared.getStringValue()
                  + "' but the client certificate is of namespace '"
                  + namespace.get()
                  + "'"));
    }
    Struct.Builder metadata =
        node.getMetadata().toBuilder().removeFields(NodeMetadataKeys.NAMESPACE);
    namespace.ifPresent(
        ns ->
            metadata.putFields(
                NodeMetadataKeys.NAMESPACE, Value.newBuilder().setStringValue(ns).build()));
    Node bound = node.toBuilder().setMetadata(metadata).build();
    Object rewritten =
        request instanceof DiscoveryRequest r
            ? r.toBuilder().setNode(bound).build()
            : ((DeltaDiscoveryRequest) request).toBuilder().setNode(bound).build();
    return new Bound(rewritten, Optional.empty());
  }
}
