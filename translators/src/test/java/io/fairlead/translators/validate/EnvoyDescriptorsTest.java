package io.fairlead.translators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Runs the validator over every message type in the java-control-plane api jar, so a rule kind or
 * rule placement Envoy uses that the walk cannot handle shows up as a failure, not in production.
 */
class EnvoyDescriptorsTest {

  private final XdsValidator validator = XdsValidator.withEnvoyTypes();

  @Test
  void everyEnvoyMessageTypeIsWalkedWithoutMisplacedRules() throws Exception {
    List<Descriptor> types = new ArrayList<>();
    for (FileDescriptor file : envoyFiles()) {
      collect(file.getMessageTypes(), types);
    }
    assertThat(types).hasSizeGreaterThan(1000);

    Map<String, String> failures = new LinkedHashMap<>();
    for (Descriptor type : types) {
      try {
        for (Violation v : validator.validateMessage(type.getFullName(), filled(type, 2))) {
          if (v.message().startsWith("validate rule kind")) {
            failures.putIfAbsent(type.getFullName(), v.toString());
          }
        }
      } catch (RuntimeException e) {
        failures.putIfAbsent(type.getFullName(), e.toString());
      }
    }
    assertThat(failures).isEmpty();
  }

  /** A message with every message field set (one item for repeated fields and maps), to a depth. */
  private static DynamicMessage filled(Descriptor type, int depth) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    if (depth == 0) {
      return b.build();
    }
    for (FieldDescriptor f : type.getFields()) {
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE
          || f.getRealContainingOneof() != null) {
        continue;
      }
      DynamicMessage child = filled(f.getMessageType(), f.isMapField() ? 1 : depth - 1);
      if (f.isRepeated()) {
        b.addRepeatedField(f, child);
      } else {
        b.setField(f, child);
      }
    }
    return b.build();
  }

  static void collect(List<Descriptor> types, List<Descriptor> out) {
    for (Descriptor d : types) {
      if (!d.getOptions().getMapEntry()) {
        out.add(d);
      }
      collect(d.getNestedTypes(), out);
    }
  }

  static List<FileDescriptor> envoyFiles() throws IOException, URISyntaxException {
    Path jar = Path.of(Cluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Map<String, FileDescriptor> files = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (var entry : Collections.list(zip.entries())) {
        String name = entry.getName();
        if (!name.startsWith("io/envoyproxy/envoy/")
            || !name.endsWith("Proto.class")
            || name.contains("$")) {
          continue;
        }
        try {
          Class<?> outer = Class.forName(name.replace('/', '.').replace(".class", ""));
          Method m = outer.getMethod("getDescriptor");
          if (m.getReturnType() == FileDescriptor.class) {
            FileDescriptor fd = (FileDescriptor) m.invoke(null);
            files.putIfAbsent(fd.getName(), fd);
          }
        } catch (ReflectiveOperationException e) {
          // a class named *Proto that is not a generated outer class
        }
      }
    }
    return List.copyOf(files.values());
  }
}
