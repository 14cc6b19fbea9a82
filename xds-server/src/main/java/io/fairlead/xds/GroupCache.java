package io.fairlead.xds;

import io.envoyproxy.controlplane.cache.CacheStatusInfo;
import io.envoyproxy.controlplane.cache.DeltaCacheStatusInfo;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.fairlead.translators.ProxyContext;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * java-control-plane's SimpleCache, told to leave alone the delta watches of types whose version
 * did not change. On every {@code setSnapshot} the library compares every resource of every type
 * with the previous snapshot's before it looks at a delta watch (O(resources) per group and type,
 * whatever changed). For a type whose version is the same, every resource's version is the same
 * (the version is a hash over them, {@link HashedSnapshot}), so that comparison finds nothing and
 * no delta watch of the type is answered: skipping it changes no response.
 *
 * <p>It also feeds each snapshot to the group's delta ADS streams ({@link DeltaFeeds}), which
 * Fairlead serves itself; the library's delta watches remain for the non-aggregated delta services
 * only.
 */
final class GroupCache extends SimpleCache<ProxyContext> {

  private final DeltaFeeds feeds;

  GroupCache(NodeGroup<ProxyContext> groups) {
    this(groups, new DeltaFeeds());
  }

  GroupCache(NodeGroup<ProxyContext> groups, DeltaFeeds feeds) {
    super(groups);
    this.feeds = feeds;
  }

  DeltaFeeds feeds() {
    return feeds;
  }

  @Override
  public synchronized void setSnapshot(ProxyContext group, Snapshot snapshot) {
    super.setSnapshot(group, snapshot);
    feeds.published(group, snapshot);
  }

  /** Refused while the group has delta ADS streams too, as while it has library watches. */
  @Override
  public synchronized boolean clearSnapshot(ProxyContext group) {
    if (feeds.hasStreams(group) || !super.clearSnapshot(group)) {
      return false;
    }
    // A delta stream that joins meanwhile keeps the feed (and its last snapshot); its group is
    // then seen again, and published again, through the callbacks.
    feeds.forget(group);
    return true;
  }

  @Override
  protected void respondWithSpecificOrder(
      ProxyContext group,
      Snapshot previous,
      Snapshot snapshot,
      Map<ResourceType, CacheStatusInfo<ProxyContext>> statusMap,
      Map<ResourceType, DeltaCacheStatusInfo<ProxyContext>> deltaStatusMap) {
    Map<ResourceType, DeltaCacheStatusInfo<ProxyContext>> changed = deltaStatusMap;
    if (previous != null && !deltaStatusMap.isEmpty()) {
      changed = new EnumMap<>(ResourceType.class);
      for (Map.Entry<ResourceType, DeltaCacheStatusInfo<ProxyContext>> e :
          deltaStatusMap.entrySet()) {
        ResourceType type = e.getKey();
        if (!previous.version(type, List.of()).equals(snapshot.version(type, List.of()))) {
          changed.put(type, e.getValue());
        }
      }
    }
    super.respondWithSpecificOrder(group, previous, snapshot, statusMap, changed);
  }
}
