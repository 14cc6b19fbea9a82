package io.fairlead.xds;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The delta wire form of a resource ({@code Resource}: name, content version, packed message), made
 * once per resource instance and shared by every stream and group that sends it. Keys are weak and
 * compared by identity: the publisher hands out one canonical instance per distinct content ({@link
 * ResourceDigests}), so a resource still in some snapshot keeps its entry, and one no snapshot
 * holds any more is collected with its entry.
 *
 * <p>Its text fields (name, version, the {@code Any}'s type URL) are held as UTF-8 bytes, so each
 * of the many responses that carry it copies them instead of encoding the strings again: a response
 * of a thousand resources serializes in about half the time (bench {@code SerializeLoop}). The
 * message is the same (equal, and the same bytes) as one built from the strings.
 */
final class WireResources {

  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";

  private final Cache<Message, Resource> wire = CacheBuilder.newBuilder().weakKeys().build();
  private final Map<Descriptor, ByteString> typeUrls = new ConcurrentHashMap<>();

  Resource of(String name, VersionedResource<?> resource) {
    Message message = resource.resource();
    try {
      return wire.get(
          message,
          () ->
              Resource.newBuilder()
                  .setNameBytes(ByteString.copyFromUtf8(name))
                  .setVersionBytes(ByteString.copyFromUtf8(resource.version()))
                  .setResource(pack(message))
                  .build());
    } catch (ExecutionException e) {
      throw new IllegalStateException("packing a resource cannot fail", e.getCause());
    }
  }

  /** As {@link Any#pack(Message)}, the type URL as shared bytes. */
  private Any pack(Message message) {
    ByteString typeUrl =
        typeUrls.computeIfAbsent(
            message.getDescriptorForType(),
            d -> ByteString.copyFromUtf8(TYPE_URL_PREFIX + d.getFullName()));
    return Any.newBuilder().setTypeUrlBytes(typeUrl).setValue(message.toByteString()).build();
  }
}
