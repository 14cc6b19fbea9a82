package io.fairlead.translators.validate;

import com.google.protobuf.AnyProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FieldOptions;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.WrappersProto;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.util.List;

/**
 * Builds message types at test time whose fields carry chosen PGV rules, so every rule kind can be
 * tested, including kinds no Envoy field uses.
 */
final class SyntheticMessages {

  static final String ENUM = ".test.E"; // values ZERO = 0, ONE = 1, TWO = 2

  private static int counter;

  private SyntheticMessages() {}

  /** A proto3 message {@code T} with one field {@code f} (number 1) of the given type. */
  static Descriptor single(Type type, String typeName, boolean repeated, FieldRules rules) {
    FieldDescriptorProto.Builder f = field("f", 1, type, typeName, rules);
    if (repeated) {
      f.setLabel(Label.LABEL_REPEATED);
    }
    return build(DescriptorProto.newBuilder().setName("T").addField(f)).findMessageTypeByName("T");
  }

  /** {@code map<string, valueType> f = 1} with the given map rules. */
  static Descriptor map(Type valueType, String valueTypeName, FieldRules rules) {
    DescriptorProto.Builder entry =
        DescriptorProto.newBuilder()
            .setName("FEntry")
            .setOptions(MessageOptions.newBuilder().setMapEntry(true))
            .addField(field("key", 1, Type.TYPE_STRING, "", FieldRules.getDefaultInstance()))
            .addField(field("value", 2, valueType, valueTypeName, FieldRules.getDefaultInstance()));
    DescriptorProto.Builder t =
        DescriptorProto.newBuilder()
            .setName("T")
            .addNestedType(entry)
            .addField(
                field("f", 1, Type.TYPE_MESSAGE, ".test.T.FEntry", rules)
                    .setLabel(Label.LABEL_REPEATED));
    return build(t).findMessageTypeByName("T");
  }

  /** {@code T { oneof o { string a = 1; string b = 2; } }} with validate.required on the oneof. */
  static Descriptor requiredOneof() {
    DescriptorProto.Builder t =
        DescriptorProto.newBuilder()
            .setName("T")
            .addOneofDecl(
                OneofDescriptorProto.newBuilder()
                    .setName("o")
                    .setOptions(OneofOptions.newBuilder().setExtension(Validate.required, true)))
            .addField(
                field("a", 1, Type.TYPE_STRING, "", FieldRules.getDefaultInstance())
                    .setOneofIndex(0))
            .addField(
                field("b", 2, Type.TYPE_STRING, "", FieldRules.getDefaultInstance())
                    .setOneofIndex(0));
    return build(t).findMessageTypeByName("T");
  }

  /**
   * {@code T { Inner inner = 1 [rules]; }} where {@code Inner { string s = 1 [min_len: 1]; }}
   * carries the given message options.
   */
  static Descriptor nested(FieldRules innerFieldRules, MessageOptions innerOptions) {
    FieldRules minLen =
        FieldRules.newBuilder().setString(Validate.StringRules.newBuilder().setMinLen(1)).build();
    DescriptorProto.Builder inner =
        DescriptorProto.newBuilder()
            .setName("Inner")
            .setOptions(innerOptions)
            .addField(field("s", 1, Type.TYPE_STRING, "", minLen));
    DescriptorProto.Builder t =
        DescriptorProto.newBuilder()
            .setName("T")
            .addField(field("inner", 1, Type.TYPE_MESSAGE, ".test.Inner", innerFieldRules));
    return build(inner, t).findMessageTypeByName("T");
  }

  /** A message of type {@code d} whose field {@code f} holds {@code value} (null: unset). */
  static DynamicMessage with(Descriptor d, Object value) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(d);
    FieldDescriptor f = d.findFieldByName("f");
    if (value == null) {
      return b.build();
    }
    if (f.isRepeated()) {
      for (Object item : (List<?>) value) {
        b.addRepeatedField(f, convert(f, item));
      }
    } else {
      b.setField(f, convert(f, value));
    }
    return b.build();
  }

  private static Object convert(FieldDescriptor f, Object value) {
    if (f.getType() == FieldDescriptor.Type.ENUM && value instanceof Integer n) {
      return f.getEnumType().findValueByNumberCreatingIfUnknown(n);
    }
    return value;
  }

  private static FieldDescriptorProto.Builder field(
      String name, int number, Type type, String typeName, FieldRules rules) {
    FieldDescriptorProto.Builder f =
        FieldDescriptorProto.newBuilder()
            .setName(name)
            .setNumber(number)
            .setType(type)
            .setLabel(Label.LABEL_OPTIONAL);
    if (!typeName.isEmpty()) {
      f.setTypeName(typeName);
    }
    if (!rules.equals(FieldRules.getDefaultInstance())) {
      f.setOptions(FieldOptions.newBuilder().setExtension(Validate.rules, rules));
    }
    return f;
  }

  private static FileDescriptor build(DescriptorProto.Builder... messages) {
    FileDescriptorProto.Builder file =
        FileDescriptorProto.newBuilder()
            .setName("synthetic" + (counter++) + ".proto")
            .setPackage("test")
            .setSyntax("proto3")
            .addDependency(AnyProto.getDescriptor().getName())
            .addDependency(DurationProto.getDescriptor().getName())
            .addDependency(TimestampProto.getDescriptor().getName())
            .addDependency(WrappersProto.getDescriptor().getName())
            .addEnumType(
                EnumDescriptorProto.newBuilder()
                    .setName("E")
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("ZERO").setNumber(0))
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("ONE").setNumber(1))
                    .addValue(EnumValueDescriptorProto.newBuilder().setName("TWO").setNumber(2)));
    for (DescriptorProto.Builder m : messages) {
      file.addMessageType(m);
    }
    try {
      return FileDescriptor.buildFrom(
          file.build(),
          new FileDescriptor[] {
            AnyProto.getDescriptor(),
            DurationProto.getDescriptor(),
            TimestampProto.getDescriptor(),
            WrappersProto.getDescriptor()
          });
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }
}
