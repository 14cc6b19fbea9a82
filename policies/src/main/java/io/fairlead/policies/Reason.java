package io.fairlead.policies;

/**
 * Why a diagnostic was raised, as a code: Events use {@link #eventReason()}, metrics count by it,
 * and tests match on it rather than on the message.
 */
public enum Reason {
  /** An annotation value that does not parse or is too long; the setting falls back. */
  INVALID_VALUE("InvalidAnnotation"),
  /** A {@code fairlead.io/} key the registry does not know; the message names the closest one. */
  UNKNOWN_ANNOTATION("UnknownAnnotation"),
  /** A per-port key ({@code KEY.PORTNAME}) naming no port of the Service. */
  UNKNOWN_PORT("UnknownPort"),
  /** A Service-wide key written per port. */
  SERVICE_WIDE("ServiceWideAnnotation"),
  /** A setting that has no effect where it is, because something it needs is missing. */
  NO_EFFECT("SettingIgnored"),
  /** Two settings that cannot both hold; one of them is ignored. */
  CONFLICT("ConflictingSettings"),
  /** A setting a proxyless gRPC client cannot apply, changed or left out for it. */
  CLIENT_DOWNGRADE("ClientDowngrade"),
  /** What a native Service field becomes, where that needs saying. */
  NATIVE_FIELD("NativeField"),
  /** A Kubernetes object, or part of one, that is not valid (names, ports, addresses). */
  INVALID_OBJECT("InvalidObject"),
  /** Something valid that Fairlead does not route (ExternalName, UDP, FQDN slices). */
  UNSUPPORTED("Unsupported"),
  /** An EndpointSlice without a Service. */
  ORPHAN_SLICE("OrphanEndpointSlice"),
  /** A Service without EndpointSlices yet. */
  NO_ENDPOINTS("NoEndpoints"),
  /** Two Services claim the same virtual IP and port. */
  ADDRESS_CONFLICT("AddressConflict"),
  /** Two Services claim the same gateway host and path. */
  ROUTE_CONFLICT("RouteConflict"),
  /** Fairlead generated something Envoy would reject: a bug; the port is left out. */
  INTERNAL("InternalError"),
  /** A source holds back what it reads and serves its last good state. */
  SOURCE_HELD("SourceDegraded"),
  /** A manifest file that cannot be read or parsed; its last good contents are kept. */
  UNREADABLE_FILE("UnreadableManifest"),
  /** A source with nothing to read (a directory without manifests). */
  EMPTY_SOURCE("EmptySource"),
  /** An xDS stream refused because its node claims another namespace than its certificate. */
  IDENTITY_REFUSED("IdentityRefused"),
  /** Objects of kinds Fairlead does not read. */
  IGNORED_OBJECTS("IgnoredObjects");

  private final String eventReason;

  Reason(String eventReason) {
    this.eventReason = eventReason;
  }

  /** The Kubernetes Event {@code reason}: UpperCamelCase, as the API conventions ask. */
  public String eventReason() {
    return eventReason;
  }
}
