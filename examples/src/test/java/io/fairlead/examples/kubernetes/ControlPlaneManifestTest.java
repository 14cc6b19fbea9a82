package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fairlead.cli.Main;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The control plane's Deployment and Service agree with each other and with `fairlead serve`. */
class ControlPlaneManifestTest {

  private static Container fairlead() {
    Deployment d = ExampleManifests.deployment("fairlead-system", "fairlead");
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("fairlead");
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  static Service service() {
    return ExampleManifests.ofKind(Service.class).stream()
        .filter(s -> s.getMetadata().getNamespace().equals("fairlead-system"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void argsAreAcceptedByServe() {
    List<String> args = fairlead().getArgs();
    assertThat(args.get(0)).isEqualTo("serve");
    ParseResult parsed =
        new CommandLine(new Main()).parseArgs(args.toArray(String[]::new)).subcommand();
    assertThat(parsed.commandSpec().name()).isEqualTo("serve");
    assertThat(parsed.matchedOption("--source").stringValues()).containsExactly("kubernetes");
    // probes come from the kubelet, from outside the pod: the default 127.0.0.1 would fail them
    assertThat(parsed.matchedOptionValue("--admin-address", "")).isEqualTo("0.0.0.0");
    assertThat(parsed.matchedOptionValue("--admin-port", 9901))
        .isEqualTo(containerPort("http-admin"));
    assertThat(parsed.matchedOptionValue("--xds-port", 18000)).isEqualTo(containerPort("grpc-xds"));
  }

  @Test
  void probesUseTheAdminEndpoints() {
    Container c = fairlead();
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort())
        .isEqualTo(new IntOrString("http-admin"));
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort())
        .isEqualTo(new IntOrString("http-admin"));
  }

  @Test
  void serviceExposesXdsAsGrpcAndTheAdminPort() {
    Service s = service();
    assertThat(s.getMetadata().getName()).isEqualTo("fairlead");
    assertThat(s.getSpec().getSelector())
        .isEqualTo(
            ExampleManifests.deployment("fairlead-system", "fairlead")
                .getSpec()
                .getSelector()
                .getMatchLabels());
    ServicePort xds = port(s, "grpc-xds");
    assertThat(xds.getPort()).isEqualTo(18000);
    assertThat(xds.getAppProtocol()).isEqualTo("grpc");
    assertThat(xds.getTargetPort()).isEqualTo(new IntOrString("grpc-xds"));
    ServicePort admin = port(s, "http-admin");
    assertThat(admin.getPort()).isEqualTo(9901);
    assertThat(admin.getTargetPort()).isEqualTo(new IntOrString("http-admin"));
  }

  private static int containerPort(String name) {
    return fairlead().getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow();
  }

  static ServicePort port(Service s, String name) {
    return s.getSpec().getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
