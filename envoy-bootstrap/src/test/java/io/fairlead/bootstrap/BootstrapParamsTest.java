package io.fairlead.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairlead.translators.ProxyRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input becomes an IllegalArgumentException with one line that names the problem. */
class BootstrapParamsTest {

  private static BootstrapParams.Builder valid() {
    return BootstrapParams.builder()
        .role(ProxyRole.SIDECAR)
        .xdsAddress("fairlead:18000")
        .nodeId("sidecar~a")
        .cluster("a");
  }

  private static void assertOneLineError(BootstrapParams.Builder builder, String expected) {
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fairlead",
        "fairlead:",
        ":18000",
        "fairlead:0",
        "fairlead:65536",
        "fairlead:http",
        "fairlead:-1",
        "fair lead:18000",
        "fairlead:18000\nx",
        "::1:18000",
        "[::1]",
        "[::1]18000",
        "[10.0.0.1]:18000",
        "10.0.0.300:18000",
        "under_score:18000",
        "-lead:18000",
        "http://fairlead:18000",
        "fairlead:18000/"
      })
  void invalidXdsAddressIsRejected(String address) {
    assertOneLineError(valid().xdsAddress(address), "invalid xDS address");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   "})
  void missingXdsAddressIsRejected(String address) {
    assertOneLineError(valid().xdsAddress(address), "invalid xDS address \"\": expected host:port");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "fairlead:18000|fairlead|18000",
        "fairlead.fairlead-system.svc.cluster.local:1|fairlead.fairlead-system.svc.cluster.local|1",
        "10.96.0.10:65535|10.96.0.10|65535",
        "[fd00::1]:18000|fd00::1|18000",
        "LOCALHOST:15010|LOCALHOST|15010"
      })
  void validXdsAddressIsSplit(String text, String host, int port) {
    assertThat(XdsAddress.parse(text)).isEqualTo(new XdsAddress(host, port));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t"})
  void emptyNodeIdIsRejected(String nodeId) {
    assertOneLineError(valid().nodeId(nodeId), "node id must not be empty");
  }

  @Test
  void nodeIdWithLineBreakIsRejected() {
    assertOneLineError(valid().nodeId("a\nb"), "node id must not contain control characters");
  }

  @Test
  void emptyClusterIsRejected() {
    assertOneLineError(valid().cluster(""), "cluster must not be empty");
  }

  @Test
  void emptyOptionalValueIsAnErrorNotAbsence() {
    assertOneLineError(valid().namespace(""), "namespace must not be empty");
  }

  @Test
  void proxylessRoleHasNoEnvoyBootstrap() {
    assertOneLineError(valid().role(ProxyRole.PROXYLESS), "role proxyless has no Envoy bootstrap");
  }

  @Test
  void missingRoleIsRejected() {
    assertOneLineError(valid().role(null), "role must be sidecar or gateway");
  }

  @Test
  void gatewayOptionsOnASidecarAreRejected() {
    assertOneLineError(valid().gatewayPort(8080), "apply only to the gateway role");
  }

  @Test
  void portsOutOfRangeAreRejected() {
    assertOneLineError(valid().adminPort(0), "admin port 0 is out of range 1..65535");
    assertOneLineError(
        valid().role(ProxyRole.GATEWAY).gatewayPort(70000),
        "gateway port 70000 is out of range 1..65535");
  }

  @Test
  void emptyTlsPathIsRejected() {
    assertThatThrownBy(() -> new TlsFiles("/ca.crt", "", "/tls.key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TLS certificate file must not be empty");
  }

  @Test
  void roleDefaultsApply() {
    BootstrapParams sidecar = valid().build();
    BootstrapParams gateway = valid().role(ProxyRole.GATEWAY).build();

    assertThat(sidecar.adminPort()).isEqualTo(15000);
    assertThat(sidecar.gatewayPort()).isEmpty();
    assertThat(gateway.adminPort()).isEqualTo(9901);
    assertThat(gateway.gatewayPort()).contains(8080);
  }

  @Test
  void dependenciesAndOnDemandAreForSidecarsAndPlainText() {
    assertOneLineError(
        valid().role(ProxyRole.GATEWAY).dependencies("cart"), "apply only to the sidecar role");
    assertOneLineError(
        valid().role(ProxyRole.GATEWAY).onDemand(true), "apply only to the sidecar role");
    assertOneLineError(valid().dependencies("cart\nweb"), "control characters");
    assertOneLineError(
        valid().dependencies("a".repeat(BootstrapParams.MAX_DEPENDENCIES_LENGTH + 1)),
        "longer than");
    // The control plane checks the entries: a typo is its diagnostic, not a Pod that cannot start.
    assertThat(valid().dependencies("Not A Service").build().dependencies())
        .contains("Not A Service");
  }
}
