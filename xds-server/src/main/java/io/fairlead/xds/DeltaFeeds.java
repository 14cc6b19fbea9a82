package io.fairlead.xds;

import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.fairlead.translators.ProxyContext;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What each node group's delta streams are fed: the group's latest snapshot, numbered, and a short
 * log of the names each recent snapshot changed. A stream remembers the numbered snapshot its proxy
 * was last brought to, so what it must send next is the names changed since then: O(changes) per
 * stream and publish, not O(resources), and every stream at the same snapshot shares that
 * snapshot's version maps instead of copying them (see {@link DeltaStream}).
 */
final class DeltaFeeds {

  /** How many publishes of a group the change log covers; a stream further behind diffs in full. */
  static final int LOG_LENGTH = 64;

  static final List<ResourceType> TYPES =
      List.of(
          ResourceType.CLUSTER, ResourceType.ENDPOINT, ResourceType.LISTENER, ResourceType.ROUTE);

  private final ConcurrentMap<ProxyContext, Feed> feeds = new ConcurrentHashMap<>();

  /** A stream of {@code group} starts following it; it hears of each publish from then on. */
  Feed join(ProxyContext group, DeltaStream stream) {
    return feeds.compute(
        group,
        (g, feed) -> {
          Feed f = feed == null ? new Feed() : feed;
          f.streams.add(stream);
          return f;
        });
  }

  void leave(ProxyContext group, DeltaStream stream) {
    Feed feed = feeds.get(group);
    if (feed != null) {
      feed.streams.remove(stream);
    }
  }

  /** A new snapshot for the group: its delta streams send what changed. */
  void published(ProxyContext group, Snapshot snapshot) {
    Feed feed = feeds.computeIfAbsent(group, g -> new Feed());
    feed.publish(snapshot);
    for (DeltaStream stream : feed.streams) {
      stream.published();
    }
  }

  /** Forgets a group without delta streams; false (and nothing forgotten) while it has some. */
  boolean forget(ProxyContext group) {
    Feed left = feeds.computeIfPresent(group, (g, feed) -> feed.streams.isEmpty() ? null : feed);
    return left == null;
  }

  /** Whether a group has delta streams open. */
  boolean hasStreams(ProxyContext group) {
    Feed feed = feeds.get(group);
    return feed != null && !feed.streams.isEmpty();
  }

  /** A group's latest snapshot and its number in the group's sequence of publishes. */
  record Latest(Snapshot snapshot, long serial) {}

  /** One group's feed. */
  static final class Feed {
    final Set<DeltaStream> streams = ConcurrentHashMap.newKeySet();
    private volatile Latest latest;
    private final Deque<Entry> log = new ArrayDeque<>();

    /**
     * Names that may have changed, per type, from snapshot {@code serial - 1} to {@code serial}.
     */
    private record Entry(long serial, Map<ResourceType, Set<String>> names) {}

    Optional<Latest> latest() {
      return Optional.ofNullable(latest);
    }

    private synchronized void publish(Snapshot snapshot) {
      Latest previous = latest;
      long serial = previous == null ? 1 : previous.serial() + 1;
      if (previous != null) {
        log.addLast(new Entry(serial, changed(previous.snapshot(), snapshot)));
        while (log.size() > LOG_LENGTH) {
          log.removeFirst();
        }
      }
      latest = new Latest(snapshot, serial);
    }

    /**
     * The names of {@code type} whose version may differ between snapshot {@code from} (numbered
     * {@code fromSerial}) and {@code to}: from the log when it covers the way, else by comparing
     * the two in full (a stream that fell more than {@link #LOG_LENGTH} publishes behind).
     */
    Collection<String> changedBetween(
        Snapshot from, long fromSerial, Latest to, ResourceType type) {
      Map<String, ? extends VersionedResource<?>> a = resources(from, type);
      Map<String, ? extends VersionedResource<?>> b = resources(to.snapshot(), type);
      if (a == b || fromSerial == to.serial()) {
        return List.of();
      }
      synchronized (this) {
        if (!log.isEmpty() && log.peekFirst().serial() <= fromSerial + 1) {
          Set<String> names = new HashSet<>();
          for (Iterator<Entry> it = log.descendingIterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.serial() <= fromSerial) {
              break;
            }
            if (e.serial() <= to.serial()) {
              names.addAll(e.names().getOrDefault(type, Set.of()));
            }
          }
          return names;
        }
      }
      return diff(a, b);
    }

    private static Map<ResourceType, Set<String>> changed(Snapshot before, Snapshot after) {
      Map<ResourceType, Set<String>> names = new EnumMap<>(ResourceType.class);
      Optional<HashedSnapshot.Changes> known =
          after instanceof HashedSnapshot h && before instanceof HashedSnapshot b
              ? h.changes().filter(c -> c.from() == b.resourcesId())
              : Optional.empty();
      for (ResourceType type : TYPES) {
        Map<String, ? extends VersionedResource<?>> a = resources(before, type);
        Map<String, ? extends VersionedResource<?>> b = resources(after, type);
        if (a == b) {
          continue;
        }
        names.put(
            type,
            known.isPresent() ? known.get().names().getOrDefault(type, Set.of()) : diff(a, b));
      }
      return names;
    }

    private static Set<String> diff(
        Map<String, ? extends VersionedResource<?>> a,
        Map<String, ? extends VersionedResource<?>> b) {
      Set<String> names = new HashSet<>();
      a.forEach(
          (name, r) -> {
            VersionedResource<?> other = b.get(name);
            if (other == null || !Objects.equals(other.version(), r.version())) {
              names.add(name);
            }
          });
      b.forEach(
          (name, r) -> {
            if (!a.containsKey(name)) {
              names.add(name);
            }
          });
      return names;
    }
  }

  /** A snapshot's resources of one type, by name. */
  @SuppressWarnings("unchecked")
  static Map<String, ? extends VersionedResource<?>> resources(
      Snapshot snapshot, ResourceType type) {
    if (snapshot instanceof HashedSnapshot h) {
      return h.typed(type);
    }
    return (Map<String, ? extends VersionedResource<?>>)
        (Map<String, ?>) snapshot.versionedResources(type);
  }
}
