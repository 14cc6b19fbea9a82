package io.fairlead.k8s.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 in lower-case hex: file contents, Event names and resource versions. */
public final class Sha256 {

  private static final HexFormat HEX = HexFormat.of();

  private Sha256() {}

  /** A fresh digest, for hashing in parts; finish it with {@link #hex(MessageDigest)}. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The 64 hex digits of the hash of these bytes. */
  public static String hex(byte[] data) {
    return HEX.formatHex(digest().digest(data));
  }

  /** The 64 hex digits of the hash of this text in UTF-8. */
  public static String hex(String text) {
    return hex(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The 64 hex digits of what was fed to this digest; the digest is reset. */
  public static String hex(MessageDigest digest) {
    return HEX.formatHex(digest.digest());
  }
}
