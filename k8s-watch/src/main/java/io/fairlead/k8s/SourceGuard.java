package io.fairlead.k8s;

import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.KubeState;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps a source from withdrawing the world because of a glitch: a directory emptied or replaced, a
 * mount that went away, a list that came back empty. A state with no Service at all, after one with
 * Services, is held back unless the operator allows an empty source. A state that lost more than a
 * share of the Services at once is held until reads over a confirmation period keep showing it.
 * Meanwhile the last delivered state keeps being served and the source is degraded.
 *
 * <p>Not thread-safe: a source calls it from its one event thread.
 */
public final class SourceGuard {

  /**
   * @param allowEmpty deliver a state with no Service at all (the operator said so)
   * @param maxLossPercent the largest share of the Services one change may remove unconfirmed
   * @param confirmAfter how long a larger loss must keep being read before it is delivered
   */
  public record Settings(boolean allowEmpty, int maxLossPercent, Duration confirmAfter) {
    public static final Settings DEFAULT = new Settings(false, 50, Duration.ofSeconds(30));

    public Settings {
      if (maxLossPercent < 0 || maxLossPercent > 100) {
        throw new IllegalArgumentException(
            "the largest share of Services lost at once must be 0 to 100 percent");
      }
      if (confirmAfter.isNegative()) {
        throw new IllegalArgumentException("the confirmation period must not be negative");
      }
    }
  }

  /** The source's key in diagnostics about itself. */
  public static final String KEY = "source";

  private final Settings settings;
  private final String source;
  private long heldSince = -1;
  private Optional<Diagnostic> holding = Optional.empty();

  public SourceGuard(Settings settings, String source) {
    this.settings = settings;
    this.source = source;
  }

  /**
   * Whether {@code candidate} may replace {@code delivered}. When it may not, {@link #holding()}
   * says why, as an error diagnostic.
   */
  public boolean admit(KubeState delivered, KubeState candidate, long nowNanos) {
    return admit(delivered, candidate, delivered.services().keySet(), nowNanos);
  }

  /**
   * As {@link #admit(KubeState, KubeState, long)}, for a source that knows which Services changed
   * since {@code delivered}: only those can be lost, so the check costs O(changed), not O(world).
   */
  public boolean admit(
      KubeState delivered, KubeState candidate, Set<ObjectRef> changed, long nowNanos) {
    int before = delivered.services().size();
    int after = candidate.services().size();
    if (before == 0) {
      return release();
    }
    if (after == 0 && !settings.allowEmpty()) {
      return hold(
          nowNanos,
          "reads no Service at all after "
              + before
              + "; keeping the last good state (serve --allow-empty-source accepts an empty source)");
    }
    long lost =
        changed.stream()
            .filter(r -> delivered.services().containsKey(r))
            .filter(r -> !candidate.services().containsKey(r))
            .count();
    if (after > 0 && lost >= 2 && lost * 100 > (long) settings.maxLossPercent() * before) {
      if (heldSince < 0) {
        heldSince = nowNanos;
      }
      if (nowNanos - heldSince >= settings.confirmAfter().toNanos()) {
        return release();
      }
      return hold(
          nowNanos,
          "lost "
              + lost
              + " of "
              + before
              + " Services at once (more than "
              + settings.maxLossPercent()
              + "%); keeping the last good state until reads over "
              + settings.confirmAfter().toSeconds()
              + " s confirm it (serve --max-source-loss, --source-loss-confirm)");
    }
    return release();
  }

  /** Why the last candidate was held back, if it was. */
  public Optional<Diagnostic> holding() {
    return holding;
  }

  private boolean hold(long nowNanos, String why) {
    if (heldSince < 0) {
      heldSince = nowNanos;
    }
    holding =
        Optional.of(Diagnostic.error(Reason.SOURCE_HELD, new Subject.Source(source, KEY), why));
    return false;
  }

  private boolean release() {
    heldSince = -1;
    holding = Optional.empty();
    return true;
  }
}
