package io.fairlead.examples.envoy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Service and EndpointSlice of one test scenario, as YAML for Fairlead's directory source: one
 * Service exposed through the gateway under its own host name, its pods on loopback addresses.
 */
final class ScenarioManifests {

  static final String NAMESPACE = "envoy-test";

  /**
   * One pod address and its EndpointSlice conditions; a pod with a weight also gets a Pod manifest
   * carrying {@code fairlead.io/weight}, named by its endpoint's {@code targetRef}.
   */
  record Pod(
      String ip, boolean ready, boolean serving, boolean terminating, Optional<Integer> weight) {
    Pod(String ip, boolean ready, boolean serving, boolean terminating) {
      this(ip, ready, serving, terminating, Optional.empty());
    }

    static Pod ready(String ip) {
      return new Pod(ip, true, true, false);
    }

    /** A ready pod with {@code fairlead.io/weight: weight}. */
    static Pod weighted(String ip, int weight) {
      return new Pod(ip, true, true, false, Optional.of(weight));
    }

    /** The Pod's name: its address with dashes. */
    String name() {
      return "pod-" + ip.replace('.', '-');
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
      if (p.weight().isPresent()) {
        y.append("    targetRef: {kind: Pod, name: ").append(p.name()).append("}\n");
      }
    }
    for (Pod p : pods) {
      p.weight()
          .ifPresent(
              w ->
                  y.append("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ")
                      .append(p.name())
                      .append("\n  namespace: ")
                      .append(NAMESPACE)
                      .append("\n  annotations:\n    fairlead.io/weight: \"")
                      .append(w)
                      .append("\"\n"));
    }
    return y.toString();
  }
}
