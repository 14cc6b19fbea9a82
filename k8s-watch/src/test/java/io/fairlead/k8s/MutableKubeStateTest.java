package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.Change;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the informers' store hands on as a change. */
class MutableKubeStateTest {

  private static final ObjectRef WEB = new ObjectRef("default", "web");

  private static Service service(String name, String rv, String lb) {
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
        .build();
  }

  private static EndpointSlice orphanSlice(String name) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withResourceVersion("1")
        .endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint()
        .withAddresses("10.0.0.9")
        .endEndpoint()
        .build();
  }

  @Test
  void theSameResourceVersionIsNotAChange() {
    MutableKubeState state = new MutableKubeState();
    assertThat(state.setService(WEB, Optional.of(service("web", "7", "maglev"))))
        .isEqualTo(Change.ofService(WEB));

    // a resync redelivers version 7; even if the copy differed it would not be read
    assertThat(state.setService(WEB, Optional.of(service("web", "7", "random"))))
        .isEqualTo(Change.NONE);
    assertThat(state.snapshot().services().get(WEB).getMetadata().getAnnotations())
        .containsEntry("fairlead.io/lb", "maglev");

    assertThat(state.setService(WEB, Optional.empty())).isEqualTo(Change.ofService(WEB));
    assertThat(state.setService(WEB, Optional.empty())).isEqualTo(Change.NONE);
  }

  @Test
  void aSliceWithoutServiceLabelChangesNoService() {
    MutableKubeState state = new MutableKubeState();
    EndpointSlice orphan = orphanSlice("o-1");

    assertThat(state.setSlice(new ObjectRef("default", "o-1"), Optional.of(orphan)).isEmpty())
        .isTrue();
    assertThat(state.snapshot().endpointSlices()).hasSize(1);
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(String rv, String weight) {
    io.fabric8.kubernetes.api.model.PodBuilder b =
        new io.fabric8.kubernetes.api.model.PodBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("p")
            .withResourceVersion(rv)
            .endMetadata();
    if (weight != null) {
      b.editMetadata().addToAnnotations("fairlead.io/weight", weight).endMetadata();
    }
    return b.build();
  }

  @Test
  void aPodIsAChangeOnlyWhenItsWeightIs() {
    MutableKubeState state = new MutableKubeState();
    ObjectRef p = new ObjectRef("default", "p");
    assertThat(state.setPod(p, Optional.of(pod("1", null)))).isEqualTo(Change.NONE);
    assertThat(state.snapshot().pods()).as("Pods without a weight are not kept").isEmpty();
    assertThat(state.setPod(p, Optional.of(pod("2", "3")))).isEqualTo(Change.ofPod(p));
    assertThat(state.podRefs()).containsExactly(p);
    assertThat(state.setPod(p, Optional.of(pod("2", "4"))))
        .as("same version")
        .isEqualTo(Change.NONE);
    assertThat(state.setPod(p, Optional.of(pod("3", "3"))))
        .as("other fields")
        .isEqualTo(Change.NONE);
    assertThat(state.setPod(p, Optional.of(pod("4", "5")))).isEqualTo(Change.ofPod(p));
    assertThat(state.setPod(p, Optional.empty())).isEqualTo(Change.ofPod(p));
    assertThat(state.snapshot().pods()).isEmpty();
    assertThat(state.setPod(p, Optional.empty())).isEqualTo(Change.NONE);
  }
}
