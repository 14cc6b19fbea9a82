package io.fairlead.translators;

import io.fairlead.policies.Diagnostic;
import java.util.List;
import java.util.Objects;

/**
 * What a source hands over, in one value: the state, what changed since the last update, and the
 * source's own diagnostics about that state (a broken manifest, a state held back). An update whose
 * change is empty carries new diagnostics only.
 */
public record SourceUpdate(KubeState state, Change change, List<Diagnostic> diagnostics) {

  public SourceUpdate {
    Objects.requireNonNull(state);
    Objects.requireNonNull(change);
    diagnostics = List.copyOf(diagnostics);
  }

  /** An update from a source with nothing to say about its state. */
  public static SourceUpdate of(KubeState state, Change change) {
    return new SourceUpdate(state, change, List.of());
  }
}
