package io.fairlead.examples.envoy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Service and EndpointSlice of one test scenario, as YAML for Fairlead's directory source: one
 * Service exposed through the gateway under its own host name, its pods on loopback addresses.
 */
final class ScenarioManifests {

  static final String NAMESPACE = "envoy-test";

  /** One pod address and its EndpointSlice conditions. */
  record Pod(String ip, boolean ready, boolean serving, boolean terminating) {
    static Pod ready(String ip) {
      return new Pod(ip, true, true, false);
    }

    /** A pod that is shutting down but still answers: Fairlead's DRAINING. */
    static Pod terminating(String ip) {
      return new Pod(ip, false, true, true);
    }

    /** A pod that has started but is not ready yet (it may answer, but must get nothing). */
    static Pod notReady(String ip) {
      return new Pod(ip, false, false, false);
    }
  }

  private ScenarioManifests() {}

  /** The host name the gateway routes to the scenario's Service. */
  static String host(String service) {
    return service + ".test";
  }

  static String yaml(
      String service,
      String appProtocol,
      int targetPort,
      Map<String, String> annotations,
      List<Pod> pods) {
    Map<String, String> all = new TreeMap<>(annotations);
    all.put("fairlead.io/gateway-host", host(service));
    StringBuilder y = new StringBuilder();
    y.append("apiVersion: v1\nkind: Service\nmetadata:\n  name: ")
        .append(service)
        .append("\n  namespace: ")
        .append(NAMESPACE)
        .append("\n  annotations:\n");
    all.forEach((k, v) -> y.append("    ").append(k).append(": \"").append(v).append("\"\n"));
    y.append("spec:\n  ports:\n    - name: main\n      port: 80\n      appProtocol: ")
        .append(appProtocol)
        .append('\n');
    y.append("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ")
        .append(service)
        .append("-x1\n  namespace: ")
        .append(NAMESPACE)
        .append("\n  labels:\n    kubernetes.io/service-name: ")
        .append(service)
        .append("\naddressType: IPv4\nports:\n  - name: main\n    port: ")
        .append(targetPort)
        .append("\nendpoints:\n");
    for (Pod p : pods) {
      y.append("  - addresses: [\"")
          .append(p.ip())
          .append("\"]\n    conditions: {ready: ")
          .append(p.ready())
          .append(", serving: ")
          .append(p.serving())
          .append(", terminating: ")
          .append(p.terminating())
          .append("}\n");
    }
    return y.toString();
  }
}
