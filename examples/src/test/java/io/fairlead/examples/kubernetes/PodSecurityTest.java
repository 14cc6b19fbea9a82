package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fairlead.examples.envoy.EnvoyImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** What every pod of the examples must keep: least privilege, bounded resources, pinned images. */
class PodSecurityTest {

  /** The only container allowed root and capabilities: it writes the capture rules. */
  private static final String CAPTURE = "fairlead-capture";

  private record Named(Deployment deployment, PodSpec pod, Container container) {
    String label() {
      return deployment.getMetadata().getNamespace()
          + "/"
          + deployment.getMetadata().getName()
          + " container "
          + container.getName();
    }
  }

  private static List<Named> containers() {
    List<Named> out = new ArrayList<>();
    for (Deployment d : ExampleManifests.ofKind(Deployment.class)) {
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      Objects.requireNonNullElse(pod.getInitContainers(), List.<Container>of())
          .forEach(c -> out.add(new Named(d, pod, c)));
      pod.getContainers().forEach(c -> out.add(new Named(d, pod, c)));
    }
    return out;
  }

  @TestFactory
  List<DynamicTest> everyContainerRunsWithLeastPrivilege() {
    List<Named> all = containers();
    assertThat(all).hasSizeGreaterThanOrEqualTo(12);
    return all.stream().map(n -> DynamicTest.dynamicTest(n.label(), () -> check(n))).toList();
  }

  private static void check(Named n) {
    Container c = n.container();
    SecurityContext sc = c.getSecurityContext();
    assertThat(sc).as("securityContext of %s", n.label()).isNotNull();
    assertThat(sc.getAllowPrivilegeEscalation())
        .as("allowPrivilegeEscalation of %s", n.label())
        .isFalse();
    assertThat(sc.getPrivileged()).as("privileged of %s", n.label()).isNotEqualTo(Boolean.TRUE);
    assertThat(sc.getCapabilities().getDrop())
        .as("dropped capabilities of %s", n.label())
        .containsExactly("ALL");
    Optional<PodSecurityContext> pod = Optional.ofNullable(n.pod().getSecurityContext());
    assertThat(pod.map(PodSecurityContext::getSeccompProfile).map(p -> p.getType()))
        .as("seccomp of %s", n.label())
        .contains("RuntimeDefault");
    if (c.getName().equals(CAPTURE)) {
      assertThat(sc.getCapabilities().getAdd()).containsExactlyInAnyOrder("NET_ADMIN", "NET_RAW");
      assertThat(sc.getRunAsUser()).isZero();
    } else {
      assertThat(sc.getCapabilities().getAdd())
          .as("added capabilities of %s", n.label())
          .isNullOrEmpty();
      assertThat(
              Optional.ofNullable(sc.getRunAsNonRoot())
                  .or(() -> pod.map(PodSecurityContext::getRunAsNonRoot)))
          .as("runAsNonRoot of %s", n.label())
          .contains(true);
      assertThat(sc.getReadOnlyRootFilesystem())
          .as("readOnlyRootFilesystem of %s", n.label())
          .isTrue();
      assertThat(
              Optional.ofNullable(sc.getRunAsUser())
                  .or(() -> pod.map(PodSecurityContext::getRunAsUser)))
          .as("a numeric non-zero UID for %s", n.label())
          .hasValueSatisfying(uid -> assertThat(uid).isPositive());
    }
    for (String kind : List.of("requests", "limits")) {
      var amounts =
          kind.equals("requests") ? c.getResources().getRequests() : c.getResources().getLimits();
      assertThat(amounts).as("resources.%s of %s", kind, n.label()).containsKeys("cpu", "memory");
    }
    String image = c.getImage();
    assertThat(image)
        .as("image of %s is pinned", n.label())
        .matches(".+:[A-Za-z0-9][A-Za-z0-9._-]*")
        .doesNotEndWith(":latest");
    if (image.startsWith("envoyproxy/")) {
      assertThat(image).as("Envoy image of %s", n.label()).isEqualTo(EnvoyImage.NAME);
    }
  }

  @Test
  void onlyEnvoyRunsAsTheUidTheCaptureRulesLetThrough() {
    Deployment client = ExampleManifests.deployment("fairlead-demo", "greeter-client");
    PodSpec pod = client.getSpec().getTemplate().getSpec();
    Container capture =
        pod.getInitContainers().stream()
            .filter(c -> c.getName().equals(CAPTURE))
            .findFirst()
            .orElseThrow();
    String uid =
        capture.getEnv().stream()
            .filter(e -> e.getName().equals("FAIRLEAD_PROXY_UID"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElseThrow();
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    for (Container c : all) {
      Long runAs = c.getSecurityContext().getRunAsUser();
      if (c.getName().equals("envoy")) {
        assertThat(runAs).isEqualTo(Long.parseLong(uid));
      } else {
        assertThat(runAs).as("UID of %s", c.getName()).isNotEqualTo(Long.parseLong(uid));
      }
    }
    // iptables first, then the bootstrap, then Envoy as a native sidecar, all before the app
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly(CAPTURE, "fairlead-bootstrap", "envoy");
    assertThat(pod.getInitContainers().get(2).getRestartPolicy()).isEqualTo("Always");
  }

  @Test
  void noOtherPodGetsCapabilitiesOrRoot() {
    List<String> privileged =
        containers().stream()
            .filter(n -> n.container().getName().equals(CAPTURE))
            .map(Named::label)
            .toList();
    assertThat(privileged)
        .containsExactly("fairlead-demo/greeter-client container fairlead-capture");
  }
}
