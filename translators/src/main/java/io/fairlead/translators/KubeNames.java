package io.fairlead.translators;

import com.google.common.net.InetAddresses;
import io.fairlead.policies.ObjectRef;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API server's validation of the fields Fairlead turns into Envoy names and addresses. Input
 * from a directory or a hostile client has not been through an API server, and a name with a slash
 * or an address like {@code 999.1.1.1} would otherwise reach a resource name or an Envoy address.
 * Each check returns the problem in words, or nothing.
 */
public final class KubeNames {

  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final int LABEL_MAX = 63;
  private static final int SUBDOMAIN_MAX = 253;

  private KubeNames() {}

  /** Namespaces are DNS-1123 labels. */
  public static Optional<String> namespace(String value) {
    return label(
        value, DNS1123_LABEL, "a DNS-1123 label (lower-case letters, digits and '-', at most 63)");
  }

  /** Service names are DNS-1035 labels: they start with a letter. */
  public static Optional<String> serviceName(String value) {
    return label(
        value,
        DNS1035_LABEL,
        "a DNS-1035 label (a lower-case letter, then letters, digits and '-', at most 63)");
  }

  /** Port names of Services and EndpointSlices are DNS-1123 labels; empty means unnamed. */
  public static Optional<String> portName(String value) {
    return value.isEmpty() ? Optional.empty() : label(value, DNS1123_LABEL, "a DNS-1123 label");
  }

  /** Object names such as EndpointSlices' are DNS-1123 subdomains. */
  public static Optional<String> subdomain(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.of("is empty");
    }
    if (value.length() > SUBDOMAIN_MAX) {
      return Optional.of("is longer than " + SUBDOMAIN_MAX + " characters");
    }
    for (String part : value.split("\\.", -1)) {
      if (!DNS1123_LABEL.matcher(part).matches()) {
        return Optional.of("'" + shorten(value) + "' is not a DNS-1123 subdomain");
      }
    }
    return Optional.empty();
  }

  /** A Service's DNS name in a cluster domain: {@code name.namespace.svc.DOMAIN}. */
  public static String serviceHost(ObjectRef service, String clusterDomain) {
    return service.name() + "." + service.namespace() + ".svc." + clusterDomain;
  }

  private static final Pattern LABEL_VALUE =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

  /** A non-empty label value, as topology zones are (at most 63 characters). */
  public static boolean isLabelValue(String value) {
    return value != null
        && !value.isEmpty()
        && value.length() <= LABEL_MAX
        && LABEL_VALUE.matcher(value).matches();
  }

  public static boolean isPort(Integer port) {
    return port != null && port >= 1 && port <= 65535;
  }

  /** A literal address of an EndpointSlice's address type (IPv4 or IPv6), without a zone. */
  public static boolean isAddress(String value, String addressType) {
    if (value == null
        || value.isEmpty()
        || value.indexOf('%') >= 0
        || !InetAddresses.isInetAddress(value)) {
      return false;
    }
    boolean v6 = value.indexOf(':') >= 0;
    return addressType.equals("IPv6") ? v6 : !v6;
  }

  /** A literal IPv4 or IPv6 address, as a ClusterIP must be. */
  public static boolean isIp(String value) {
    return value != null && value.indexOf('%') < 0 && InetAddresses.isInetAddress(value);
  }

  /** A value for a message: at most 64 characters. */
  public static String shorten(String value) {
    return value.length() <= 64 ? value : value.substring(0, 61) + "...";
  }

  private static Optional<String> label(String value, Pattern pattern, String what) {
    if (value == null || value.isEmpty()) {
      return Optional.of("is empty");
    }
    if (value.length() > LABEL_MAX || !pattern.matcher(value).matches()) {
      return Optional.of("'" + shorten(value) + "' is not " + what);
    }
    return Optional.empty();
  }
}
