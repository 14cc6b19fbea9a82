package io.fairlead.policies;

import java.time.Duration;

/** Strong affinity through Envoy's stateful-session filter: the session names the endpoint. */
public sealed interface SessionPersistence {

  String name();

  /**
   * The endpoint is carried in a cookie; {@code ttl} is the persistence timeout, zero for a session
   * cookie.
   */
  record Cookie(String name, Duration ttl, String path) implements SessionPersistence {}

  /** The endpoint is carried in a request/response header, which the client must echo back. */
  record Header(String name) implements SessionPersistence {}
}
