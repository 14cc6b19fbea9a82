package io.fairlead.translators.model;

/** Endpoint condition, mapped from the EndpointSlice conditions. */
public enum EndpointHealth {
  /** ready: gets new traffic. */
  HEALTHY,
  /** serving and terminating: keeps existing sessions, gets no new ones. */
  DRAINING,
  /** not serving: gets no traffic. */
  UNHEALTHY
}
