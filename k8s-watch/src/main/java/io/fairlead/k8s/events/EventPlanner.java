package io.fairlead.k8s.events;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fairlead.k8s.util.Sha256;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.KubeState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which Events the current diagnostics call for. Pure: the same diagnostics and state give the same
 * Events, names included.
 *
 * <p>Errors and warnings become {@code Warning} Events. Info diagnostics (a Service without
 * EndpointSlices yet, a headless Service, an ExternalName Service) describe normal states, not
 * mistakes; as Events they would sit on most Services of a cluster, so they are left out.
 *
 * <p>A diagnostic is attached to the Service named by its {@code namespace/name} object, or else to
 * the EndpointSlice of that name (orphan slices). Other objects (manifest file paths, node groups
 * of a failed translation) name nothing in the cluster and are skipped.
 */
public final class EventPlanner {

  public static final String WARNING = "Warning";

  /** Kubernetes caps an Event's note at 1 KiB. */
  static final int MAX_MESSAGE = 1024;

  private static final int HASH_CHARS = 16;
  private static final int MAX_NAME = 253;

  private EventPlanner() {}

  /** One Event per distinct (target, key, severity, message), in the diagnostics' order. */
  public static List<PlannedEvent> plan(List<Diagnostic> diagnostics, KubeState state) {
    Map<String, PlannedEvent> byName = new LinkedHashMap<>();
    for (Diagnostic d : diagnostics) {
      if (d.severity() == Severity.INFO) {
        continue;
      }
      if (d.subject() instanceof Subject.Kube k) {
        podTarget(d, k, state)
            .or(() -> target(k.ref(), state))
            .ifPresent(t -> byName.putIfAbsent(eventName(t, d), planned(t, d)));
      }
    }
    return List.copyOf(byName.values());
  }

  /** Reason of the Event for an xDS stream refused because its node claims another namespace. */
  public static final String IDENTITY_REFUSED = "IdentityRefused";

  /**
   * The Event for an xDS stream refused for its identity, on the ServiceAccount its client
   * certificate names: the namespace's owners see which workload's proxy claims what.
   */
  public static PlannedEvent identityRefused(
      String namespace, String serviceAccount, String message) {
    EventTarget target =
        new EventTarget("ServiceAccount", "v1", namespace, serviceAccount, Optional.empty());
    Diagnostic d =
        Diagnostic.error(
            Reason.IDENTITY_REFUSED,
            Subject.of(new ObjectRef(namespace, serviceAccount), "xds-identity"),
            message);
    String note =
        message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    return new PlannedEvent(eventName(target, d), target, WARNING, IDENTITY_REFUSED, note, d);
  }

  /**
   * The Event for a source that holds back what it reads (degraded) or has stopped (stalled), on
   * the replica's own Pod: each replica has its own source, so it reports its own.
   */
  public static Optional<PlannedEvent> sourceHealth(
      EventTarget self, io.fairlead.k8s.KubeSource.Health health) {
    if (!health.degraded() && !health.stalled()) {
      return Optional.empty();
    }
    String reason = health.stalled() ? "SourceStalled" : "SourceDegraded";
    String message =
        health
            .reason()
            .orElse(health.stalled() ? "the source makes no progress" : "the source is degraded");
    Diagnostic d =
        Diagnostic.error(
            Reason.SOURCE_HELD,
            Subject.of(new ObjectRef(self.namespace(), self.name()), "source"),
            message);
    String note =
        message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    return Optional.of(new PlannedEvent(eventName(self, d), self, WARNING, reason, note, d));
  }

  /**
   * The Pod a diagnostic about a Pod's {@code fairlead.io/weight} names (it does not parse). The
   * source keeps no uid of a Pod, so the Event names the Pod without one.
   */
  static Optional<EventTarget> podTarget(Diagnostic d, Subject.Kube k, KubeState state) {
    if (d.reason() != Reason.INVALID_VALUE
        || !k.key().equals(AnnotationRegistry.POD_WEIGHT.fullName())
        || !state.pods().containsKey(k.ref())) {
      return Optional.empty();
    }
    return Optional.of(
        new EventTarget("Pod", "v1", k.ref().namespace(), k.ref().name(), Optional.empty()));
  }

  /** The Service, else the EndpointSlice, that a diagnostic's object names in the state. */
  public static Optional<EventTarget> target(ObjectRef ref, KubeState state) {
    HasMetadata service = state.services().get(ref);
    if (service != null) {
      return Optional.of(
          new EventTarget("Service", "v1", ref.namespace(), ref.name(), uid(service)));
    }
    HasMetadata slice = state.endpointSlices().get(ref);
    if (slice != null) {
      return Optional.of(
          new EventTarget(
              "EndpointSlice", "discovery.k8s.io/v1", ref.namespace(), ref.name(), uid(slice)));
    }
    return Optional.empty();
  }

  /**
   * {@code <object name>.<16 hex digits>}, like the names kubectl and client-go give Events; the
   * digits hash everything that makes the Event distinct.
   */
  public static String eventName(EventTarget target, Diagnostic d) {
    String hash =
        Sha256.hex(
            String.join(
                "\0",
                target.kind(),
                target.namespace(),
                target.name(),
                target.uid().orElse(""),
                d.severity().name(),
                d.key(),
                d.message()));
    String prefix = target.name();
    int room = MAX_NAME - HASH_CHARS - 1;
    if (prefix.length() > room) {
      prefix = prefix.substring(0, room).replaceAll("[.-]+$", "");
    }
    return prefix + "." + hash.substring(0, HASH_CHARS);
  }

  /** The Event reason: the diagnostic's reason code, in the API's UpperCamelCase. */
  public static String reason(Diagnostic d) {
    return d.reason().eventReason();
  }

  private static PlannedEvent planned(EventTarget target, Diagnostic d) {
    String message = d.key() + ": " + d.message();
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 3) + "...";
    }
    return new PlannedEvent(eventName(target, d), target, WARNING, reason(d), message, d);
  }

  private static Optional<String> uid(HasMetadata object) {
    return Optional.ofNullable(object.getMetadata().getUid()).filter(u -> !u.isEmpty());
  }
}
