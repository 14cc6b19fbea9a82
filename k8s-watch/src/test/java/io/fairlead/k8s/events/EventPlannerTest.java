package io.fairlead.k8s.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.KubeState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventPlannerTest {

  private static final Diagnostic BAD_LB =
      Diagnostic.error(
          Reason.INVALID_VALUE,
          Subject.of(ObjectRef.parse("a/web"), "fairlead.io/lb-policy"),
          "'fastest' is not an lb-policy; using the default");

  private static Service service(String ns, String name, String uid) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .withUid(uid)
        .endMetadata()
        .build();
  }

  private static EndpointSlice slice(String ns, String name) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .withUid("s-1")
        .endMetadata()
        .build();
  }

  private static final KubeState STATE =
      KubeState.of(List.of(service("a", "web", "u-1")), List.of(slice("a", "web-x1")));

  @Test
  void anInvalidAnnotationIsAWarningOnItsService() {
    List<PlannedEvent> plan = EventPlanner.plan(List.of(BAD_LB), STATE);

    assertThat(plan).hasSize(1);
    PlannedEvent e = plan.get(0);
    assertThat(e.target())
        .isEqualTo(new EventTarget("Service", "v1", "a", "web", Optional.of("u-1")));
    assertThat(e.type()).isEqualTo("Warning");
    assertThat(e.reason()).isEqualTo("InvalidAnnotation");
    assertThat(e.message())
        .isEqualTo("fairlead.io/lb-policy: 'fastest' is not an lb-policy; using the default");
    assertThat(e.name()).matches("web\\.[0-9a-f]{16}");
  }

  @Test
  void aBadPodWeightIsAWarningOnThePodEvenWhenAServiceHasItsName() {
    ObjectRef pod = ObjectRef.parse("a/web");
    KubeState state =
        STATE.withPod(new io.fairlead.translators.PodMetadata(pod, "3", Optional.of("x")));
    Diagnostic bad =
        Diagnostic.error(
            Reason.INVALID_VALUE,
            Subject.of(pod, "fairlead.io/weight"),
            "Pod a/web: 'x' is not an integer; its endpoints count as weight 1");
    assertThat(EventPlanner.plan(List.of(bad), state))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.target())
                  .isEqualTo(new EventTarget("Pod", "v1", "a", "web", Optional.empty()));
              assertThat(e.reason()).isEqualTo("InvalidAnnotation");
            });
    // the Service's own warning about the key stays on the Service
    Diagnostic onService =
        Diagnostic.warning(
            Reason.NO_EFFECT, Subject.of(pod, "fairlead.io/weight"), "a Pod annotation");
    assertThat(EventPlanner.plan(List.of(onService), state))
        .singleElement()
        .satisfies(e -> assertThat(e.target().kind()).isEqualTo("Service"));
  }

  @Test
  void theEventReasonIsTheDiagnosticsReasonCode() {
    assertThat(
            EventPlanner.reason(
                Diagnostic.warning(
                    Reason.UNKNOWN_ANNOTATION,
                    Subject.of(ObjectRef.parse("a/web"), "fairlead.io/lb-polcy"),
                    "unknown")))
        .isEqualTo("UnknownAnnotation");
    assertThat(
            EventPlanner.reason(
                Diagnostic.error(
                    Reason.INVALID_OBJECT,
                    Subject.of(ObjectRef.parse("a/web"), "spec.ports[http].port"),
                    "missing")))
        .isEqualTo("InvalidObject");
    assertThat(
            EventPlanner.reason(
                Diagnostic.warning(
                    Reason.UNSUPPORTED,
                    Subject.of(ObjectRef.parse("a/web"), "spec.ports[dns].protocol"),
                    "UDP")))
        .isEqualTo("Unsupported");
  }

  @Test
  void infoAndObjectsOutsideTheClusterAreSkipped() {
    List<Diagnostic> diagnostics =
        List.of(
            Diagnostic.info(
                Reason.NO_ENDPOINTS,
                Subject.of(ObjectRef.parse("a/web"), "endpoints"),
                "Service has no EndpointSlices yet"),
            Diagnostic.warning(
                Reason.UNREADABLE_FILE, new Subject.File("/srv/manifests/web.yaml"), "not YAML"),
            Diagnostic.error(
                Reason.INTERNAL, new Subject.Source("xds/sidecar", "translation"), "failed"),
            Diagnostic.error(
                Reason.INVALID_VALUE,
                Subject.of(ObjectRef.parse("a/gone"), "fairlead.io/lb-policy"),
                "bad"),
            Diagnostic.error(
                Reason.INVALID_VALUE,
                Subject.of(ObjectRef.parse("a/web/extra"), "fairlead.io/lb-policy"),
                "bad"));

    assertThat(EventPlanner.plan(diagnostics, STATE)).isEmpty();
  }

  @Test
  void anOrphanSliceDiagnosticGoesOnTheEndpointSlice() {
    Diagnostic orphan =
        Diagnostic.warning(
            Reason.ORPHAN_SLICE,
            Subject.of(ObjectRef.parse("a/web-x1"), "metadata.labels"),
            "EndpointSlice has no label; ignored");

    assertThat(EventPlanner.plan(List.of(orphan), STATE))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.target())
                    .isEqualTo(
                        new EventTarget(
                            "EndpointSlice",
                            "discovery.k8s.io/v1",
                            "a",
                            "web-x1",
                            Optional.of("s-1"))));
  }

  @Test
  void oneEventPerDistinctDiagnosticWithStableNames() {
    Diagnostic other =
        Diagnostic.error(
            Reason.INVALID_VALUE,
            Subject.of(ObjectRef.parse("a/web"), "fairlead.io/lb-policy"),
            "'slowest' is not an lb-policy");

    List<PlannedEvent> plan = EventPlanner.plan(List.of(BAD_LB, BAD_LB, other), STATE);

    assertThat(plan).extracting(PlannedEvent::diagnostic).containsExactly(BAD_LB, other);
    assertThat(plan.get(0).name()).isNotEqualTo(plan.get(1).name());
    assertThat(EventPlanner.plan(List.of(BAD_LB), STATE).get(0).name())
        .isEqualTo(plan.get(0).name());
  }

  @Test
  void aRecreatedServiceGetsANewEventName() {
    KubeState recreated = KubeState.of(List.of(service("a", "web", "u-2")), List.of());

    assertThat(EventPlanner.plan(List.of(BAD_LB), recreated).get(0).name())
        .isNotEqualTo(EventPlanner.plan(List.of(BAD_LB), STATE).get(0).name());
  }

  @Test
  void longNamesAndMessagesStayWithinKubernetesLimits() {
    String longName = "s".repeat(250);
    KubeState state = KubeState.of(List.of(), List.of(slice("a", longName)));
    Diagnostic d =
        Diagnostic.warning(
            Reason.ORPHAN_SLICE,
            Subject.of(ObjectRef.parse("a/" + longName), "metadata.labels"),
            "x".repeat(5000));

    PlannedEvent e = EventPlanner.plan(List.of(d), state).get(0);

    assertThat(e.name()).hasSizeLessThanOrEqualTo(253).matches("s+\\.[0-9a-f]{16}");
    assertThat(e.message()).hasSize(1024).endsWith("...");
  }
}
