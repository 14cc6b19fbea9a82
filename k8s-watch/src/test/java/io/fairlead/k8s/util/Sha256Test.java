package io.fairlead.k8s.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class Sha256Test {

  private static final String ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void knownVectorInEveryForm() {
    assertThat(Sha256.hex("abc")).isEqualTo(ABC);
    assertThat(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ABC);
    MessageDigest parts = Sha256.digest();
    parts.update((byte) 'a');
    parts.update("bc".getBytes(StandardCharsets.UTF_8));
    assertThat(Sha256.hex(parts)).isEqualTo(ABC);
    // finishing resets the digest
    assertThat(Sha256.hex(parts)).isEqualTo(Sha256.hex(new byte[0]));
  }

  @Test
  void textIsHashedAsUtf8() {
    assertThat(Sha256.hex("é")).isEqualTo(Sha256.hex(new byte[] {(byte) 0xc3, (byte) 0xa9}));
  }
}
