package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fairlead.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the real `fairlead bootstrap` with the arguments each bootstrap init container passes
 * (downward-API values filled in), and checks the result against the rest of the pod: where Envoy
 * reads it, which port it serves, which xDS Service it dials.
 */
class BootstrapInvocationTest {

  static final List<String> JAVA_PREFIX =
      List.of(
          "exec", "java", "-cp", "@/app/jib-classpath-file", "io.fairlead.cli.Main", "bootstrap");
  static final Map<String, String> DOWNWARD_SAMPLES =
      Map.of("metadata.name", "pod-7d9f8-abcde", "spec.nodeName", "node-1");

  /** What each Deployment's Envoy must be. */
  private record Expected(
      String namespace, String deployment, String role, String gateway, Integer listenerPort) {}

  private static final List<Expected> EXPECTED =
      List.of(
          new Expected("fairlead-demo", "greeter-client", "sidecar", null, 15001),
          new Expected(
              "fairlead-demo", "greeter-client-explicit", "gateway", "sidecar-explicit", 15080),
          new Expected("fairlead-gateway", "fairlead-gateway", "gateway", "default", 8080));

  @Test
  void everyBootstrapInitContainerIsCovered() {
    List<String> withBootstrap =
        ExampleManifests.ofKind(Deployment.class).stream()
            .filter(
                d ->
                    initContainers(d).stream()
                        .anyMatch(c -> c.getName().equals("fairlead-bootstrap")))
            .map(d -> d.getMetadata().getNamespace() + "/" + d.getMetadata().getName())
            .toList();
    assertThat(withBootstrap)
        .containsExactlyInAnyOrderElementsOf(
            EXPECTED.stream().map(e -> e.namespace() + "/" + e.deployment()).toList());
  }

  @TestFactory
  List<DynamicTest> bootstrapRendersAndMatchesThePod() {
    return EXPECTED.stream()
        .map(e -> DynamicTest.dynamicTest(e.namespace() + "/" + e.deployment(), () -> check(e)))
        .toList();
  }

  @Test
  void shellWordsRefuseWhatTheyCannotSplitHonestly() {
    assertThat(ShellWords.split("a \"b ${X}\" > /f", Map.of("X", "1")))
        .containsExactly("a", "b 1", ">", "/f");
    assertThatThrownBy(() -> ShellWords.split("a $(date)", Map.of()))
        .hasMessageContaining("${NAME}");
    assertThatThrownBy(() -> ShellWords.split("a ${Y}", Map.of())).hasMessageContaining("${Y}");
    assertThatThrownBy(() -> ShellWords.split("a 'b'", Map.of()))
        .hasMessageContaining("unsupported");
  }

  private static void check(Expected e) throws Exception {
    Deployment d = ExampleManifests.deployment(e.namespace(), e.deployment());
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container init =
        initContainers(d).stream()
            .filter(c -> c.getName().equals("fairlead-bootstrap"))
            .findFirst()
            .orElseThrow();
    assertThat(init.getImage()).isEqualTo("fairlead:0.1.0-SNAPSHOT");
    assertThat(init.getCommand()).containsExactly("sh", "-c");
    assertThat(init.getArgs()).hasSize(1);

    Map<String, String> annotations =
        d.getSpec().getTemplate().getMetadata().getAnnotations() == null
            ? Map.of()
            : d.getSpec().getTemplate().getMetadata().getAnnotations();
    Map<String, String> env = new TreeMap<>();
    for (EnvVar v : init.getEnv()) {
      String field = v.getValueFrom().getFieldRef().getFieldPath();
      env.put(v.getName(), downward(field, e.namespace(), annotations));
    }
    List<String> words = ShellWords.split(init.getArgs().get(0), env);
    assertThat(words.subList(0, JAVA_PREFIX.size())).isEqualTo(JAVA_PREFIX);
    int redirect = words.indexOf(">");
    assertThat(redirect).as("output redirected to a file").isEqualTo(words.size() - 2);
    Path output = Path.of(words.get(redirect + 1));
    List<String> cliArgs = new ArrayList<>(words.subList(JAVA_PREFIX.size() - 1, redirect));

    Map<?, ?> bootstrap = runBootstrap(cliArgs);
    Map<?, ?> node = (Map<?, ?>) bootstrap.get("node");
    Map<?, ?> metadata = (Map<?, ?>) node.get("metadata");
    assertThat(metadata.get("fairlead.io/role")).isEqualTo(e.role());
    assertThat(metadata.get("fairlead.io/gateway")).isEqualTo(e.gateway());
    assertThat(metadata.get("fairlead.io/namespace")).isEqualTo(e.namespace());
    assertThat(metadata.get("fairlead.io/pod")).isEqualTo("pod-7d9f8-abcde");
    assertThat(metadata.get("fairlead.io/node")).isEqualTo("node-1");
    // unique per proxy: the pod name and namespace are in the id
    assertThat((String) node.get("id")).contains("pod-7d9f8-abcde." + e.namespace());
    if (e.gateway() != null) {
      assertThat(metadata.get("fairlead.io/gateway-port"))
          .isEqualTo(String.valueOf(e.listenerPort()));
    }
    assertThat(xdsEndpoint(bootstrap)).isEqualTo(fairleadServiceAddress());
    // The Pod's fairlead.io/dependencies reaches the node metadata as written, or not at all.
    assertThat(metadata.get("fairlead.io/dependencies"))
        .isEqualTo(annotations.get("fairlead.io/dependencies"));
    if (e.role().equals("sidecar")) {
      assertThat(annotations).containsEntry("fairlead.io/dependencies", "greeter");
    }

    // Envoy reads what the init container wrote, from the same volume
    Container envoy = envoy(pod);
    assertThat(envoy.getArgs()).containsSubsequence("--config-path", output.toString());
    VolumeMount written = mountOf(init, output);
    VolumeMount read = mountOf(envoy, output);
    assertThat(read.getName()).isEqualTo(written.getName());
    assertThat(read.getReadOnly()).isTrue();
    assertThat(probePort(envoy)).isEqualTo(e.listenerPort());
  }

  /**
   * What the downward API gives for a field path: the Pod's annotation (empty when it has none, as
   * the kubelet does), its namespace, or a sample.
   */
  private static String downward(String field, String namespace, Map<String, String> annotations) {
    if (field.startsWith("metadata.annotations['") && field.endsWith("']")) {
      return annotations.getOrDefault(
          field.substring("metadata.annotations['".length(), field.length() - 2), "");
    }
    return field.equals("metadata.namespace") ? namespace : DOWNWARD_SAMPLES.get(field);
  }

  static Map<?, ?> runBootstrap(List<String> args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      status = Main.run(args.toArray(String[]::new));
    } finally {
      System.setOut(original);
    }
    assertThat(status).as("fairlead %s", args).isZero();
    List<Object> docs = StrictKubeYaml.documents("bootstrap", out.toString(StandardCharsets.UTF_8));
    assertThat(docs).hasSize(1);
    return (Map<?, ?>) docs.get(0);
  }

  private static String xdsEndpoint(Map<?, ?> bootstrap) {
    Map<?, ?> statics = (Map<?, ?>) bootstrap.get("staticResources");
    Map<?, ?> cluster = (Map<?, ?>) ((List<?>) statics.get("clusters")).get(0);
    Map<?, ?> lb =
        (Map<?, ?>)
            ((List<?>)
                    ((Map<?, ?>)
                            ((List<?>) ((Map<?, ?>) cluster.get("loadAssignment")).get("endpoints"))
                                .get(0))
                        .get("lbEndpoints"))
                .get(0);
    Map<?, ?> socket =
        (Map<?, ?>)
            ((Map<?, ?>) ((Map<?, ?>) lb.get("endpoint")).get("address")).get("socketAddress");
    return socket.get("address") + ":" + socket.get("portValue");
  }

  private static String fairleadServiceAddress() {
    var svc = ControlPlaneManifestTest.service();
    ServicePort xds = ControlPlaneManifestTest.port(svc, "grpc-xds");
    return svc.getMetadata().getName()
        + "."
        + svc.getMetadata().getNamespace()
        + ".svc:"
        + xds.getPort();
  }

  static List<Container> initContainers(Deployment d) {
    List<Container> init = d.getSpec().getTemplate().getSpec().getInitContainers();
    return init == null ? List.of() : init;
  }

  static Container envoy(PodSpec pod) {
    List<Container> all = new ArrayList<>();
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    all.addAll(pod.getContainers());
    return all.stream().filter(c -> c.getName().equals("envoy")).findFirst().orElseThrow();
  }

  static VolumeMount mountOf(Container c, Path file) {
    return c.getVolumeMounts().stream()
        .filter(m -> file.startsWith(Path.of(m.getMountPath())))
        .findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing at " + file));
  }

  /** The port Envoy's startup or readiness probe waits for: its listener, sent by Fairlead. */
  private static int probePort(Container envoy) {
    Probe probe =
        envoy.getStartupProbe() != null ? envoy.getStartupProbe() : envoy.getReadinessProbe();
    IntOrString port = probe.getTcpSocket().getPort();
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return envoy.getPorts().stream()
        .filter(p -> p.getName().equals(port.getStrVal()))
        .findFirst()
        .orElseThrow()
        .getContainerPort();
  }
}
