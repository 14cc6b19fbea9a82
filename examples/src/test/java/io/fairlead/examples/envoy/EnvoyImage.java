package io.fairlead.examples.envoy;

/**
 * The one Envoy release the examples and the Envoy tests use; the manifest tests check that every
 * Envoy container in examples/kubernetes runs exactly this image. It has the typed load-balancing
 * policies (round_robin, least_request, random, ring_hash, maglev), the stateful_session filter
 * with cookie state and override_host_status.
 */
public final class EnvoyImage {

  public static final String NAME = "envoyproxy/envoy:v1.35.3";

  private EnvoyImage() {}
}
