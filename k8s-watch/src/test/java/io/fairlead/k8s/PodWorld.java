package io.fairlead.k8s;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The world of the Pod-weight tests: Service {@code a/web} (port http 80) and one EndpointSlice
 * whose two ready endpoints, 10.0.0.1 and 10.0.0.2, name Pods {@code web-1} and {@code web-2}.
 */
final class PodWorld {

  private PodWorld() {}

  static void createServiceAndSlice(KubernetesClient client) {
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("a")
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96.0.9")
                .addNewPort()
                .withName("http")
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();
    EndpointSliceBuilder slice =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace("a")
            .withName("web-x1")
            .addToLabels("kubernetes.io/service-name", "web")
            .endMetadata()
            .withAddressType("IPv4")
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .endPort();
    for (int i = 1; i <= 2; i++) {
      slice
          .addNewEndpoint()
          .withAddresses("10.0.0." + i)
          .withNewConditions()
          .withReady(true)
          .endConditions()
          .withNewTargetRef()
          .withKind("Pod")
          .withName("web-" + i)
          .withNamespace("a")
          .endTargetRef()
          .endEndpoint();
    }
    client.resource(slice.build()).create();
  }
}
