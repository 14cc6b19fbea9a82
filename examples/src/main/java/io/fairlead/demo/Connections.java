package io.fairlead.demo;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** Connections each pod had accepted at one moment, to count the new ones since. */
record Connections(SortedMap<String, Long> accepted) {

  Connections {
    accepted = Collections.unmodifiableSortedMap(new TreeMap<>(accepted));
  }

  static Connections of(DemoEnvironment env) {
    SortedMap<String, Long> accepted = new TreeMap<>();
    env.backends.all().forEach(b -> accepted.put(b.name(), b.connectionsAccepted()));
    return new Connections(accepted);
  }

  /** Connections accepted since {@code earlier}, per pod. */
  SortedMap<String, Long> since(Connections earlier) {
    SortedMap<String, Long> delta = new TreeMap<>();
    accepted.forEach((pod, n) -> delta.put(pod, n - earlier.accepted.getOrDefault(pod, 0L)));
    return delta;
  }
}
