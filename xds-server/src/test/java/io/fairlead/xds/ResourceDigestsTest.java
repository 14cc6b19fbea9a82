package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import org.junit.jupiter.api.Test;

class ResourceDigestsTest {

  @Test
  void equalResourcesAreSerializedOncePerRoundAndShareOneInstance() {
    ResourceDigests digests = new ResourceDigests();
    digests.nextRound();
    // Three groups translating to equal but distinct objects.
    Cluster first = Fixtures.cluster("a");
    Cluster second = Fixtures.cluster("a");
    Cluster third = Fixtures.cluster("a");
    assertThat(second).isNotSameAs(first);

    var a = digests.digest(first);
    var b = digests.digest(second);
    var c = digests.digest(third);

    assertThat(digests.serializations()).isEqualTo(1);
    assertThat(b.resource()).isSameAs(a.resource());
    assertThat(c).isSameAs(a);
    assertThat(a.version()).hasSize(32).matches("[0-9a-f]+");
  }

  @Test
  void theNextRoundReusesUnchangedResourcesAndForgetsOldOnes() {
    ResourceDigests digests = new ResourceDigests();
    digests.nextRound();
    digests.digest(Fixtures.cluster("a"));
    digests.digest(Fixtures.cluster("b"));
    assertThat(digests.serializations()).isEqualTo(2);

    digests.nextRound();
    digests.digest(Fixtures.cluster("a"));
    assertThat(digests.serializations()).as("a came from the last round").isEqualTo(2);

    digests.nextRound();
    digests.digest(Fixtures.cluster("b"));
    assertThat(digests.serializations()).as("b was not used in the last round").isEqualTo(3);
  }

  @Test
  void differentContentHasDifferentVersions() {
    ResourceDigests digests = new ResourceDigests();
    assertThat(digests.digest(Fixtures.cluster("a")).version())
        .isNotEqualTo(digests.digest(Fixtures.cluster("b")).version());
  }
}
