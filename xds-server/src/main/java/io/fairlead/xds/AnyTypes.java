package io.fairlead.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the types packed in {@code Any} fields, at any depth, so resources can be printed as
 * protobuf JSON. Envoy, xDS and UDPA protos use {@code java_multiple_files}, so a type's Java class
 * follows from its full name and the package's {@code java_package}.
 */
final class AnyTypes {

  private static final List<Map.Entry<String, String>> JAVA_PACKAGES =
      List.of(
          Map.entry("envoy.", "io.envoyproxy.envoy."),
          Map.entry("xds.", "com.github.xds."),
          Map.entry("udpa.", "com.github.udpa.udpa."),
          Map.entry("google.protobuf.", "com.google.protobuf."));

  private static final Map<String, Optional<Descriptor>> KNOWN = new ConcurrentHashMap<>();

  private AnyTypes() {}

  /** A registry with every type packed in these messages that is on the class path. */
  static TypeRegistry registryFor(Iterable<? extends Message> messages) {
    TypeRegistry.Builder registry = TypeRegistry.newBuilder();
    Deque<Message> pending = new ArrayDeque<>();
    messages.forEach(pending::add);
    while (!pending.isEmpty()) {
      Message message = pending.pop();
      for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
        if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
          continue;
        }
        List<?> values =
            field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
        for (Object value : values) {
          Message child = (Message) value;
          if (child
              .getDescriptorForType()
              .getFullName()
              .equals(Any.getDescriptor().getFullName())) {
            unpack(child, registry).ifPresent(pending::push);
          } else {
            pending.push(child);
          }
        }
      }
    }
    return registry.build();
  }

  private static Optional<Message> unpack(Message anyMessage, TypeRegistry.Builder registry) {
    Any any = anyMessage instanceof Any a ? a : Any.newBuilder().mergeFrom(anyMessage).build();
    String typeName = any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1);
    Optional<Descriptor> descriptor = KNOWN.computeIfAbsent(typeName, AnyTypes::lookUp);
    if (descriptor.isEmpty()) {
      return Optional.empty();
    }
    registry.add(descriptor.get());
    try {
      return Optional.of(DynamicMessage.parseFrom(descriptor.get(), any.getValue()));
    } catch (InvalidProtocolBufferException e) {
      // The printer will report it; there is nothing further to find inside.
      return Optional.empty();
    }
  }

  private static Optional<Descriptor> lookUp(String typeName) {
    for (Map.Entry<String, String> pkg : JAVA_PACKAGES) {
      if (typeName.startsWith(pkg.getKey())) {
        return loadClass(pkg.getValue() + typeName.substring(pkg.getKey().length()));
      }
    }
    return Optional.empty();
  }

  /** Tries {@code a.b.C}, then {@code a.b.C$D} style names for nested messages. */
  private static Optional<Descriptor> loadClass(String className) {
    String candidate = className;
    while (true) {
      try {
        Class<?> type = Class.forName(candidate, false, AnyTypes.class.getClassLoader());
        if (Message.class.isAssignableFrom(type)) {
          return Optional.of((Descriptor) type.getMethod("getDescriptor").invoke(null));
        }
        return Optional.empty();
      } catch (ClassNotFoundException e) {
        int dot = candidate.lastIndexOf('.');
        if (dot < 0) {
          return Optional.empty();
        }
        candidate = candidate.substring(0, dot) + '$' + candidate.substring(dot + 1);
      } catch (ReflectiveOperationException | ClassCastException e) {
        return Optional.empty();
      }
    }
  }
}
