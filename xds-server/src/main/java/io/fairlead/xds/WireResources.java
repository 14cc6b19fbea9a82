package io.fairlead.xds;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.concurrent.ExecutionException;

/**
 * The delta wire form of a resource ({@code Resource}: name, content version, packed message), made
 * once per resource instance and shared by every stream and group that sends it. Keys are weak and
 * compared by identity: the publisher hands out one canonical instance per distinct content ({@link
 * ResourceDigests}), so a resource still in some snapshot keeps its entry, and one no snapshot
 * holds any more is collected with its entry.
 */
final class WireResources {

  private final Cache<Message, Resource> wire = CacheBuilder.newBuilder().weakKeys().build();

  Resource of(String name, VersionedResource<?> resource) {
    Message message = resource.resource();
    try {
      return wire.get(
          message,
          () ->
              Resource.newBuilder()
                  .setName(name)
                  .setVersion(resource.version())
                  .setResource(Any.pack(message))
                  .build());
    } catch (ExecutionException e) {
      throw new IllegalStateException("packing a resource cannot fail", e.getCause());
    }
  }
}
