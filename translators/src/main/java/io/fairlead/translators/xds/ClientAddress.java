package io.fairlead.translators.xds;

/**
 * Whose address a proxy hashes when a port hashes on {@code source-ip}. It must be one that the
 * client cannot choose: Envoy's {@code connection_properties.source_ip} hashes the stream's remote
 * address, which an HTTP connection manager without {@code use_remote_address} takes from the last
 * X-Forwarded-For entry (docs/envoy-semantics.md, "Client address").
 */
enum ClientAddress {
  /**
   * Sidecar: the connection's peer, the app itself. The sidecar stays transparent (X-Forwarded-For
   * and the request id pass untouched), so source-ip goes through the subnet script, which reads
   * {@code downstreamDirectRemoteAddress()}, also for the whole address.
   */
  PEER,
  /**
   * Gateway: the client as the connection manager derives it with {@code use_remote_address}: the
   * peer, the PROXY protocol source, or the entry {@code xff_num_trusted_hops} points at.
   */
  DERIVED;

  /** The route metadata value the subnet script reads. */
  String scriptName() {
    return this == PEER ? "peer" : "derived";
  }
}
