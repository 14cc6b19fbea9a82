package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.ObjectRef;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KubeStateTest {

  private static final ObjectRef WEB = new ObjectRef("default", "web");

  @Test
  void aSliceIsIndexedUnderTheServiceItsLabelNames() {
    KubeState s =
        KubeState.EMPTY
            .withService(WEB, ChangeTest.service("web", "1", "maglev", "1.1.1.1"))
            .withSlice(ref("web-1"), ChangeTest.slice("web-1", "1", "web", "10.0.0.1", "a"))
            .withSlice(ref("web-2"), ChangeTest.slice("web-2", "1", "web", "10.0.0.2", "a"))
            .withSlice(ref("api-1"), ChangeTest.slice("api-1", "1", "api", "10.0.0.3", "a"));

    assertThat(s.slicesOf(WEB))
        .extracting(x -> x.getMetadata().getName())
        .containsExactly("web-1", "web-2");
    assertThat(s.slicesByService().keySet())
        .as("a slice of a missing Service is indexed too, for its warning")
        .containsExactly(new ObjectRef("default", "api"), WEB);
  }

  @Test
  void aRelabelledSliceMovesAndARemovedOneLeavesNoEmptyEntry() {
    KubeState s =
        KubeState.EMPTY.withSlice(ref("x"), ChangeTest.slice("x", "1", "web", "10.0.0.1", "a"));
    s = s.withSlice(ref("x"), ChangeTest.slice("x", "2", "api", "10.0.0.1", "a"));
    assertThat(s.slicesOf(WEB)).isEmpty();
    assertThat(s.slicesOf(new ObjectRef("default", "api"))).hasSize(1);
    s = s.withSlice(ref("x"), unlabelled("x"));
    assertThat(s.slicesByService()).isEmpty();
    assertThat(s.unlabelledSlices()).containsOnlyKeys(ref("x"));
    s = s.withoutSlice(ref("x"));
    assertThat(s.unlabelledSlices()).isEmpty();
    assertThat(s.endpointSlices()).isEmpty();
  }

  @Test
  void updatesLeaveThePreviousStateAsItWas() {
    KubeState before =
        KubeState.EMPTY.withService(WEB, ChangeTest.service("web", "1", "maglev", "1.1.1.1"));
    KubeState after =
        before
            .withoutService(WEB)
            .withSlice(ref("web-1"), ChangeTest.slice("web-1", "1", "web", "10.0.0.1", "a"));
    assertThat(before.services()).containsOnlyKeys(WEB);
    assertThat(before.endpointSlices()).isEmpty();
    assertThat(after.services()).isEmpty();
    assertThatThrownBy(() -> after.services().put(WEB, null))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  /** 2,000 random updates: the index always equals the one rebuilt from scratch. */
  @Test
  void theIndexFollowsAnySequenceOfUpdates() {
    Random random = new Random(42);
    KubeState s = KubeState.EMPTY;
    TreeMap<ObjectRef, Service> services = new TreeMap<>();
    TreeMap<ObjectRef, EndpointSlice> slices = new TreeMap<>();
    for (int i = 0; i < 2000; i++) {
      String svc = "s" + random.nextInt(5);
      String sliceName = "e" + random.nextInt(12);
      switch (random.nextInt(5)) {
        case 0 -> {
          Service v = ChangeTest.service(svc, "" + i, "maglev", "1.1.1.1");
          s = s.withService(new ObjectRef("default", svc), v);
          services.put(new ObjectRef("default", svc), v);
        }
        case 1 -> {
          s = s.withoutService(new ObjectRef("default", svc));
          services.remove(new ObjectRef("default", svc));
        }
        case 2 -> {
          s = s.withoutSlice(ref(sliceName));
          slices.remove(ref(sliceName));
        }
        default -> {
          EndpointSlice v =
              random.nextInt(6) == 0
                  ? unlabelled(sliceName)
                  : ChangeTest.slice(sliceName, "" + i, svc, "10.0.0.1", "a");
          s = s.withSlice(ref(sliceName), v);
          slices.put(ref(sliceName), v);
        }
      }
      assertThat(s.indexConsistent()).as("after update %d", i).isTrue();
    }
    KubeState rebuilt = new KubeState(services, slices);
    assertThat(s).isEqualTo(rebuilt);
    assertThat(rebuilt.indexConsistent()).isTrue();
    for (int k = 0; k < 5; k++) {
      ObjectRef svc = new ObjectRef("default", "s" + k);
      assertThat(s.slicesOf(svc)).isEqualTo(rebuilt.slicesOf(svc));
    }
    assertThat(KubeModelBuilder.build(s)).isEqualTo(KubeModelBuilder.build(rebuilt));
  }

  private static ObjectRef ref(String name) {
    return new ObjectRef("default", name);
  }

  private static EndpointSlice unlabelled(String name) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .endMetadata()
        .withAddressType("IPv4")
        .build();
  }
}
