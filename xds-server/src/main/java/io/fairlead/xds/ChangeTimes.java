package io.fairlead.xds;

import io.fairlead.translators.ProxyContext;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When the source changed, carried through to the ACKs it causes, for the change → ACK latency: the
 * earliest change not yet published; then, per group and type, when the last publish happened and
 * the change it published.
 */
final class ChangeTimes {

  /** A publish of one type to one group, and the earliest change it carried. */
  private record Stamp(Instant publishedAt, Instant changedAt) {}

  private record Key(ProxyContext group, String typeUrl) {}

  private final AtomicReference<Instant> pendingSince = new AtomicReference<>();
  private final Map<Key, Stamp> stamps = new ConcurrentHashMap<>();

  void changed(Instant at) {
    pendingSince.accumulateAndGet(at, (old, now) -> old == null || now.isBefore(old) ? now : old);
  }

  /** The earliest change since the last call, if any; a publish takes it. */
  Optional<Instant> takePending() {
    return Optional.ofNullable(pendingSince.getAndSet(null));
  }

  void published(ProxyContext group, String typeUrl, Instant publishedAt, Instant changedAt) {
    stamps.put(new Key(group, typeUrl), new Stamp(publishedAt, changedAt));
  }

  /** The change a response carried, when it was sent after the last publish of its type. */
  Optional<Instant> changeBehind(ProxyContext group, String typeUrl, Instant sentAt) {
    Stamp s = stamps.get(new Key(group, typeUrl));
    return s == null || sentAt.isBefore(s.publishedAt())
        ? Optional.empty()
        : Optional.of(s.changedAt());
  }
}
