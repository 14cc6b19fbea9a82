package io.fairlead.translators.validate;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Internal;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the validator reads messages fast: the generated class of a descriptor (so that an {@code
 * Any} is parsed into it, not into a {@link DynamicMessage} that Envoy's semantic checks would
 * parse again), and per field of a generated class a {@link Reader} that calls the generated
 * accessor ({@code hasX()}, {@code getXCount()}, {@code getX()}) directly.
 *
 * <p>{@link Message#hasField} and {@link Message#getField} on a generated message go through
 * protobuf's reflective accessor table, which on Java 17 checks the caller's access on every call:
 * in a profile of warm first-state translations that check was about a sixth of the validator's
 * samples. A reader holds method handles, whose access is checked once, when they are made. A field
 * whose accessor is not found under the name protobuf's Java generator gives it (or has another
 * return type than the field's) is read through the descriptor, as before; {@code
 * GeneratedAccessTest} reads every field of every Envoy message type both ways, set and unset.
 */
final class GeneratedAccess {

  private GeneratedAccess() {}

  /** Reads one field of messages of one generated class, with {@link Message}'s semantics. */
  interface Reader {
    /** As {@link Message#hasField} for a singular field, a non-empty list for a repeated one. */
    boolean present(Message m);

    /** As {@link Message#getField}. */
    Object get(Message m);
  }

  /** Through the descriptor: any message, dynamic ones included. */
  record Reflective(FieldDescriptor fd) implements Reader {
    @Override
    public boolean present(Message m) {
      return fd.isRepeated() ? m.getRepeatedFieldCount(fd) > 0 : m.hasField(fd);
    }

    @Override
    public Object get(Message m) {
      return m.getField(fd);
    }
  }

  private static final Map<Descriptor, Optional<Message>> DEFAULTS = new ConcurrentHashMap<>();

  /** The default instance of the generated class of {@code d}, when one is on the class path. */
  static Optional<Message> defaultInstance(Descriptor d) {
    Optional<Message> known = DEFAULTS.get(d);
    if (known == null) {
      known = findDefaultInstance(d);
      DEFAULTS.putIfAbsent(d, known);
    }
    return known;
  }

  /** {@code bytes} parsed as a {@code type}: into its generated class when there is one. */
  static Message parse(Descriptor type, ByteString bytes) throws InvalidProtocolBufferException {
    Optional<Message> generated = defaultInstance(type);
    return generated.isPresent()
        ? generated.get().getParserForType().parseFrom(bytes)
        : DynamicMessage.parseFrom(type, bytes);
  }

  private static Optional<Message> findDefaultInstance(Descriptor d) {
    try {
      Class<?> c = Class.forName(javaClassName(d), false, GeneratedAccess.class.getClassLoader());
      if (!Message.class.isAssignableFrom(c)) {
        return Optional.empty();
      }
      Message instance = (Message) c.getMethod("getDefaultInstance").invoke(null);
      // the same descriptor object, not one of the same name built elsewhere (a test's types)
      return instance.getDescriptorForType() == d ? Optional.of(instance) : Optional.empty();
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static String javaClassName(Descriptor d) {
    FileDescriptor file = d.getFile();
    String pkg = file.getOptions().getJavaPackage();
    if (pkg.isEmpty()) {
      pkg = file.getPackage();
    }
    List<String> names = new ArrayList<>();
    for (Descriptor t = d; t != null; t = t.getContainingType()) {
      names.add(0, t.getName());
    }
    String nested = String.join("$", names);
    String prefix = pkg.isEmpty() ? "" : pkg + ".";
    if (file.getOptions().getJavaMultipleFiles()) {
      return prefix + nested;
    }
    String outer = file.getOptions().getJavaOuterClassname();
    if (outer.isEmpty()) {
      String base = file.getName().substring(file.getName().lastIndexOf('/') + 1);
      outer = camel(base.endsWith(".proto") ? base.substring(0, base.length() - 6) : base);
    }
    return prefix + outer + "$" + nested;
  }

  /**
   * Readers of {@code fields} for messages of class {@code c}: through the generated accessors when
   * {@code c} is the generated class of their type, through the descriptor otherwise.
   */
  static Reader[] readers(Class<?> c, FieldDescriptor[] fields) {
    Reader[] readers = new Reader[fields.length];
    boolean generated =
        fields.length > 0
            && defaultInstance(fields[0].getContainingType())
                .map(i -> i.getClass() == c)
                .orElse(false);
    for (int i = 0; i < fields.length; i++) {
      Reader fast = generated ? generatedReader(c, fields[i]) : null;
      readers[i] = fast != null ? fast : new Reflective(fields[i]);
    }
    return readers;
  }

  // Names protobuf's Java generator changes (it appends '_') because they clash with Message's own
  // methods, so an accessor under the plain name would be the wrong method.
  private static final Set<String> FORBIDDEN =
      Set.of(
          "Class",
          "DefaultInstance",
          "DefaultInstanceForType",
          "DescriptorForType",
          "ParserForType",
          "SerializedSize",
          "UnknownFields",
          "AllFields",
          "InitializationErrorString",
          "CachedSize",
          "MemoizedSerializedSize");

  /** A reader through the generated accessors, or null to read through the descriptor. */
  private static Reader generatedReader(Class<?> c, FieldDescriptor fd) {
    String name = camel(fd.getName());
    if (FORBIDDEN.contains(name) || fd.isExtension()) {
      return null;
    }
    if (fd.isRepeated()) {
      MethodHandle count = method(c, "get" + name + "Count", int.class);
      return count == null ? null : new Repeated(fd, count);
    }
    MethodHandle get;
    MethodHandle enumNumber = null;
    if (fd.getJavaType() == FieldDescriptor.JavaType.ENUM) {
      // an open enum reads as its number: an unknown number is a value too, as getField gives it
      enumNumber = method(c, "get" + name + "Value", int.class);
      if (enumNumber == null) {
        return null;
      }
      get = null;
    } else {
      Class<?> type = javaType(fd);
      get = type == null ? null : method(c, "get" + name, type);
      if (get == null) {
        return null;
      }
    }
    MethodHandle has = fd.hasPresence() ? method(c, "has" + name, boolean.class) : null;
    MethodHandle oneofCase = null;
    OneofDescriptor oneof = fd.getRealContainingOneof();
    if (fd.hasPresence() && has == null) {
      if (oneof == null) {
        return null;
      }
      oneofCase = method(c, "get" + camel(oneof.getName()) + "Case", null);
      if (oneofCase != null && !oneofCaseIsEnumLite(c, oneof)) {
        oneofCase = null;
      }
      if (oneofCase == null) {
        return null;
      }
    }
    return new Singular(fd, get, enumNumber, has, oneofCase);
  }

  private static boolean oneofCaseIsEnumLite(Class<?> c, OneofDescriptor oneof) {
    try {
      return Internal.EnumLite.class.isAssignableFrom(
          c.getMethod("get" + camel(oneof.getName()) + "Case").getReturnType());
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static Class<?> javaType(FieldDescriptor fd) {
    return switch (fd.getJavaType()) {
      case INT -> int.class;
      case LONG -> long.class;
      case FLOAT -> float.class;
      case DOUBLE -> double.class;
      case BOOLEAN -> boolean.class;
      case STRING -> String.class;
      case BYTE_STRING -> ByteString.class;
      case ENUM -> int.class;
      case MESSAGE ->
          defaultInstance(fd.getMessageType()).<Class<?>>map(Object::getClass).orElse(null);
    };
  }

  /**
   * A public no-argument method of {@code c} returning {@code type} (any type when null), as a
   * handle taking a {@link Message} and returning an {@link Object} (boxed): a method handle checks
   * access once, when it is made, not on every call as {@link Method#invoke} does.
   */
  private static MethodHandle method(Class<?> c, String name, Class<?> type) {
    try {
      Method m = c.getMethod(name);
      if (type != null && m.getReturnType() != type) {
        return null;
      }
      return MethodHandles.publicLookup().unreflect(m).asType(READ);
    } catch (NoSuchMethodException | IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  private static final MethodType READ = MethodType.methodType(Object.class, Message.class);

  private static Object call(MethodHandle h, Message target) {
    try {
      return h.invokeExact(target);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("generated accessor threw", e);
    }
  }

  private record Repeated(FieldDescriptor fd, MethodHandle count) implements Reader {
    @Override
    public boolean present(Message m) {
      return (Integer) call(count, m) > 0;
    }

    @Override
    public Object get(Message m) {
      return m.getField(fd); // a list: of enum value descriptors for an enum, as Message gives it
    }
  }

  private record Singular(
      FieldDescriptor fd,
      MethodHandle get,
      MethodHandle enumNumber,
      MethodHandle has,
      MethodHandle oneofCase)
      implements Reader {
    @Override
    public boolean present(Message m) {
      if (has != null) {
        return (Boolean) call(has, m);
      }
      if (oneofCase != null) {
        return ((Internal.EnumLite) call(oneofCase, m)).getNumber() == fd.getNumber();
      }
      // no presence: set when it is not the default, as GeneratedMessageV3.hasField decides
      return !get(m).equals(fd.getDefaultValue());
    }

    @Override
    public Object get(Message m) {
      if (enumNumber != null) {
        int n = (Integer) call(enumNumber, m);
        return fd.getEnumType().findValueByNumberCreatingIfUnknown(n);
      }
      return call(get, m);
    }
  }

  /** protobuf's Java name of a field or oneof: {@code foo_bar2baz} is {@code FooBar2Baz}. */
  static String camel(String name) {
    StringBuilder b = new StringBuilder(name.length());
    boolean upper = true;
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch >= 'a' && ch <= 'z') {
        b.append(upper ? Character.toUpperCase(ch) : ch);
        upper = false;
      } else if (ch >= 'A' && ch <= 'Z') {
        b.append(ch);
        upper = false;
      } else if (ch >= '0' && ch <= '9') {
        b.append(ch);
        upper = true;
      } else {
        upper = true;
      }
    }
    return b.toString();
  }
}
