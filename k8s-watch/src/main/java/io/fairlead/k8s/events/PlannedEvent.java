package io.fairlead.k8s.events;

import io.fairlead.policies.Diagnostic;

/**
 * One Event to write for one diagnostic.
 *
 * @param name the Event's metadata.name, derived from a hash of the diagnostic and its target so
 *     every replica and every restart picks the same name
 * @param type {@code Warning} or {@code Normal}
 */
public record PlannedEvent(
    String name,
    EventTarget target,
    String type,
    String reason,
    String message,
    Diagnostic diagnostic) {}
