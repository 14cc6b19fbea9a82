package io.fairlead.bench;

import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;

/**
 * A control plane under test, serving ADS on a loopback port, fed by the benchmark's driver thread.
 */
interface Target extends AutoCloseable {

  /** {@code fairlead} or {@code naive}: the mode's stable name in the JSON. */
  String mode();

  int port();

  /** Hands over the first, full state. */
  void load(KubeState state);

  /** Hands over a changed state. */
  void apply(KubeState state, Change change);

  /** Whether the first snapshot is set (the naive one is set by {@link #load}). */
  boolean ready();

  @Override
  void close();
}
