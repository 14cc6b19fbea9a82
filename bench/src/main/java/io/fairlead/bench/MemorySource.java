package io.fairlead.bench;

import io.fairlead.k8s.KubeSource;
import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.SourceUpdate;
import java.util.List;

/**
 * A source the benchmark feeds by hand, in place of a cluster or a directory: the benchmark's
 * driver thread hands each state over as the source's single event thread would. It leaves file
 * parsing and the directory source's settling out of the figures, so they measure the control plane
 * itself.
 */
final class MemorySource implements KubeSource {

  private volatile Listener listener;
  private volatile boolean synced;

  @Override
  public void start(Listener listener) {
    this.listener = listener;
  }

  /** Hands an update to the server, on the caller's thread (one thread, in order). */
  void deliver(SourceUpdate update) {
    synced = true;
    listener.onChange(update);
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public List<Diagnostic> diagnostics() {
    return List.of();
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "the benchmark's world";
  }
}
