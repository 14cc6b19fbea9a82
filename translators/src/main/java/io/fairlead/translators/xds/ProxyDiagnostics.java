package io.fairlead.translators.xds;

import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Dependencies;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.TranslationSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * What is wrong with what a proxy declared about itself: diagnostics of its group, not of a
 * Kubernetes object (the Pod's annotation reached the control plane through node metadata).
 */
final class ProxyDiagnostics {

  /** The subject of these diagnostics: the proxy's node metadata, by key. */
  static Subject subject(String key) {
    return new Subject.Source("node metadata", key);
  }

  /** The node metadata key of the on-demand flag (spelt in envoy-bootstrap's NodeMetadataKeys). */
  static final String ON_DEMAND_KEY = "fairlead.io/on-demand";

  private ProxyDiagnostics() {}

  static List<Diagnostic> of(ProxyContext ctx, TranslationSettings settings) {
    List<Diagnostic> out = new ArrayList<>();
    ctx.dependencies().ifPresent(d -> out.addAll(dependencies(d, ctx)));
    if (ctx.onDemand() && settings.tracing().isPresent()) {
      out.add(
          Diagnostic.warning(
              Reason.NO_EFFECT,
              subject(ON_DEMAND_KEY),
              "an on-demand sidecar is not sent the trace collector's cluster (the tracer does not"
                  + " fetch clusters on demand), so its spans are dropped"));
    }
    return out;
  }

  private static List<Diagnostic> dependencies(Dependencies d, ProxyContext ctx) {
    List<Diagnostic> out = new ArrayList<>();
    String key = AnnotationRegistry.POD_DEPENDENCIES.fullName();
    for (Dependencies.Rejected r : d.rejected()) {
      out.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              subject(key),
              "'" + r.entry() + "' left out: " + r.reason() + "; the other entries apply"));
    }
    boolean nothing =
        d.services().isEmpty() && d.namespaces().isEmpty() && d.ownNamespaceServices().isEmpty();
    if (nothing && !d.rejected().isEmpty()) {
      out.add(
          Diagnostic.error(
              Reason.INVALID_VALUE,
              subject(key),
              "no entry is valid: the sidecar is sent no Service (never every Service) until the"
                  + " list is fixed"));
    }
    if (!d.ownNamespaceServices().isEmpty() && ctx.proxyNamespace().isEmpty()) {
      out.add(
          Diagnostic.warning(
              Reason.NO_EFFECT,
              subject(key),
              "bare names ("
                  + String.join(",", d.ownNamespaceServices())
                  + ") mean Services of the proxy's namespace, which is not known (fairlead"
                  + " bootstrap --namespace): they match nothing; write NAMESPACE/NAME"));
    }
    return out;
  }
}
