package io.fairlead.k8s;

import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.KubeState;
import java.util.List;

/** Objects read from manifests, with what was noticed on the way (ignored kinds, duplicates). */
public record LoadResult(KubeState state, List<Diagnostic> diagnostics) {

  public LoadResult {
    diagnostics = diagnostics.stream().sorted().toList();
  }
}
