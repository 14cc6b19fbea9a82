package io.fairlead.translators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.pgv.validate.Validate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The validator reads generated messages through their accessors ({@link GeneratedAccess}); here
 * every field of every Envoy message type is read both ways, set and unset, and must read the same:
 * a field named otherwise than protobuf's Java generator names it would read wrong, or fall back to
 * reflection without anyone noticing the cost.
 */
class GeneratedAccessTest {

  @Test
  void everyEnvoyFieldReadsTheSameThroughItsAccessorsAsThroughTheDescriptor() throws Exception {
    List<Descriptor> types = new ArrayList<>();
    for (FileDescriptor file : EnvoyDescriptorsTest.envoyFiles()) {
      EnvoyDescriptorsTest.collect(file.getMessageTypes(), types);
    }
    assertThat(types).hasSizeGreaterThan(1000);

    int fields = 0;
    List<String> reflective = new ArrayList<>();
    Map<String, String> disagreements = new LinkedHashMap<>();
    for (Descriptor type : types) {
      Optional<Message> generated = GeneratedAccess.defaultInstance(type);
      assertThat(generated).as("generated class of %s", type.getFullName()).isPresent();
      FieldDescriptor[] fds = type.getFields().toArray(new FieldDescriptor[0]);
      GeneratedAccess.Reader[] readers = GeneratedAccess.readers(generated.get().getClass(), fds);
      // each oneof member once as the one set, every other field set as well
      List<Message> samples = new ArrayList<>();
      samples.add(generated.get());
      for (int variant = 0; variant < Math.max(1, oneofMembers(type)); variant++) {
        samples.add(
            generated.get().getParserForType().parseFrom(filled(type, variant).toByteString()));
      }
      for (int i = 0; i < fds.length; i++) {
        fields++;
        if (readers[i] instanceof GeneratedAccess.Reflective) {
          reflective.add(fds[i].getFullName());
          continue;
        }
        GeneratedAccess.Reader slow = new GeneratedAccess.Reflective(fds[i]);
        for (Message m : samples) {
          boolean present = readers[i].present(m);
          if (present != slow.present(m) || !readers[i].get(m).equals(slow.get(m))) {
            disagreements.putIfAbsent(
                fds[i].getFullName(),
                "present " + present + " vs " + slow.present(m) + " in " + m.toString());
          }
        }
      }
    }
    assertThat(disagreements).isEmpty();
    // the fall-back is for names the generator changes; if most fields fell back, the naming broke
    assertThat(reflective.size())
        .as("fields read through reflection: %s", reflective)
        .isLessThan(fields / 100);
    assertThat(fields).isGreaterThan(5000);
  }

  @Test
  void anAnyIsParsedIntoItsGeneratedClassAndATypeWithoutOneStaysDynamic() throws Exception {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder().setStatPrefix("in").build();
    Message parsed =
        GeneratedAccess.parse(HttpConnectionManager.getDescriptor(), hcm.toByteString());
    assertThat(parsed).isInstanceOf(HttpConnectionManager.class).isEqualTo(hcm);

    Descriptor synthetic =
        SyntheticMessages.single(
            Type.TYPE_STRING, "", false, Validate.FieldRules.getDefaultInstance());
    assertThat(GeneratedAccess.defaultInstance(synthetic)).isEmpty();
    assertThat(GeneratedAccess.parse(synthetic, ByteString.EMPTY))
        .isInstanceOf(DynamicMessage.class);
  }

  @Test
  void namesAreCamelCasedAsProtobufsJavaGeneratorDoes() {
    assertThat(GeneratedAccess.camel("cluster_discovery_type")).isEqualTo("ClusterDiscoveryType");
    assertThat(GeneratedAccess.camel("ipv4_compat")).isEqualTo("Ipv4Compat");
    assertThat(GeneratedAccess.camel("foo_bar2baz")).isEqualTo("FooBar2Baz");
    assertThat(GeneratedAccess.camel("http2_protocol_options")).isEqualTo("Http2ProtocolOptions");
    // the accessors those names stand for exist
    Cluster cluster = Cluster.newBuilder().setName("c").build();
    FieldDescriptor[] fds = {
      Cluster.getDescriptor().findFieldByName("name"),
      Cluster.getDescriptor().findFieldByName("type"),
      Cluster.getDescriptor().findFieldByName("load_assignment")
    };
    GeneratedAccess.Reader[] readers = GeneratedAccess.readers(Cluster.class, fds);
    assertThat(readers).noneMatch(r -> r instanceof GeneratedAccess.Reflective);
    assertThat(readers[0].get(cluster)).isEqualTo("c");
    assertThat(readers[1].present(cluster)).isFalse();
    assertThat(readers[2].present(cluster)).isFalse();
    Address a =
        Address.newBuilder()
            .setSocketAddress(SocketAddress.newBuilder().setAddress("10.0.0.1").setPortValue(80))
            .build();
    FieldDescriptor port = SocketAddress.getDescriptor().findFieldByName("port_value");
    assertThat(
            GeneratedAccess.readers(SocketAddress.class, new FieldDescriptor[] {port})[0].present(
                a.getSocketAddress()))
        .isTrue();
  }

  private static int oneofMembers(Descriptor type) {
    return type.getRealOneofs().stream().mapToInt(o -> o.getFieldCount()).max().orElse(0);
  }

  /**
   * A message with every field set to a value other than its default (one item for repeated fields
   * and maps), and of each oneof its member number {@code variant} (the last when it has fewer);
   * nested messages are set but empty.
   */
  private static DynamicMessage filled(Descriptor type, int variant) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    for (FieldDescriptor f : type.getFields()) {
      if (f.getRealContainingOneof() != null) {
        List<FieldDescriptor> members = f.getRealContainingOneof().getFields();
        if (members.indexOf(f) != Math.min(variant, members.size() - 1)) {
          continue;
        }
      }
      Object value = value(f);
      if (f.isRepeated()) {
        b.addRepeatedField(f, value);
      } else {
        b.setField(f, value);
      }
    }
    return b.build();
  }

  private static Object value(FieldDescriptor f) {
    return switch (f.getJavaType()) {
      case INT -> 7;
      case LONG -> 7L;
      case FLOAT -> 0.5f;
      case DOUBLE -> 0.5d;
      case BOOLEAN -> true;
      case STRING -> "x";
      case BYTE_STRING -> ByteString.copyFromUtf8("x");
      case ENUM -> lastValue(f);
      case MESSAGE ->
          f.isMapField() ? mapEntry(f) : DynamicMessage.getDefaultInstance(f.getMessageType());
    };
  }

  private static EnumValueDescriptor lastValue(FieldDescriptor f) {
    List<EnumValueDescriptor> values = f.getEnumType().getValues();
    return values.get(values.size() - 1);
  }

  private static DynamicMessage mapEntry(FieldDescriptor f) {
    Descriptor entry = f.getMessageType();
    DynamicMessage.Builder b = DynamicMessage.newBuilder(entry);
    for (FieldDescriptor kv : entry.getFields()) {
      b.setField(kv, value(kv));
    }
    return b.build();
  }
}
