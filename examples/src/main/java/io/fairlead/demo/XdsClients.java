package io.fairlead.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fairlead.bootstrap.NodeMetadataKeys;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * Proxyless gRPC in this process: grpc-java's own xDS client, pointed at a Fairlead control plane.
 *
 * <p>grpc-java reads its bootstrap once per process, when the first {@code xds:///} channel is
 * made, so {@link #useControlPlane} must run before that and cannot be redirected later.
 */
public final class XdsClients {

  /**
   * grpc-java reads its bootstrap JSON from this system property (or GRPC_XDS_BOOTSTRAP_CONFIG).
   */
  public static final String BOOTSTRAP_PROPERTY = "io.grpc.xds.bootstrapConfig";

  private static final ObjectMapper JSON = new ObjectMapper();

  private XdsClients() {}

  /** A grpc-java xDS bootstrap for a proxyless client of the control plane at {@code host:port}. */
  public static String bootstrap(String xdsHostPort, String nodeId) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode server = root.putArray("xds_servers").addObject();
    server.put("server_uri", xdsHostPort);
    server.putArray("channel_creds").addObject().put("type", "insecure");
    server.putArray("server_features").add("xds_v3");
    ObjectNode node = root.putObject("node");
    node.put("id", nodeId);
    // optional for gRPC: Fairlead infers it from the user agent, but saying it is clearer
    node.putObject("metadata").put(NodeMetadataKeys.ROLE, "proxyless");
    return root.toString();
  }

  /**
   * Makes this process's {@code xds:///} channels use the control plane at {@code host:port}.
   *
   * @throws IllegalStateException when a different bootstrap is already set, which grpc-java may
   *     have read already
   */
  public static synchronized void useControlPlane(String xdsHostPort, String nodeId) {
    String bootstrap = bootstrap(xdsHostPort, nodeId);
    String current = System.getProperty(BOOTSTRAP_PROPERTY);
    if (current != null && !current.equals(bootstrap)) {
      throw new IllegalStateException(
          "this process already has an xDS bootstrap ("
              + BOOTSTRAP_PROPERTY
              + "); grpc-java reads it only once");
    }
    System.setProperty(BOOTSTRAP_PROPERTY, bootstrap);
  }

  /** One channel to a proxyless listener such as {@code echo.demo.svc.cluster.local:9090}. */
  public static ManagedChannel channel(String listener) {
    return Grpc.newChannelBuilder("xds:///" + listener, InsecureChannelCredentials.create())
        .build();
  }
}
