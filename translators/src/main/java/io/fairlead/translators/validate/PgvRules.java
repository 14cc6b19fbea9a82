package io.fairlead.translators.validate;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.BytesRules;
import io.envoyproxy.pgv.validate.Validate.DurationRules;
import io.envoyproxy.pgv.validate.Validate.EnumRules;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.MapRules;
import io.envoyproxy.pgv.validate.Validate.RepeatedRules;
import io.envoyproxy.pgv.validate.Validate.StringRules;
import io.envoyproxy.pgv.validate.Validate.TimestampRules;
import io.fairlead.translators.validate.GeneratedAccess.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks a message tree against the protoc-gen-validate options of its descriptors, the same rules
 * Envoy applies to every config it loads. {@code Any} values are unpacked through the type registry
 * and checked too, as Envoy does when it converts a typed config. Works on generated and dynamic
 * messages alike, so everything is read through descriptors.
 */
final class PgvRules {

  /** A type-specific check run on every message the walk reaches, wherever it sits in the tree. */
  @FunctionalInterface
  interface MessageCheck {
    void check(Message message, String path, Report report);
  }

  /** Where checks put what they find. */
  @FunctionalInterface
  interface Report {
    void add(String path, String message);
  }

  private static final String ANY = "google.protobuf.Any";
  private static final String DURATION = "google.protobuf.Duration";
  private static final String TIMESTAMP = "google.protobuf.Timestamp";
  private static final Set<String> WRAPPERS =
      Set.of(
          "google.protobuf.DoubleValue",
          "google.protobuf.FloatValue",
          "google.protobuf.Int64Value",
          "google.protobuf.UInt64Value",
          "google.protobuf.Int32Value",
          "google.protobuf.UInt32Value",
          "google.protobuf.BoolValue",
          "google.protobuf.StringValue",
          "google.protobuf.BytesValue");

  private final TypeRegistry registry;
  private final MessageCheck check;
  private final Map<String, Optional<Pattern>> patterns = new ConcurrentHashMap<>();

  /** What the walk reads from a message type's options, read once per type. */
  private final Map<Descriptor, Plan> plans = new ConcurrentHashMap<>();

  /**
   * A message type's rules as the walk applies them: whether validation is off for it, its oneofs
   * that must be set, and per field its rules and whether the field, when unset, passes them.
   * Reading the options of every field of every message reached (most of them unset) was most of
   * the walk's cost; an unset field's verdict depends on its descriptor only, so it is found once,
   * by walking the field of the type's default instance.
   */
  private record Plan(
      boolean off,
      List<OneofDescriptor> requiredOneofs,
      FieldDescriptor[] fields,
      FieldRules[] rules,
      boolean[] unsetPasses,
      Class<?> generated,
      Reader[] generatedReaders,
      Reader[] reflectiveReaders) {

    /** How the fields of {@code m}, a message of this plan's type, are read. */
    Reader[] readers(Message m) {
      return m.getClass() == generated ? generatedReaders : reflectiveReaders;
    }
  }

  private Plan plan(Descriptor d) {
    Plan plan = plans.get(d);
    if (plan == null) {
      plan = newPlan(d);
      Plan raced = plans.putIfAbsent(d, plan);
      plan = raced == null ? plan : raced;
    }
    return plan;
  }

  private Plan newPlan(Descriptor d) {
    boolean off =
        d.getOptions().getExtension(Validate.disabled)
            || d.getOptions().getExtension(Validate.ignored);
    List<OneofDescriptor> required = new ArrayList<>();
    for (OneofDescriptor oneof : d.getRealOneofs()) {
      if (oneof.getOptions().getExtension(Validate.required)) {
        required.add(oneof);
      }
    }
    List<FieldDescriptor> fds = d.getFields();
    FieldDescriptor[] fields = fds.toArray(new FieldDescriptor[0]);
    FieldRules[] rules = new FieldRules[fields.length];
    boolean[] unsetPasses = new boolean[fields.length];
    Reader[] reflective = new Reader[fields.length];
    for (int i = 0; i < fields.length; i++) {
      reflective[i] = new GeneratedAccess.Reflective(fields[i]);
    }
    Message empty = DynamicMessage.getDefaultInstance(d);
    for (int i = 0; i < fields.length; i++) {
      rules[i] = fields[i].getOptions().getExtension(Validate.rules);
      List<String> found = new ArrayList<>();
      // an unset field reads as the default value (or no value, no items): as in the default
      // instance, whatever message it sits in
      new Walk((path, message) -> found.add(message))
          .field(empty, fields[i], reflective[i], rules[i], "");
      unsetPasses[i] = found.isEmpty();
    }
    Class<?> generated =
        GeneratedAccess.defaultInstance(d).<Class<?>>map(Object::getClass).orElse(null);
    Reader[] fast = generated == null ? reflective : GeneratedAccess.readers(generated, fields);
    return new Plan(
        off, List.copyOf(required), fields, rules, unsetPasses, generated, fast, reflective);
  }

  PgvRules(TypeRegistry registry, MessageCheck check) {
    this.registry = registry;
    this.check = check;
  }

  void walk(Message message, Report report) {
    new Walk(report).message(message, "");
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private final class Walk {
    private final Report report;

    Walk(Report report) {
      this.report = report;
    }

    void fail(String path, String message) {
      report.add(path, message);
    }

    void message(Message m, String path) {
      Descriptor d = m.getDescriptorForType();
      if (d.getFullName().equals(ANY)) {
        any(m, path);
        return;
      }
      check.check(m, path, report);
      Plan plan = plan(d);
      if (plan.off()) {
        return;
      }
      for (OneofDescriptor oneof : plan.requiredOneofs()) {
        if (!m.hasOneof(oneof)) {
          String names =
              oneof.getFields().stream()
                  .map(FieldDescriptor::getName)
                  .collect(Collectors.joining(", "));
          fail(join(path, oneof.getName()), "exactly one of [" + names + "] must be set");
        }
      }
      FieldDescriptor[] fields = plan.fields();
      Reader[] readers = plan.readers(m);
      for (int i = 0; i < fields.length; i++) {
        FieldDescriptor fd = fields[i];
        if (plan.unsetPasses()[i] && !readers[i].present(m)) {
          continue; // unset: it reads as its default, and what the walk finds for it is known
        }
        field(m, fd, readers[i], plan.rules()[i], join(path, fd.getName()));
      }
    }

    private void any(Message any, String path) {
      Descriptor d = any.getDescriptorForType();
      String url = (String) any.getField(d.findFieldByName("type_url"));
      ByteString bytes = (ByteString) any.getField(d.findFieldByName("value"));
      Descriptor type;
      try {
        type = registry.getDescriptorForTypeUrl(url);
      } catch (InvalidProtocolBufferException e) {
        type = null;
      }
      if (type == null) {
        fail(path, "unknown type URL '" + url + "' cannot validate");
        return;
      }
      try {
        message(GeneratedAccess.parse(type, bytes), path);
      } catch (InvalidProtocolBufferException e) {
        fail(path, "cannot decode " + type.getFullName() + ": " + e.getMessage());
      }
    }

    private void field(
        Message m, FieldDescriptor fd, Reader reader, FieldRules rules, String path) {
      if (fd.getContainingOneof() != null && !reader.present(m)) {
        return; // rules of a oneof member (or proto3 optional) only apply when it is the one set
      }
      if (fd.isMapField()) {
        map(m, fd, rules, path);
      } else if (fd.isRepeated()) {
        repeated(fd, (List<?>) reader.get(m), rules, path);
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        messageValue(fd, reader.present(m) ? (Message) reader.get(m) : null, rules, path);
      } else {
        scalar(fd, reader.get(m), rules, path);
      }
    }

    private void value(FieldDescriptor fd, Object value, FieldRules rules, String path) {
      if (fd.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        messageValue(fd, (Message) value, rules, path);
      } else {
        scalar(fd, value, rules, path);
      }
    }

    private void repeated(FieldDescriptor fd, List<?> items, FieldRules rules, String path) {
      FieldRules itemRules = FieldRules.getDefaultInstance();
      if (rules.hasRepeated()) {
        RepeatedRules r = rules.getRepeated();
        itemRules = r.getItems();
        if (!(r.getIgnoreEmpty() && items.isEmpty())) {
          if (r.hasMinItems() && Long.compareUnsigned(items.size(), r.getMinItems()) < 0) {
            fail(path, "must have at least " + r.getMinItems() + " item(s), has " + items.size());
          }
          if (r.hasMaxItems() && Long.compareUnsigned(items.size(), r.getMaxItems()) > 0) {
            fail(path, "must have at most " + r.getMaxItems() + " item(s), has " + items.size());
          }
          if (r.getUnique()) {
            Set<Object> seen = new HashSet<>();
            for (int i = 0; i < items.size(); i++) {
              if (!seen.add(items.get(i))) {
                fail(path + "[" + i + "]", "repeats an earlier item; items must be unique");
              }
            }
          }
        }
      } else {
        mismatch(fd, rules, path);
      }
      for (int i = 0; i < items.size(); i++) {
        value(fd, items.get(i), itemRules, path + "[" + i + "]");
      }
    }

    private void map(Message m, FieldDescriptor fd, FieldRules rules, String path) {
      List<Message> entries = new ArrayList<>();
      for (Object e : (List<?>) m.getField(fd)) {
        entries.add((Message) e);
      }
      FieldDescriptor keyFd = fd.getMessageType().findFieldByName("key");
      FieldDescriptor valueFd = fd.getMessageType().findFieldByName("value");
      // Map order is insertion or wire order; sort so the output does not depend on it.
      entries.sort(Comparator.comparing(e -> String.valueOf(e.getField(keyFd))));
      MapRules r = rules.hasMap() ? rules.getMap() : MapRules.getDefaultInstance();
      if (!rules.hasMap()) {
        mismatch(fd, rules, path);
      } else if (!(r.getIgnoreEmpty() && entries.isEmpty())) {
        if (r.hasMinPairs() && Long.compareUnsigned(entries.size(), r.getMinPairs()) < 0) {
          fail(path, "must have at least " + r.getMinPairs() + " pair(s), has " + entries.size());
        }
        if (r.hasMaxPairs() && Long.compareUnsigned(entries.size(), r.getMaxPairs()) > 0) {
          fail(path, "must have at most " + r.getMaxPairs() + " pair(s), has " + entries.size());
        }
      }
      boolean messageValues = valueFd.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
      for (Message entry : entries) {
        Object key = entry.getField(keyFd);
        String entryPath =
            path + "[" + (key instanceof String s ? quote(s) : String.valueOf(key)) + "]";
        scalar(keyFd, key, r.getKeys(), entryPath);
        if (messageValues) {
          // no_sparse needs no check: a Java map cannot hold an unset value (parsing fills in
          // the default instance), so every entry has one.
          messageValue(valueFd, (Message) entry.getField(valueFd), r.getValues(), entryPath);
        } else {
          scalar(valueFd, entry.getField(valueFd), r.getValues(), entryPath);
        }
      }
    }

    /** A singular message value; null when unset. */
    private void messageValue(FieldDescriptor fd, Message value, FieldRules rules, String path) {
      String type = fd.getMessageType().getFullName();
      boolean required =
          rules.getMessage().getRequired()
              || rules.getAny().getRequired()
              || rules.getDuration().getRequired()
              || rules.getTimestamp().getRequired();
      if (value == null) {
        if (required) {
          fail(path, "value is required");
        }
        return;
      }
      switch (rules.getTypeCase()) {
        case TYPE_NOT_SET -> {}
        case ANY -> {
          if (type.equals(ANY)) {
            anyRules(value, rules.getAny(), path);
          } else if (rules.getAny().getInCount() > 0 || rules.getAny().getNotInCount() > 0) {
            mismatch(fd, rules, path);
          } // Envoy puts any.required on plain message fields (config_source): it means required.
        }
        case DURATION -> {
          if (type.equals(DURATION)) {
            durationRules(durationOf(value), rules.getDuration(), path);
          } else {
            mismatch(fd, rules, path);
          }
        }
        case TIMESTAMP -> {
          if (type.equals(TIMESTAMP)) {
            timestampRules(instantOf(value), rules.getTimestamp(), path);
          } else {
            mismatch(fd, rules, path);
          }
        }
        default -> {
          if (WRAPPERS.contains(type)) {
            // Scalar rules on a wrapper apply to the wrapped value when the wrapper is set.
            FieldDescriptor inner = fd.getMessageType().findFieldByName("value");
            scalar(inner, value.getField(inner), rules, path);
          } else {
            mismatch(fd, rules, path);
          }
        }
      }
      if (!rules.getMessage().getSkip()) {
        message(value, path);
      }
    }

    private void scalar(FieldDescriptor fd, Object value, FieldRules rules, String path) {
      FieldRules.TypeCase kind = rules.getTypeCase();
      switch (kind) {
        case TYPE_NOT_SET -> {}
        case FLOAT,
            DOUBLE,
            INT32,
            INT64,
            UINT32,
            UINT64,
            SINT32,
            SINT64,
            FIXED32,
            FIXED64,
            SFIXED32,
            SFIXED64 -> {
          if (fd.getType().name().equals(kind.name())) {
            Message rule =
                (Message)
                    rules.getField(FieldRules.getDescriptor().findFieldByNumber(kind.getNumber()));
            numeric(value, rule, fd.getType(), path);
          } else {
            mismatch(fd, rules, path);
          }
        }
        case BOOL -> {
          if (fd.getType() != FieldDescriptor.Type.BOOL) {
            mismatch(fd, rules, path);
          } else if (rules.getBool().hasConst() && rules.getBool().getConst() != (Boolean) value) {
            fail(path, "must equal " + rules.getBool().getConst());
          }
        }
        case STRING -> {
          if (fd.getType() == FieldDescriptor.Type.STRING) {
            string((String) value, rules.getString(), path);
          } else {
            mismatch(fd, rules, path);
          }
        }
        case BYTES -> {
          if (fd.getType() == FieldDescriptor.Type.BYTES) {
            bytes((ByteString) value, rules.getBytes(), path);
          } else {
            mismatch(fd, rules, path);
          }
        }
        case ENUM -> {
          if (fd.getType() == FieldDescriptor.Type.ENUM) {
            enumValue(fd, (EnumValueDescriptor) value, rules.getEnum(), path);
          } else {
            mismatch(fd, rules, path);
          }
        }
        default -> mismatch(fd, rules, path);
      }
    }

    private void mismatch(FieldDescriptor fd, FieldRules rules, String path) {
      if (rules.getTypeCase() != FieldRules.TypeCase.TYPE_NOT_SET) {
        fail(
            path,
            "validate rule kind "
                + rules.getTypeCase().name().toLowerCase()
                + " does not apply to field "
                + fd.getFullName());
      }
    }

    // ---- numbers ----

    private void numeric(Object raw, Message rule, FieldDescriptor.Type type, String path) {
      boolean unsigned =
          switch (type) {
            case UINT32, UINT64, FIXED32, FIXED64 -> true;
            default -> false;
          };
      NumericRule r = numericRule(rule, unsigned);
      Comparable<?> value = normalize(raw, unsigned);
      if (r.ignoreEmpty() && isZero(value)) {
        return;
      }
      if (value instanceof Double d && d.isNaN()) {
        if (r.anyButIgnoreEmpty()) {
          fail(path, "value NaN is not a number");
        }
        return;
      }
      Comparator<Comparable<?>> cmp = PgvRules::compareNumbers;
      Function<Comparable<?>, String> show = String::valueOf;
      Optional<Comparable<?>> constant = r.constant();
      if (constant.isPresent() && cmp.compare(value, constant.get()) != 0) {
        fail(path, "value " + value + " must equal " + constant.get());
      }
      bounds(value, r.lt(), r.lte(), r.gt(), r.gte(), cmp, show, path);
      List<Comparable<?>> in = r.in();
      if (!in.isEmpty() && in.stream().noneMatch(x -> cmp.compare(value, x) == 0)) {
        fail(path, "value " + value + " must be one of " + in);
      }
      List<Comparable<?>> notIn = r.notIn();
      if (notIn.stream().anyMatch(x -> cmp.compare(value, x) == 0)) {
        fail(path, "value " + value + " must not be one of " + notIn);
      }
    }

    /**
     * PGV range semantics: one bound is a plain limit; with both, lower &lt; upper means the value
     * must lie inside, and upper &lt;= lower means it must lie outside (an exclusive range).
     */
    private <T> void bounds(
        T value,
        Optional<T> lt,
        Optional<T> lte,
        Optional<T> gt,
        Optional<T> gte,
        Comparator<? super T> cmp,
        Function<? super T, String> show,
        String path) {
      Optional<T> upper = lt.isPresent() ? lt : lte;
      Optional<T> lower = gt.isPresent() ? gt : gte;
      boolean upperInclusive = lt.isEmpty();
      boolean lowerInclusive = gt.isEmpty();
      if (upper.isEmpty() && lower.isEmpty()) {
        return;
      }
      boolean okUpper =
          upper.isEmpty()
              || (upperInclusive
                  ? cmp.compare(value, upper.get()) <= 0
                  : cmp.compare(value, upper.get()) < 0);
      boolean okLower =
          lower.isEmpty()
              || (lowerInclusive
                  ? cmp.compare(value, lower.get()) >= 0
                  : cmp.compare(value, lower.get()) > 0);
      if (upper.isPresent() && lower.isPresent()) {
        boolean inside = cmp.compare(upper.get(), lower.get()) > 0;
        if (inside ? okUpper && okLower : okUpper || okLower) {
          return; // the texts below are made only for a violation: most values pass
        }
        String v = "value " + show.apply(value);
        String u = show.apply(upper.get());
        String l = show.apply(lower.get());
        fail(
            path,
            inside
                ? v
                    + " must be inside range "
                    + (lowerInclusive ? "[" : "(")
                    + l
                    + ", "
                    + u
                    + (upperInclusive ? "]" : ")")
                : v
                    + " must be outside range "
                    + (upperInclusive ? "(" : "[")
                    + u
                    + ", "
                    + l
                    + (lowerInclusive ? ")" : "]"));
      } else if (!okUpper) {
        fail(
            path,
            "value "
                + show.apply(value)
                + " must be "
                + (upperInclusive ? "<= " : "< ")
                + show.apply(upper.get()));
      } else if (!okLower) {
        fail(
            path,
            "value "
                + show.apply(value)
                + " must be "
                + (lowerInclusive ? ">= " : "> ")
                + show.apply(lower.get()));
      }
    }

    // ---- strings and bytes ----

    private void string(String s, StringRules r, String path) {
      if (r.getIgnoreEmpty() && s.isEmpty()) {
        return;
      }
      // what the checks below need is computed only when a rule needs it: most strings have no
      // length rule, and the quoted value is only for a violation's message
      long chars =
          r.hasLen() || r.hasMinLen() || r.hasMaxLen() ? s.codePointCount(0, s.length()) : 0;
      long bytes =
          r.hasLenBytes() || r.hasMinBytes() || r.hasMaxBytes()
              ? s.getBytes(StandardCharsets.UTF_8).length
              : 0;
      if (r.hasConst() && !s.equals(r.getConst())) {
        fail(path, "value " + quote(s) + " must equal " + quote(r.getConst()));
      }
      if (r.hasLen() && chars != r.getLen()) {
        fail(path, "value must be exactly " + r.getLen() + " characters long, is " + chars);
      }
      if (r.hasMinLen() && chars < r.getMinLen()) {
        fail(path, "value must be at least " + r.getMinLen() + " characters long, is " + chars);
      }
      if (r.hasMaxLen() && chars > r.getMaxLen()) {
        fail(path, "value must be at most " + r.getMaxLen() + " characters long, is " + chars);
      }
      if (r.hasLenBytes() && bytes != r.getLenBytes()) {
        fail(path, "value must be exactly " + r.getLenBytes() + " bytes long, is " + bytes);
      }
      if (r.hasMinBytes() && bytes < r.getMinBytes()) {
        fail(path, "value must be at least " + r.getMinBytes() + " bytes long, is " + bytes);
      }
      if (r.hasMaxBytes() && bytes > r.getMaxBytes()) {
        fail(path, "value must be at most " + r.getMaxBytes() + " bytes long, is " + bytes);
      }
      if (r.hasPattern()) {
        pattern(r.getPattern())
            .ifPresentOrElse(
                p -> {
                  if (!p.matcher(s).find()) {
                    fail(
                        path,
                        "value " + quote(s) + " does not match regex " + quote(r.getPattern()));
                  }
                },
                () -> fail(path, "rule pattern " + quote(r.getPattern()) + " is not valid RE2"));
      }
      if (r.hasPrefix() && !s.startsWith(r.getPrefix())) {
        fail(path, "value " + quote(s) + " must start with " + quote(r.getPrefix()));
      }
      if (r.hasSuffix() && !s.endsWith(r.getSuffix())) {
        fail(path, "value " + quote(s) + " must end with " + quote(r.getSuffix()));
      }
      if (r.hasContains() && !s.contains(r.getContains())) {
        fail(path, "value " + quote(s) + " must contain " + quote(r.getContains()));
      }
      if (r.hasNotContains() && s.contains(r.getNotContains())) {
        fail(path, "value " + quote(s) + " must not contain " + quote(r.getNotContains()));
      }
      if (r.getInCount() > 0 && !r.getInList().contains(s)) {
        fail(path, "value " + quote(s) + " must be one of " + r.getInList());
      }
      if (r.getNotInList().contains(s)) {
        fail(path, "value " + quote(s) + " must not be one of " + r.getNotInList());
      }
      Optional<String> wellKnown =
          switch (r.getWellKnownCase()) {
            case WELLKNOWN_NOT_SET -> Optional.empty();
            case EMAIL -> r.getEmail() ? WellKnownStrings.email(s) : Optional.empty();
            case HOSTNAME -> r.getHostname() ? WellKnownStrings.hostname(s) : Optional.empty();
            case IP -> when(r.getIp() && !WellKnownStrings.isIp(s), "must be an IP address");
            case IPV4 ->
                when(r.getIpv4() && !WellKnownStrings.isIpv4(s), "must be an IPv4 address");
            case IPV6 ->
                when(r.getIpv6() && !WellKnownStrings.isIpv6(s), "must be an IPv6 address");
            case URI -> r.getUri() ? WellKnownStrings.uri(s) : Optional.empty();
            case URI_REF -> r.getUriRef() ? WellKnownStrings.uriRef(s) : Optional.empty();
            case ADDRESS -> r.getAddress() ? WellKnownStrings.address(s) : Optional.empty();
            case UUID -> when(r.getUuid() && !WellKnownStrings.isUuid(s), "must be a UUID");
            case WELL_KNOWN_REGEX -> knownRegex(s, r);
          };
      wellKnown.ifPresent(reason -> fail(path, "value " + quote(s) + " " + reason));
    }

    private Optional<String> knownRegex(String s, StringRules r) {
      Pattern p =
          switch (r.getWellKnownRegex()) {
            case HTTP_HEADER_NAME ->
                r.getStrict() ? WellKnownStrings.HTTP_HEADER_NAME : WellKnownStrings.HEADER_STRING;
            case HTTP_HEADER_VALUE ->
                r.getStrict() ? WellKnownStrings.HTTP_HEADER_VALUE : WellKnownStrings.HEADER_STRING;
            case UNKNOWN -> null;
          };
      if (p == null || p.matcher(s).find()) {
        return Optional.empty();
      }
      String what =
          r.getWellKnownRegex() == Validate.KnownRegex.HTTP_HEADER_NAME ? "name" : "value";
      return Optional.of(
          r.getStrict()
              ? "is not a valid HTTP header " + what
              : "is not a valid HTTP header " + what + ": contains NUL, CR or LF");
    }

    private void bytes(ByteString b, BytesRules r, String path) {
      if (r.getIgnoreEmpty() && b.isEmpty()) {
        return;
      }
      long n = b.size();
      if (r.hasConst() && !b.equals(r.getConst())) {
        fail(path, "value must equal the constant bytes");
      }
      if (r.hasLen() && n != r.getLen()) {
        fail(path, "value must be exactly " + r.getLen() + " bytes long, is " + n);
      }
      if (r.hasMinLen() && n < r.getMinLen()) {
        fail(path, "value must be at least " + r.getMinLen() + " bytes long, is " + n);
      }
      if (r.hasMaxLen() && n > r.getMaxLen()) {
        fail(path, "value must be at most " + r.getMaxLen() + " bytes long, is " + n);
      }
      if (r.hasPattern()) {
        pattern(r.getPattern())
            .ifPresentOrElse(
                p -> {
                  if (!p.matcher(b.toByteArray()).find()) {
                    fail(path, "value does not match regex " + quote(r.getPattern()));
                  }
                },
                () -> fail(path, "rule pattern " + quote(r.getPattern()) + " is not valid RE2"));
      }
      if (r.hasPrefix() && !b.startsWith(r.getPrefix())) {
        fail(path, "value must start with the prefix bytes");
      }
      if (r.hasSuffix() && !b.endsWith(r.getSuffix())) {
        fail(path, "value must end with the suffix bytes");
      }
      if (r.hasContains() && indexOf(b, r.getContains()) < 0) {
        fail(path, "value must contain the given bytes");
      }
      if (r.getInCount() > 0 && !r.getInList().contains(b)) {
        fail(path, "value must be one of the listed byte strings");
      }
      if (r.getNotInList().contains(b)) {
        fail(path, "value must not be one of the listed byte strings");
      }
      switch (r.getWellKnownCase()) {
        case IP -> {
          if (r.getIp() && n != 4 && n != 16) {
            fail(path, "value must be an IP address (4 or 16 bytes), is " + n + " bytes");
          }
        }
        case IPV4 -> {
          if (r.getIpv4() && n != 4) {
            fail(path, "value must be an IPv4 address (4 bytes), is " + n + " bytes");
          }
        }
        case IPV6 -> {
          if (r.getIpv6() && n != 16) {
            fail(path, "value must be an IPv6 address (16 bytes), is " + n + " bytes");
          }
        }
        case WELLKNOWN_NOT_SET -> {}
      }
    }

    // ---- enums, Any, durations, timestamps ----

    private void enumValue(FieldDescriptor fd, EnumValueDescriptor v, EnumRules r, String path) {
      int n = v.getNumber();
      if (r.hasConst() && n != r.getConst()) {
        fail(path, "value " + n + " must equal " + r.getConst());
      }
      if (r.getDefinedOnly() && fd.getEnumType().findValueByNumber(n) == null) {
        fail(path, "value " + n + " is not a defined value of " + fd.getEnumType().getFullName());
      }
      if (r.getInCount() > 0 && !r.getInList().contains(n)) {
        fail(path, "value " + n + " must be one of " + r.getInList());
      }
      if (r.getNotInList().contains(n)) {
        fail(path, "value " + n + " (" + v.getName() + ") must not be one of " + r.getNotInList());
      }
    }

    private void anyRules(Message any, Validate.AnyRules r, String path) {
      String url = (String) any.getField(any.getDescriptorForType().findFieldByName("type_url"));
      if (r.getInCount() > 0 && !r.getInList().contains(url)) {
        fail(path, "type URL " + quote(url) + " must be one of " + r.getInList());
      }
      if (r.getNotInList().contains(url)) {
        fail(path, "type URL " + quote(url) + " must not be one of " + r.getNotInList());
      }
    }

    private void durationRules(Duration d, DurationRules r, String path) {
      Function<com.google.protobuf.Duration, Duration> conv = PgvRules::durationOf;
      if (r.hasConst() && d.compareTo(conv.apply(r.getConst())) != 0) {
        fail(path, "duration " + d + " must equal " + conv.apply(r.getConst()));
      }
      bounds(
          d,
          r.hasLt() ? Optional.of(conv.apply(r.getLt())) : Optional.empty(),
          r.hasLte() ? Optional.of(conv.apply(r.getLte())) : Optional.empty(),
          r.hasGt() ? Optional.of(conv.apply(r.getGt())) : Optional.empty(),
          r.hasGte() ? Optional.of(conv.apply(r.getGte())) : Optional.empty(),
          Comparator.<Duration>naturalOrder(),
          Duration::toString,
          path);
      List<Duration> in = r.getInList().stream().map(conv).toList();
      if (!in.isEmpty() && !in.contains(d)) {
        fail(path, "duration " + d + " must be one of " + in);
      }
      List<Duration> notIn = r.getNotInList().stream().map(conv).toList();
      if (notIn.contains(d)) {
        fail(path, "duration " + d + " must not be one of " + notIn);
      }
    }

    private void timestampRules(Instant t, TimestampRules r, String path) {
      Function<com.google.protobuf.Timestamp, Instant> conv = PgvRules::instantOf;
      if (r.hasConst() && !t.equals(conv.apply(r.getConst()))) {
        fail(path, "timestamp " + t + " must equal " + conv.apply(r.getConst()));
      }
      bounds(
          t,
          r.hasLt() ? Optional.of(conv.apply(r.getLt())) : Optional.empty(),
          r.hasLte() ? Optional.of(conv.apply(r.getLte())) : Optional.empty(),
          r.hasGt() ? Optional.of(conv.apply(r.getGt())) : Optional.empty(),
          r.hasGte() ? Optional.of(conv.apply(r.getGte())) : Optional.empty(),
          Comparator.<Instant>naturalOrder(),
          Instant::toString,
          path);
      // Validation is pure and never reads the clock; no Envoy field uses these rules.
      if (r.getLtNow() || r.getGtNow() || r.hasWithin()) {
        fail(path, "timestamp rules relative to now (lt_now, gt_now, within) are not checked");
      }
    }
  }

  // ---- helpers without walk state ----

  private Optional<Pattern> pattern(String regex) {
    return patterns.computeIfAbsent(
        regex,
        r -> {
          try {
            return Optional.of(Pattern.compile(r));
          } catch (PatternSyntaxException e) {
            return Optional.empty();
          }
        });
  }

  private static Optional<String> when(boolean failed, String reason) {
    return failed ? Optional.of(reason) : Optional.empty();
  }

  /** A numeric rule message read once: its bounds and lists normalized as the values are. */
  private record NumericRule(
      boolean ignoreEmpty,
      boolean anyButIgnoreEmpty,
      Optional<Comparable<?>> constant,
      Optional<Comparable<?>> lt,
      Optional<Comparable<?>> lte,
      Optional<Comparable<?>> gt,
      Optional<Comparable<?>> gte,
      List<Comparable<?>> in,
      List<Comparable<?>> notIn) {}

  private record NumericKey(Message rule, boolean unsigned) {}

  private final Map<NumericKey, NumericRule> numericRules = new ConcurrentHashMap<>();

  private NumericRule numericRule(Message rule, boolean unsigned) {
    return numericRules.computeIfAbsent(
        new NumericKey(rule, unsigned),
        k -> {
          Function<Object, Comparable<?>> norm = v -> normalize(v, unsigned);
          Descriptor rd = rule.getDescriptorForType();
          return new NumericRule(
              ruleFlag(rule, "ignore_empty"),
              rule.getAllFields().keySet().stream()
                  .anyMatch(f -> !f.getName().equals("ignore_empty")),
              optional(rule, "const").map(norm),
              optional(rule, "lt").map(norm),
              optional(rule, "lte").map(norm),
              optional(rule, "gt").map(norm),
              optional(rule, "gte").map(norm),
              list(rule, rd, "in", norm),
              list(rule, rd, "not_in", norm));
        });
  }

  private static boolean ruleFlag(Message rule, String name) {
    FieldDescriptor f = rule.getDescriptorForType().findFieldByName(name);
    return f != null && Boolean.TRUE.equals(rule.getField(f));
  }

  private static Optional<Object> optional(Message rule, String name) {
    FieldDescriptor f = rule.getDescriptorForType().findFieldByName(name);
    return rule.hasField(f) ? Optional.of(rule.getField(f)) : Optional.empty();
  }

  private static <T> List<T> list(
      Message rule, Descriptor rd, String name, Function<Object, T> norm) {
    return ((List<?>) rule.getField(rd.findFieldByName(name))).stream().map(norm).toList();
  }

  /** Integers become BigInteger (unsigned kinds read as unsigned), floats become Double. */
  private static Comparable<?> normalize(Object v, boolean unsigned) {
    if (v instanceof Integer i) {
      return unsigned ? BigInteger.valueOf(Integer.toUnsignedLong(i)) : BigInteger.valueOf(i);
    }
    if (v instanceof Long l) {
      return unsigned ? new BigInteger(Long.toUnsignedString(l)) : BigInteger.valueOf(l);
    }
    if (v instanceof Float f) {
      // Through the decimal form, so 0.1f compares equal to a 0.1f rule and prints as 0.1.
      return Double.valueOf(Float.toString(f));
    }
    return (Double) v;
  }

  private static boolean isZero(Comparable<?> v) {
    return v instanceof BigInteger b ? b.signum() == 0 : ((Double) v) == 0.0;
  }

  private static int compareNumbers(Comparable<?> a, Comparable<?> b) {
    if (a instanceof BigInteger x) {
      return x.compareTo((BigInteger) b);
    }
    double x = (Double) a;
    double y = (Double) b;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  static Duration durationOf(Message d) {
    Descriptor t = d.getDescriptorForType();
    long seconds = (Long) d.getField(t.findFieldByName("seconds"));
    int nanos = (Integer) d.getField(t.findFieldByName("nanos"));
    return Duration.ofSeconds(seconds, nanos);
  }

  static Instant instantOf(Message ts) {
    Descriptor t = ts.getDescriptorForType();
    long seconds = (Long) ts.getField(t.findFieldByName("seconds"));
    int nanos = (Integer) ts.getField(t.findFieldByName("nanos"));
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private static int indexOf(ByteString haystack, ByteString needle) {
    outer:
    for (int i = 0; i + needle.size() <= haystack.size(); i++) {
      for (int j = 0; j < needle.size(); j++) {
        if (haystack.byteAt(i + j) != needle.byteAt(j)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.codePoints()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                b.append('\\').appendCodePoint(c);
              } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.append('"').toString();
  }
}
