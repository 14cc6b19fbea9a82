package io.fairlead.examples.grpcnode;

import io.fairlead.examples.AllAnnotations;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Services the grpc-node client calls: one per load-balancing policy, all in namespace {@code
 * demo}, all backed by the same three loopback backends on one port, in one zone or none.
 */
record DemoServices(List<String> backendIps, int port, Optional<String> zone) {

  static final String NAMESPACE = "demo";
  static final String HASH_HEADER = "x-user";
  static final String CANARY_HEADER = "x-canary";

  /** Every annotation at once (see AllAnnotations). */
  private static final String EVERYTHING = AllAnnotations.yaml(HASH_HEADER);

  /** The xDS target a proxyless client dials for one of these Services. */
  String target(String service) {
    return "xds:///" + service + "." + NAMESPACE + ".svc.cluster.local:" + port;
  }

  List<String> backendAddresses() {
    return backendIps.stream().map(ip -> ip + ":" + port).toList();
  }

  String yaml() {
    return String.join(
        "---\n",
        service("round-robin", 1, "fairlead.io/lb-policy: round-robin"),
        service(
            "ring-hash",
            2,
            "fairlead.io/lb-policy: ring-hash\n    fairlead.io/hash-on: header:" + HASH_HEADER),
        service("least-request", 3, "fairlead.io/lb-policy: least-request"),
        service(
            "maglev",
            4,
            "fairlead.io/lb-policy: maglev\n    fairlead.io/hash-on: header:" + HASH_HEADER),
        service("everything", 5, EVERYTHING),
        // The split: clients dial canary; its own pod (the third backend) must get nothing, and a
        // request carrying x-canary: always goes to canary-v2 whatever the weights.
        service(
            "canary",
            6,
            "fairlead.io/split: canary-v1=90,canary-v2=10\n"
                + "    fairlead.io/split-match: header:"
                + CANARY_HEADER
                + "=always->canary-v2",
            backendIps.subList(2, 3)),
        service("canary-v1", 7, "fairlead.io/lb-policy: round-robin", backendIps.subList(0, 1)),
        service("canary-v2", 8, "fairlead.io/lb-policy: round-robin", backendIps.subList(1, 2)),
        service("weighted-round-robin", 10, "fairlead.io/lb-policy: weighted-round-robin"),
        weighted());
  }

  /** The weight of the Pod behind each of the first two backends of {@code weighted}. */
  static final List<Integer> WEIGHTS = List.of(3, 1);

  /**
   * {@code weighted}: ring-hash on the header over the first two backends, whose Pods carry {@code
   * fairlead.io/weight} 3 and 1; a ring of 4,096 entries (grpc-js's default cap).
   */
  private String weighted() {
    StringBuilder y =
        new StringBuilder(
            service(
                "weighted",
                9,
                "fairlead.io/lb-policy: ring-hash\n    fairlead.io/hash-on: header:"
                    + HASH_HEADER
                    + "\n    fairlead.io/ring-size: '4096'",
                List.of()));
    for (int i = 0; i < WEIGHTS.size(); i++) {
      String ip = backendIps.get(i);
      y.append("  - addresses: [")
          .append(ip)
          .append("]\n    conditions: {ready: true}\n")
          .append(zone.map(z -> "    zone: " + z + "\n").orElse(""))
          .append("    targetRef: {kind: Pod, name: weighted-")
          .append(i)
          .append("}\n");
    }
    for (int i = 0; i < WEIGHTS.size(); i++) {
      y.append("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: weighted-")
          .append(i)
          .append("\n  namespace: ")
          .append(NAMESPACE)
          .append("\n  annotations: {fairlead.io/weight: '")
          .append(WEIGHTS.get(i))
          .append("'}\n");
    }
    return y.toString();
  }

  private String service(String name, int ipSuffix, String annotations) {
    return service(name, ipSuffix, annotations, backendIps);
  }

  private String service(String name, int ipSuffix, String annotations, List<String> ips) {
    String endpoints =
        ips.stream()
            .map(
                ip ->
                    "  - addresses: ["
                        + ip
                        + "]\n    conditions: {ready: true}\n"
                        + zone.map(z -> "    zone: " + z + "\n").orElse(""))
            .collect(Collectors.joining());
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %1$s
          namespace: %2$s
          annotations:
            %3$s
        spec:
          clusterIP: 10.96.0.%5$d
          ports:
          - name: grpc
            port: %4$d
            targetPort: %4$d
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %1$s-1
          namespace: %2$s
          labels: {kubernetes.io/service-name: %1$s}
        addressType: IPv4
        ports: [{name: grpc, port: %4$d}]
        endpoints:
        """
            .formatted(name, NAMESPACE, annotations, port, ipSuffix)
        + endpoints;
  }
}
