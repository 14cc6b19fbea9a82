package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fairlead.cli.Main;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The mutual-TLS overlay (examples/kubernetes/mtls), its patches applied as kustomize would (JSON
 * 6902): serve gets the cert-manager Secret and refuses plaintext; the sidecar's bootstrap dials
 * with the pod's SPIFFE certificate, checks the server's name, and Envoy can read the files; the
 * server's Certificate carries the name proxies dial and the key encoding serve reads, and its
 * issuer chain ends at a CA Issuer whose CA signs it.
 */
class MtlsManifestTest {

  private static final Path MTLS = ExampleManifests.ROOT.resolve("mtls");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Deployment patched(String namespace, String name) {
    Kustomization k = Kustomization.read(MTLS.resolve(ExampleManifests.KUSTOMIZATION));
    Kustomization.Patch patch =
        k.patches().stream()
            .filter(p -> p.target().namespace().equals(namespace) && p.target().name().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no patch for " + namespace + "/" + name));
    assertThat(patch.target().kind()).isEqualTo("Deployment");
    assertThat(patch.target().group() + "/" + patch.target().version()).isEqualTo("apps/v1");
    List<Object> ops = StrictKubeYaml.documents("patch of " + name, patch.patch());
    assertThat(ops).hasSize(1);
    JsonNode base = JSON.valueToTree(ExampleManifests.deployment(namespace, name));
    JsonNode result =
        JsonPatch.apply(JSON.valueToTree(ops.get(0)), base); // fails on a failed "test" op
    return JSON.convertValue(result, Deployment.class);
  }

  private static <T> T only(Class<T> type, String name) {
    return ExampleManifests.ofKind(
            type.asSubclass(io.fabric8.kubernetes.api.model.HasMetadata.class))
        .stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .map(type::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  @Test
  void serveGetsTheCertManagerSecretAndRequiresMutualTls() {
    Deployment d = patched("fairlead-system", "fairlead");
    Container serve = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    ParseResult parsed =
        new CommandLine(new Main()).parseArgs(serve.getArgs().toArray(String[]::new)).subcommand();
    assertThat(parsed.commandSpec().name()).isEqualTo("serve");
    assertThat(parsed.hasMatchedOption("--require-mtls")).isTrue();

    CertManager.Certificate xds = only(CertManager.Certificate.class, "fairlead-xds");
    for (String option : List.of("--tls-cert", "--tls-key", "--tls-client-ca")) {
      Path file = Path.of(String.valueOf(parsed.<Object>matchedOptionValue(option, null)));
      VolumeMount mount = BootstrapInvocationTest.mountOf(serve, file);
      Volume volume = volume(d.getSpec().getTemplate().getSpec(), mount.getName());
      assertThat(volume.getSecret().getSecretName())
          .as(option)
          .isEqualTo(xds.getSpec().secretName());
      // cert-manager writes tls.crt, tls.key and ca.crt into its Secret
      assertThat(file.getFileName().toString()).as(option).isIn("tls.crt", "tls.key", "ca.crt");
    }
  }

  @Test
  void theServerCertificateNamesWhatProxiesDialAndChainsToTheMeshCa() {
    CertManager.Certificate xds = only(CertManager.Certificate.class, "fairlead-xds");
    String dialled =
        ControlPlaneManifestTest.service().getMetadata().getName()
            + "."
            + ControlPlaneManifestTest.service().getMetadata().getNamespace()
            + ".svc";
    assertThat(xds.getSpec().dnsNames()).contains(dialled);
    assertThat(xds.getSpec().privateKey().encoding())
        .as("serve --tls-key reads PKCS#8")
        .isEqualTo("PKCS8");
    assertThat(xds.getSpec().usages()).contains("server auth");

    CertManager.Issuer ca = only(CertManager.Issuer.class, xds.getSpec().issuerRef().name());
    assertThat(ca.getMetadata().getNamespace()).isEqualTo(xds.getMetadata().getNamespace());
    CertManager.Certificate caCert =
        ExampleManifests.ofKind(CertManager.Certificate.class).stream()
            .filter(c -> c.getSpec().secretName().equals(ca.getSpec().ca().secretName()))
            .findFirst()
            .orElseThrow();
    assertThat(caCert.getSpec().isCA()).isTrue();
    CertManager.Issuer root = only(CertManager.Issuer.class, caCert.getSpec().issuerRef().name());
    assertThat(root.getSpec().selfSigned()).isNotNull();
  }

  @Test
  void theSidecarDialsWithItsSpiffeCertificateAndChecksTheServersName() {
    Deployment d = patched("fairlead-demo", "greeter-client");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container init =
        BootstrapInvocationTest.initContainers(d).stream()
            .filter(c -> c.getName().equals("fairlead-bootstrap"))
            .findFirst()
            .orElseThrow();
    Map<String, String> env = new TreeMap<>();
    for (EnvVar v : init.getEnv()) {
      String field = v.getValueFrom().getFieldRef().getFieldPath();
      env.put(
          v.getName(),
          field.equals("metadata.namespace")
              ? "fairlead-demo"
              : BootstrapInvocationTest.DOWNWARD_SAMPLES.get(field));
    }
    List<String> words = ShellWords.split(init.getArgs().get(0), env);
    int redirect = words.indexOf(">");
    List<String> cliArgs =
        new ArrayList<>(words.subList(BootstrapInvocationTest.JAVA_PREFIX.size() - 1, redirect));
    Map<?, ?> bootstrap = BootstrapInvocationTest.runBootstrap(cliArgs);

    Map<?, ?> cluster =
        (Map<?, ?>)
            ((List<?>) ((Map<?, ?>) bootstrap.get("staticResources")).get("clusters")).get(0);
    Map<?, ?> tls = (Map<?, ?>) ((Map<?, ?>) cluster.get("transportSocket")).get("typedConfig");
    Map<?, ?> common = (Map<?, ?>) tls.get("commonTlsContext");
    Map<?, ?> validation = (Map<?, ?>) common.get("validationContext");
    Map<?, ?> san = (Map<?, ?>) ((List<?>) validation.get("matchTypedSubjectAltNames")).get(0);
    assertThat(san.get("sanType")).isEqualTo("DNS");
    assertThat(((Map<?, ?>) san.get("matcher")).get("exact"))
        .as("the name in the server's certificate")
        .isIn(only(CertManager.Certificate.class, "fairlead-xds").getSpec().dnsNames());

    Map<?, ?> certificate = (Map<?, ?>) ((List<?>) common.get("tlsCertificates")).get(0);
    List<String> files =
        List.of(
            (String) ((Map<?, ?>) validation.get("trustedCa")).get("filename"),
            (String) ((Map<?, ?>) certificate.get("certificateChain")).get("filename"),
            (String) ((Map<?, ?>) certificate.get("privateKey")).get("filename"));
    Container envoy = BootstrapInvocationTest.envoy(pod);
    for (String file : files) {
      VolumeMount mount = BootstrapInvocationTest.mountOf(envoy, Path.of(file));
      Volume volume = volume(pod, mount.getName());
      assertThat(volume.getCsi().getDriver()).as(file).isEqualTo("spiffe.csi.cert-manager.io");
      assertThat(volume.getCsi().getVolumeAttributes())
          .as("the key readable by Envoy's group")
          .containsEntry(
              "spiffe.csi.cert-manager.io/fs-group",
              String.valueOf(envoy.getSecurityContext().getRunAsGroup()));
    }
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
