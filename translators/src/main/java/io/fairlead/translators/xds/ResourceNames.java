package io.fairlead.translators.xds;

import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.TranslationSettings;

/** The only place resource names are made. Names are deterministic and readable. */
public final class ResourceNames {

  /** The sidecar's capture listener, which hands connections to the per-Service listeners. */
  public static final String OUTBOUND_CAPTURE_LISTENER = "outbound-capture";

  /** Original-destination cluster for traffic to addresses Fairlead does not know. */
  public static final String PASSTHROUGH_CLUSTER = "passthrough";

  public static final int OUTBOUND_CAPTURE_PORT = 15001;

  private ResourceNames() {}

  /** {@code namespace/service:port}: the cluster, its endpoints and sidecar route and listener. */
  public static String cluster(ObjectRef service, int port) {
    return service.namespace() + "/" + service.name() + ":" + port;
  }

  public static String sidecarListener(ObjectRef service, int port) {
    return cluster(service, port);
  }

  public static String sidecarRoute(ObjectRef service, int port) {
    return cluster(service, port);
  }

  /** What a proxyless client dials: {@code xds:///service.namespace.svc.CLUSTER-DOMAIN:port}. */
  public static String proxylessListener(
      ObjectRef service, int port, TranslationSettings settings) {
    return settings.serviceHost(service) + ":" + port;
  }

  public static String gatewayListener(String group) {
    return "gateway/" + group;
  }

  public static String gatewayRoute(String group) {
    return "gateway/" + group;
  }
}
