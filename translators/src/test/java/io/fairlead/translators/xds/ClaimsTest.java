package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conflicts between Services are decided on their claims, whatever order they arrive in. */
class ClaimsTest {

  private static final ObjectRef A = new ObjectRef("a", "web");
  private static final ObjectRef B = new ObjectRef("b", "web");

  /**
   * Two dual-stack Services that share only their IPv6 virtual IP: the second loses its listener
   * (Envoy would reject two listeners on one address) and says so, although their first (IPv4)
   * addresses differ.
   */
  @Test
  void dualStackServicesClashingOnlyOnTheirIpv6AddressAreCaught() {
    List<Claims.Address> claims =
        List.of(
            new Claims.Address(B, "http", "10.96.0.2:80", "b/web:80"),
            new Claims.Address(B, "http", "fd00::1:80", "b/web:80"),
            new Claims.Address(A, "http", "10.96.0.1:80", "a/web:80"),
            new Claims.Address(A, "http", "fd00::1:80", "a/web:80"));

    Claims.AddressResolution r = Claims.addresses(claims);

    assertThat(r.losingListeners()).containsExactly("b/web:80");
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo(Reason.ADDRESS_CONFLICT);
              assertThat(d.object()).isEqualTo("b/web");
              assertThat(d.message()).contains("fd00::1:80", "a/web:80");
            });
  }

  @Test
  void theFirstServiceInNamespaceNameOrderKeepsTheAddressWhateverTheInputOrder() {
    Claims.Address a = new Claims.Address(A, "http", "10.96.0.1:80", "a/web:80");
    Claims.Address b = new Claims.Address(B, "http", "10.96.0.1:80", "b/web:80");
    assertThat(Claims.addresses(List.of(a, b)).losingListeners()).containsExactly("b/web:80");
    assertThat(Claims.addresses(List.of(b, a)).losingListeners()).containsExactly("b/web:80");
  }

  @Test
  void oneServiceOnSeveralAddressesIsNoConflict() {
    List<Claims.Address> claims =
        List.of(
            new Claims.Address(A, "http", "10.96.0.1:80", "a/web:80"),
            new Claims.Address(A, "grpc", "10.96.0.1:9090", "a/web:9090"));
    assertThat(Claims.addresses(claims).losingListeners()).isEmpty();
    assertThat(Claims.addresses(claims).diagnostics()).isEmpty();
  }
}
