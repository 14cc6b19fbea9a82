package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import org.junit.jupiter.api.Test;

/** The delta wire form holds its text as bytes; the message must be the one built from strings. */
class WireResourcesTest {

  @Test
  void aResourceIsTheMessageBuiltFromItsStringsAndSharedByIdentity() throws Exception {
    WireResources wire = new WireResources();
    for (com.google.protobuf.Message m :
        new com.google.protobuf.Message[] {
          Cluster.newBuilder().setName("outbound|80||web.shop.svc.cluster.local").build(),
          ClusterLoadAssignment.newBuilder().setClusterName("ünïcode/名前").build()
        }) {
      String name = m instanceof Cluster c ? c.getName() : "ünïcode/名前";
      VersionedResource<?> versioned = VersionedResource.create(m, "v-ä1");
      Resource ours = wire.of(name, versioned);
      Resource strings =
          Resource.newBuilder().setName(name).setVersion("v-ä1").setResource(Any.pack(m)).build();
      assertThat(ours).isEqualTo(strings);
      assertThat(ours.toByteString()).isEqualTo(strings.toByteString());
      assertThat(ours.getResource().unpack(m.getClass())).isEqualTo(m);
      assertThat(wire.of(name, versioned)).isSameAs(ours);
    }
  }
}
