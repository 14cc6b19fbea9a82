package io.fairlead.xds;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.fairlead.k8s.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Content versions of resources: SHA-256 of their deterministic serialization, so versions are
 * stable across restarts. Equal resources (by identity or content) are serialized once per round
 * and share one canonical instance, which also lets the response serializer reuse its packed Any.
 * Not thread-safe: the publisher drives it under its lock ({@link #prepare} uses the common pool
 * inside one call).
 */
final class ResourceDigests {

  /** A resource with its content version. */
  record Digested<T extends Message>(T resource, String version) {}

  /** 128 bits (32 hex digits): plenty against collisions, short enough to read in logs. */
  private static final int VERSION_DIGITS = 32;

  private Map<Message, Digested<?>> previous = new HashMap<>();
  private Map<Message, Digested<?>> current = new HashMap<>();
  // By instance first: the incremental translator hands back the same objects for what did not
  // change, so most lookups end here without comparing contents.
  private Map<Message, Digested<?>> previousById = new IdentityHashMap<>();
  private Map<Message, Digested<?>> currentById = new IdentityHashMap<>();
  private long serializations;

  /** Versions computed ahead by {@link #prepare}, by instance, until {@link #digest} asks. */
  private Map<Message, String> prepared = new IdentityHashMap<>();

  /** Below this many resources unknown to the caches, {@link #prepare} leaves them to digest. */
  static final int PARALLEL_DIGESTS = 256;

  /** Starts a publish round: resources of the last round are reused, older ones forgotten. */
  void nextRound() {
    previous = current;
    current = new HashMap<>();
    previousById = currentById;
    currentById = new IdentityHashMap<>();
    prepared = new IdentityHashMap<>();
  }

  /**
   * Computes ahead, on the common pool as well as this thread, the versions of those of {@code
   * resources} the caches do not know, when they are many (a group's first state): serializing and
   * hashing is most of a first snapshot's cost. {@link #digest} then gives what it would have given
   * without this call, versions, canonical instances and counts alike.
   */
  void prepare(Collection<? extends Message> resources) {
    List<Message> unknown = new ArrayList<>();
    Map<Message, Boolean> listed = new IdentityHashMap<>();
    for (Message r : resources) {
      if (!currentById.containsKey(r)
          && !previousById.containsKey(r)
          && !prepared.containsKey(r)
          && listed.put(r, Boolean.TRUE) == null) {
        unknown.add(r);
      }
    }
    if (unknown.size() < PARALLEL_DIGESTS) {
      return;
    }
    String[] versions = new String[unknown.size()];
    IntStream.range(0, versions.length)
        .parallel()
        .forEach(i -> versions[i] = version(serialize(unknown.get(i))));
    for (int i = 0; i < versions.length; i++) {
      prepared.put(unknown.get(i), versions[i]);
    }
  }

  @SuppressWarnings("unchecked")
  <T extends Message> Digested<T> digest(T resource) {
    Digested<?> known = currentById.get(resource);
    if (known == null) {
      known = previousById.get(resource);
      if (known == null) {
        known = byContent(resource);
      } else {
        current.putIfAbsent(known.resource(), known);
      }
      currentById.put(resource, known);
    }
    return (Digested<T>) known;
  }

  private Digested<?> byContent(Message resource) {
    Digested<?> known = current.get(resource);
    if (known == null) {
      known = previous.get(resource);
      if (known == null) {
        serializations++;
        String version = prepared.remove(resource);
        known = new Digested<>(resource, version != null ? version : version(serialize(resource)));
      }
      current.put(resource, known);
    }
    return known;
  }

  /** How many resources were serialized so far; the rest were served by the caches. */
  long serializations() {
    return serializations;
  }

  private static byte[] serialize(Message resource) {
    byte[] bytes = new byte[resource.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    // Map fields would otherwise be written in insertion order.
    out.useDeterministicSerialization();
    try {
      resource.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("serializing into an array cannot fail", e);
    }
    return bytes;
  }

  /** A name with its version, hashed to 128 bits (two longs) for a type's additive version. */
  static long[] nameHash(String name, String version) {
    MessageDigest sha = Sha256.digest();
    sha.update(name.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(version.getBytes(StandardCharsets.UTF_8));
    byte[] d = sha.digest();
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = high << 8 | (d[i] & 0xff);
      low = low << 8 | (d[8 + i] & 0xff);
    }
    return new long[] {high, low};
  }

  /** A type's version from its two sums: 32 hex digits. */
  static String hex(long high, long low) {
    return String.format("%016x%016x", high, low);
  }

  private static String version(byte[] bytes) {
    return Sha256.hex(bytes).substring(0, VERSION_DIGITS);
  }
}
