package io.fairlead.bootstrap;

import com.google.common.net.InetAddresses;
import java.util.regex.Pattern;

/**
 * Where Envoy reaches the Fairlead xDS server.
 *
 * @param host a DNS name or an IP literal (IPv6 without brackets)
 * @param port 1..65535
 */
public record XdsAddress(String host, int port) {

  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  public XdsAddress {
    if (host == null || !(isIpLiteral(host) || isDnsName(host))) {
      throw new IllegalArgumentException(
          "invalid xDS host \""
              + (host == null ? "" : oneLine(host))
              + "\": expected a DNS name or an IP address");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("invalid xDS port " + port + ": expected 1..65535");
    }
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}; anything else is an IllegalArgumentException.
   */
  public static XdsAddress parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("invalid xDS address \"\": expected host:port");
    }
    String host;
    String portText;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        throw invalid(text, "expected [ipv6]:port");
      }
      host = text.substring(1, close);
      portText = text.substring(close + 2);
      if (!InetAddresses.isInetAddress(host) || host.indexOf(':') < 0) {
        throw invalid(text, "brackets must hold an IPv6 address");
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw invalid(text, "expected host:port");
      }
      host = text.substring(0, colon);
      portText = text.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw invalid(text, "write an IPv6 address as [address]:port");
      }
      if (host.isEmpty()) {
        throw invalid(text, "the host is missing");
      }
    }
    if (!portText.matches("[0-9]{1,5}")) {
      throw invalid(text, "the port must be a number in 1..65535");
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      throw invalid(text, "the port must be a number in 1..65535");
    }
    if (!isIpLiteral(host) && !isDnsName(host)) {
      throw invalid(text, "the host is neither a DNS name nor an IP address");
    }
    return new XdsAddress(host, port);
  }

  /** True when no DNS lookup is needed, so the cluster can be STATIC. */
  public boolean isIpLiteral() {
    return isIpLiteral(host);
  }

  private static boolean isIpLiteral(String host) {
    // Guava parses without any lookup; a scope id (fe80::1%eth0) is not something Envoy accepts
    // here.
    return host.indexOf('%') < 0 && InetAddresses.isInetAddress(host);
  }

  private static boolean isDnsName(String host) {
    // An all-numeric name such as 10.0.0.300 is a mistyped IP address, not a DNS name.
    return host.length() <= 253 && DNS_NAME.matcher(host).matches() && !host.matches("[0-9.]+");
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException("invalid xDS address \"" + oneLine(text) + "\": " + why);
  }

  static String oneLine(String text) {
    return text.replaceAll("\\s", " ");
  }
}
