package io.fairlead.translators.validate;

import com.google.common.net.InetAddresses;
import com.google.re2j.Pattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * The PGV {@code well_known} string formats. Each check returns the reason a value fails, or empty
 * when it passes. Nothing here resolves names: IP parsing is textual.
 */
final class WellKnownStrings {

  // RFC 7230 token, with an optional leading ':' for HTTP/2 pseudo-headers; as PGV defines it.
  static final Pattern HTTP_HEADER_NAME = Pattern.compile("^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$");
  static final Pattern HTTP_HEADER_VALUE = Pattern.compile("^[^\\x00-\\x08\\x0A-\\x1F\\x7F]*$");
  // strict: false relaxes both header regexes to "no NUL, CR or LF".
  static final Pattern HEADER_STRING = Pattern.compile("^[^\\x00\\x0A\\x0D]*$");

  private static final Pattern UUID =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final Pattern EMAIL_LOCAL = Pattern.compile("^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$");

  private WellKnownStrings() {}

  static Optional<String> hostname(String value) {
    String host = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
    if (host.length() > 253) {
      return Optional.of("hostname cannot exceed 253 characters");
    }
    for (String part : host.toLowerCase(Locale.ROOT).split("\\.", -1)) {
      if (part.isEmpty() || part.length() > 63) {
        return Optional.of("hostname part must be non-empty and at most 63 characters");
      }
      if (part.startsWith("-") || part.endsWith("-")) {
        return Optional.of("hostname parts cannot begin or end with a hyphen");
      }
      for (int i = 0; i < part.length(); i++) {
        char c = part.charAt(i);
        if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') {
          return Optional.of("hostname parts can only contain letters, digits and hyphens");
        }
      }
    }
    return Optional.empty();
  }

  static boolean isIpv4(String value) {
    return value.indexOf(':') < 0 && isIp(value);
  }

  static boolean isIpv6(String value) {
    return value.indexOf(':') >= 0 && isIp(value);
  }

  /** A literal IPv4 or IPv6 address, without brackets or a zone. */
  static boolean isIp(String value) {
    return value.indexOf('%') < 0 && InetAddresses.isInetAddress(value);
  }

  static Optional<String> address(String value) {
    return isIp(value) ? Optional.empty() : hostname(value).map(r -> "must be an IP or " + r);
  }

  static Optional<String> email(String value) {
    String address = value.strip();
    int open = address.lastIndexOf('<');
    if (open >= 0 && address.endsWith(">")) {
      address = address.substring(open + 1, address.length() - 1);
    }
    if (address.length() > 254) {
      return Optional.of("email address cannot exceed 254 characters");
    }
    int at = address.lastIndexOf('@');
    if (at <= 0) {
      return Optional.of("email address needs a local part and a domain");
    }
    String local = address.substring(0, at);
    if (local.length() > 64) {
      return Optional.of("email local part cannot exceed 64 characters");
    }
    if (!EMAIL_LOCAL.matcher(local).find()
        || local.startsWith(".")
        || local.endsWith(".")
        || local.contains("..")) {
      return Optional.of("email local part is malformed");
    }
    return hostname(address.substring(at + 1)).map(r -> "email domain: " + r);
  }

  static Optional<String> uri(String value) {
    try {
      return new URI(value).isAbsolute()
          ? Optional.empty()
          : Optional.of("must be an absolute URI (with a scheme)");
    } catch (URISyntaxException e) {
      return Optional.of("must be a URI: " + e.getMessage());
    }
  }

  static Optional<String> uriRef(String value) {
    try {
      new URI(value);
      return Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.of("must be a URI reference: " + e.getMessage());
    }
  }

  static boolean isUuid(String value) {
    return UUID.matcher(value).find();
  }
}
