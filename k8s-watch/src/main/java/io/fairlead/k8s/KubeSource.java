package io.fairlead.k8s;

import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.SourceUpdate;
import java.util.List;
import java.util.Optional;

/**
 * Where Services and EndpointSlices come from: informers on a cluster or a directory of manifests.
 * A source produces immutable {@link KubeState} views, in order, from one thread.
 */
public interface KubeSource extends AutoCloseable {

  /**
   * Starts watching. The listener gets the first state (with {@link Change#full()} set) only once
   * every underlying source has synced, then one call per change that matters downstream. Calls
   * come from a single thread, in order. May be called once.
   */
  void start(Listener listener);

  /** True once the first full state has been handed to the listener. */
  boolean hasSynced();

  /**
   * Problems with the source itself (for example a broken manifest file), sorted. Live: read it
   * from the listener to get the diagnostics that go with the state being delivered.
   */
  List<Diagnostic> diagnostics();

  /**
   * How the source is doing right now: whether it holds back a state it does not trust (degraded,
   * still serving the last good one), and whether it has stopped making progress.
   */
  default Health health() {
    return Health.OK;
  }

  /**
   * @param degraded the source serves its last good state and holds back what it reads now
   * @param stalled the source's thread has made no progress for far longer than it should
   * @param reason what is wrong, in one line
   */
  record Health(boolean degraded, boolean stalled, Optional<String> reason) {
    public static final Health OK = new Health(false, false, Optional.empty());
  }

  /** Stops watching; the listener gets no more calls once this returns. */
  @Override
  void close();

  @FunctionalInterface
  interface Listener {
    /** The state, what changed, and the source's diagnostics about that state, in one value. */
    void onChange(SourceUpdate update);
  }
}
