package io.fairlead.xds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Responses held for a client that does not read, at most one per resource type: a newer response
 * for a type replaces (state of the world) or is merged into (delta) the one waiting. The client
 * then receives only the newest version of each type when it reads again, and the server never
 * holds more than one response per type for it, however many versions went by.
 *
 * <p>Replacing is what the protocol allows: a state-of-the-world response carries the whole state
 * of its type (or of the names asked for), and the server's record of "the last response sent" is
 * already the newest one, which is the one the client will acknowledge. Delta responses are merged:
 * resources by name, newer wins; a name removed after being added is removed, one added after being
 * removed is added; the nonce and system version are the newest.
 *
 * <p>Types keep the order they were first held in, so clusters still go before their endpoints. Not
 * thread-safe: the caller holds the lock it also sends under.
 */
final class LatestResponses {

  private final Map<String, Object> byType = new LinkedHashMap<>();
  private long merged;

  boolean isEmpty() {
    return byType.isEmpty();
  }

  /** Responses replaced or merged away since this stream began. */
  long merged() {
    return merged;
  }

  /** Holds {@code message}, replacing or merging an older response of its type. */
  void hold(Object message) {
    String key = key(message);
    Object older = byType.get(key);
    if (older == null) {
      byType.put(key, message);
      return;
    }
    merged++;
    if (older instanceof DeltaDiscoveryResponse o && message instanceof DeltaDiscoveryResponse n) {
      byType.put(key, merge(o, n));
    } else {
      byType.put(key, message);
    }
  }

  /** What is held, in order, leaving nothing held. */
  List<Object> drain() {
    List<Object> out = new ArrayList<>(byType.values());
    byType.clear();
    return out;
  }

  private static String key(Object message) {
    if (message instanceof DiscoveryResponse r) {
      return "sotw " + r.getTypeUrl();
    }
    if (message instanceof DeltaDiscoveryResponse r) {
      return "delta " + r.getTypeUrl();
    }
    // Not an xDS response (no such method is served today): never merged with anything.
    return "other " + System.identityHashCode(message);
  }

  static DeltaDiscoveryResponse merge(DeltaDiscoveryResponse older, DeltaDiscoveryResponse newer) {
    Map<String, Resource> resources = new LinkedHashMap<>();
    Set<String> removed = new LinkedHashSet<>();
    for (Resource r : older.getResourcesList()) {
      resources.put(r.getName(), r);
    }
    removed.addAll(older.getRemovedResourcesList());
    for (String name : newer.getRemovedResourcesList()) {
      resources.remove(name);
      removed.add(name);
    }
    for (Resource r : newer.getResourcesList()) {
      removed.remove(r.getName());
      resources.put(r.getName(), r);
    }
    return newer.toBuilder()
        .clearResources()
        .addAllResources(resources.values())
        .clearRemovedResources()
        .addAllRemovedResources(removed)
        .build();
  }
}
