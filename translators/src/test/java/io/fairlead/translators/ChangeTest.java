package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.ObjectRef;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangeTest {

  private static final ObjectRef WEB = new ObjectRef("default", "web");
  private static final ObjectRef API = new ObjectRef("default", "api");

  static Service service(String name, String rv, String lb, String loadBalancerIp) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withResourceVersion(rv)
        .addToAnnotations("fairlead.io/lb", lb)
        .endMetadata()
        .withNewSpec()
        .addNewPort()
        .withPort(80)
        .endPort()
        .endSpec()
        .withNewStatus()
        .withNewLoadBalancer()
        .addNewIngress()
        .withIp(loadBalancerIp)
        .endIngress()
        .endLoadBalancer()
        .endStatus()
        .build();
  }

  static EndpointSlice slice(String name, String rv, String service, String ip, String extraLabel) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withResourceVersion(rv)
        .addToLabels("kubernetes.io/service-name", service)
        .addToLabels("extra", extraLabel)
        .endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint()
        .withAddresses(ip)
        .endEndpoint()
        .build();
  }

  @Test
  void betweenIgnoresStatusAndUnrelatedSliceLabels() {
    KubeState before =
        KubeState.of(
            List.of(service("web", "1", "maglev", "1.1.1.1")),
            List.of(slice("web-1", "1", "web", "10.0.0.1", "a")));
    KubeState after =
        KubeState.of(
            List.of(service("web", "2", "maglev", "2.2.2.2")),
            List.of(slice("web-1", "2", "web", "10.0.0.1", "b")));

    assertThat(Change.between(before, after).isEmpty()).isTrue();
  }

  @Test
  void betweenNamesAddedRemovedAndChangedObjects() {
    KubeState before =
        KubeState.of(
            List.of(service("web", "1", "maglev", "")),
            List.of(slice("web-1", "1", "web", "10.0.0.1", "")));
    KubeState after =
        KubeState.of(
            List.of(service("web", "2", "random", ""), service("api", "1", "maglev", "")),
            // the slice moves from web to api
            List.of(slice("web-1", "2", "api", "10.0.0.1", "")));

    assertThat(Change.between(before, after))
        .isEqualTo(new Change(Set.of(API, WEB), Set.of(API, WEB), false));
  }

  @Test
  void mergeUnitesAndKeepsFull() {
    Change merged = Change.ofService(WEB).merge(Change.ofEndpoints(Set.of(API))).merge(Change.FULL);

    assertThat(merged).isEqualTo(new Change(Set.of(WEB), Set.of(API), true));
    assertThat(merged.isEmpty()).isFalse();
    assertThat(Change.NONE.merge(Change.NONE).isEmpty()).isTrue();
  }

  @Test
  void setsAreSortedAndUnmodifiable() {
    Change change = new Change(new java.util.HashSet<>(List.of(WEB, API)), Set.of(), false);

    assertThat(change.services()).containsExactly(API, WEB);
    assertThat(change.services()).isUnmodifiable();
  }
}
