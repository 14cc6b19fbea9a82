package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeLabelsTest {

  private static EndpointSlice slice(String namespace, Map<String, String> labels) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName("s-1")
        .withLabels(labels)
        .endMetadata()
        .withAddressType("IPv4")
        .build();
  }

  @Test
  void theServiceIsInTheSlicesNamespace() {
    assertThat(KubeLabels.serviceOf(slice("shop", Map.of(KubeLabels.SERVICE_NAME, "cart"))))
        .contains(new ObjectRef("shop", "cart"));
    assertThat(KubeLabels.serviceOf(slice(null, Map.of(KubeLabels.SERVICE_NAME, "cart"))))
        .contains(new ObjectRef("default", "cart"));
  }

  @Test
  void aMissingEmptyOrBlankLabelNamesNoService() {
    assertThat(KubeLabels.serviceOf(slice("shop", null))).isEmpty();
    assertThat(KubeLabels.serviceOf(slice("shop", Map.of("app", "cart")))).isEmpty();
    assertThat(KubeLabels.serviceOf(slice("shop", Map.of(KubeLabels.SERVICE_NAME, "")))).isEmpty();
    assertThat(KubeLabels.serviceOf(slice("shop", Map.of(KubeLabels.SERVICE_NAME, "  "))))
        .isEmpty();
  }

  @Test
  void theModelSaysABlankLabelIsNoLabel() {
    KubeState state =
        KubeState.of(List.of(), List.of(slice("shop", Map.of(KubeLabels.SERVICE_NAME, " "))));
    assertThat(KubeModelBuilder.build(state).diagnostics())
        .extracting(Diagnostic::message)
        .containsExactly("EndpointSlice has no " + KubeLabels.SERVICE_NAME + " label; ignored");
  }
}
