package io.fairlead.policies;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strict parsers for the value grammars annotations share. None of them throws. */
final class Values {

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** HTTP header names as Envoy's HTTP_HEADER_NAME rule accepts them (without pseudo-headers). */
  private static final Pattern HEADER_NAME = Pattern.compile("[0-9a-zA-Z!#$%&'*+\\-.^_|~`]+");

  /** Cookie and query parameter names: an RFC 6265 token. */
  private static final Pattern TOKEN = Pattern.compile("[0-9a-zA-Z!#$%&'*+\\-.^_|~`]+");

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern HOST =
      Pattern.compile(
          "(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:\\d{1,5})?|\\*");
  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*");

  /** Envoy rejects durations of 315576000000 seconds and more; keep far below. */
  static final long MAX_SECONDS = 100L * 365 * 24 * 3600;

  /** A host name's length limit (RFC 1035's 253 characters in text form). */
  static final int MAX_HOST_LENGTH = 253;

  private Values() {}

  /** Go-style durations: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h30m}. */
  static ParseResult<Duration> duration(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      return ParseResult.err("empty duration; expected e.g. 30s, 5m, 1h30m, 250ms");
    }
    Matcher m = DURATION_PART.matcher(t);
    int at = 0;
    Duration total = Duration.ZERO;
    while (at < t.length()) {
      if (!m.find(at) || m.start() != at) {
        return ParseResult.err(
            "'" + text + "' is not a duration; expected e.g. 30s, 5m, 1h30m, 250ms");
      }
      long n;
      try {
        n = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        return ParseResult.err("'" + text + "' is too large a duration");
      }
      if (n > MAX_SECONDS * 1000) {
        return ParseResult.err("'" + text + "' is too large a duration");
      }
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(Math.min(n, MAX_SECONDS));
                default -> Duration.ofHours(Math.min(n, MAX_SECONDS));
              });
      at = m.end();
    }
    if (total.getSeconds() > MAX_SECONDS) {
      return ParseResult.err("'" + text + "' is too large a duration (at most 100 years)");
    }
    return ParseResult.ok(total);
  }

  static ParseResult<Duration> positiveDuration(String text) {
    ParseResult<Duration> d = duration(text);
    if (d instanceof ParseResult.Ok<Duration> ok && ok.value().isZero()) {
      return ParseResult.err("'" + text + "' must be greater than zero");
    }
    return d;
  }

  static ParseResult<Long> integer(String text, long min, long max) {
    String t = text.trim();
    if (!t.matches("-?\\d{1,19}")) {
      return ParseResult.err("'" + text + "' is not an integer");
    }
    BigInteger v = new BigInteger(t);
    if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
      return ParseResult.err(
          "'"
              + text
              + "' is out of range; expected "
              + min
              + (max == Long.MAX_VALUE ? " or more" : " to " + max));
    }
    return ParseResult.ok(v.longValue());
  }

  static boolean isPrime(long n) {
    return n >= 2 && BigInteger.valueOf(n).isProbablePrime(50);
  }

  /** Header, cookie and query parameter names longer than this are refused. */
  static final int MAX_NAME_LENGTH = 256;

  static ParseResult<String> headerName(String text) {
    if (text.trim().length() > MAX_NAME_LENGTH) {
      return ParseResult.err(
          "a header name of " + text.trim().length() + " characters; at most " + MAX_NAME_LENGTH);
    }
    String t = text.trim();
    if (!HEADER_NAME.matcher(t).matches()) {
      return ParseResult.err("'" + text + "' is not a valid HTTP header name");
    }
    return ParseResult.ok(t.toLowerCase(java.util.Locale.ROOT));
  }

  static ParseResult<String> token(String text, String what) {
    String t = text.trim();
    if (t.length() > MAX_NAME_LENGTH) {
      return ParseResult.err(
          "a " + what + " of " + t.length() + " characters; at most " + MAX_NAME_LENGTH);
    }
    if (!TOKEN.matcher(t).matches()) {
      return ParseResult.err("'" + text + "' is not a valid " + what);
    }
    return ParseResult.ok(t);
  }

  static ParseResult<String> path(String text) {
    String t = text.trim();
    if (!PATH.matcher(t).matches()) {
      return ParseResult.err("'" + text + "' is not a path; it must start with '/'");
    }
    return ParseResult.ok(t);
  }

  private static final java.util.regex.Pattern LABEL_VALUE =
      java.util.regex.Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

  /** A non-empty Kubernetes label value, such as a {@code topology.kubernetes.io/zone}. */
  static ParseResult<String> labelValue(String text, String what) {
    String t = text.trim();
    if (!LABEL_VALUE.matcher(t).matches()) {
      return ParseResult.err(
          "'"
              + text
              + "' is not a "
              + what
              + " (a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)");
    }
    return ParseResult.ok(t);
  }

  static ParseResult<String> dnsLabel(String text) {
    String t = text.trim();
    if (!DNS_LABEL.matcher(t).matches()) {
      return ParseResult.err(
          "'" + text + "' is not a DNS label (lower-case letters, digits and '-')");
    }
    return ParseResult.ok(t);
  }

  static ParseResult<String> host(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.length() > MAX_HOST_LENGTH || !HOST.matcher(t).matches()) {
      return ParseResult.err("'" + text + "' is not a host name");
    }
    return ParseResult.ok(t);
  }

  /** A host name without wildcards, as a Host header carries it (an optional port allowed). */
  static ParseResult<String> plainHost(String text) {
    ParseResult<String> h = host(text);
    if (h instanceof ParseResult.Ok<String> ok && ok.value().startsWith("*")) {
      return ParseResult.err("'" + text + "' is a wildcard; a Host header names one host");
    }
    return h;
  }

  /** Splits a comma list, rejecting empty items. */
  static ParseResult<List<String>> list(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      if (item.isBlank()) {
        return ParseResult.err("'" + text + "' has an empty item");
      }
      items.add(item.trim());
    }
    return ParseResult.ok(items);
  }

  /** Parses {@code k=v,k=v}; keys must be among {@code allowed} and appear once. */
  static ParseResult<Map<String, String>> keyValues(
      String text, List<String> items, List<String> allowed) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String item : items) {
      int eq = item.indexOf('=');
      if (eq <= 0 || eq == item.length() - 1) {
        return ParseResult.err(
            "'" + item + "' is not key=value; keys: " + String.join(", ", allowed));
      }
      String k = item.substring(0, eq).trim();
      if (!allowed.contains(k)) {
        return ParseResult.err("unknown key '" + k + "'; keys: " + String.join(", ", allowed));
      }
      if (out.put(k, item.substring(eq + 1).trim()) != null) {
        return ParseResult.err("key '" + k + "' is given twice");
      }
    }
    return ParseResult.ok(out);
  }
}
