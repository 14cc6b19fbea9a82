package io.fairlead.xds;

import java.time.Instant;
import java.util.Optional;

/**
 * A response a proxy rejected.
 *
 * @param rejectedVersion the version of the rejected response, when it is still known
 * @param message the proxy's {@code error_detail} message
 */
public record Nack(
    String typeUrl, Optional<String> rejectedVersion, String nonce, String message, Instant at) {}
