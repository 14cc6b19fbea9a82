package io.fairlead.k8s.events;

import java.util.Objects;
import java.util.Optional;

/**
 * The object an Event is about (its {@code involvedObject}).
 *
 * @param uid the object's uid when the state knows it; it ties the Event to this incarnation of the
 *     object, so a Service deleted and re-created under the same name gets fresh Events
 */
public record EventTarget(
    String kind, String apiVersion, String namespace, String name, Optional<String> uid) {

  public EventTarget {
    Objects.requireNonNull(kind);
    Objects.requireNonNull(apiVersion);
    Objects.requireNonNull(namespace);
    Objects.requireNonNull(name);
    Objects.requireNonNull(uid);
  }
}
