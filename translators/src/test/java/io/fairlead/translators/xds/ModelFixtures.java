package io.fairlead.translators.xds;

import io.fairlead.policies.NativeFields;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.PortSpec;
import io.fairlead.policies.ServicePolicyParser;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.PortEntry;
import io.fairlead.translators.model.ServiceEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small models for builder tests, written in Java: no Kubernetes object is read. */
final class ModelFixtures {

  private ModelFixtures() {}

  static PortSpec port(String name, int number) {
    return new PortSpec(name, number, "TCP", Optional.empty());
  }

  /** The policy of one port with these annotations (keys without the fairlead.io/ prefix). */
  static PortPolicy policy(PortSpec port, Map<String, String> annotations) {
    Map<String, String> full = new java.util.TreeMap<>();
    annotations.forEach((k, v) -> full.put("fairlead.io/" + k, v));
    return ServicePolicyParser.parse(
            ObjectRef.parse("ns/svc"), full, NativeFields.NONE, List.of(port))
        .ports()
        .get(0);
  }

  static EndpointEntry endpoint(String ip, int port, EndpointHealth health) {
    return endpoint(ip, port, health, Optional.empty(), Optional.empty());
  }

  static EndpointEntry endpoint(
      String ip, int port, EndpointHealth health, Optional<String> zone, Optional<String> node) {
    return new EndpointEntry(ip, port, ip, zone, node, Optional.empty(), health);
  }

  static PortEntry entry(PortPolicy policy, EndpointEntry... endpoints) {
    return new PortEntry(policy, List.of(endpoints));
  }

  static ServiceEntry service(String ref, List<String> clusterIps, PortEntry... ports) {
    return new ServiceEntry(ObjectRef.parse(ref), clusterIps, new ArrayList<>(List.of(ports)));
  }

  /** A Service with one port with these annotations and one ready endpoint. */
  static ServiceEntry simple(
      String ref, String ip, PortSpec port, Map<String, String> annotations) {
    return service(
        ref,
        List.of(ip),
        entry(policy(port, annotations), endpoint("10.1.0.1", 8080, EndpointHealth.HEALTHY)));
  }
}
