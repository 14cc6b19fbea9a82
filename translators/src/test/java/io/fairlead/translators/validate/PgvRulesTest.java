package io.fairlead.translators.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.AnyRules;
import io.envoyproxy.pgv.validate.Validate.BoolRules;
import io.envoyproxy.pgv.validate.Validate.BytesRules;
import io.envoyproxy.pgv.validate.Validate.DoubleRules;
import io.envoyproxy.pgv.validate.Validate.DurationRules;
import io.envoyproxy.pgv.validate.Validate.EnumRules;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.Fixed32Rules;
import io.envoyproxy.pgv.validate.Validate.Fixed64Rules;
import io.envoyproxy.pgv.validate.Validate.FloatRules;
import io.envoyproxy.pgv.validate.Validate.Int32Rules;
import io.envoyproxy.pgv.validate.Validate.Int64Rules;
import io.envoyproxy.pgv.validate.Validate.KnownRegex;
import io.envoyproxy.pgv.validate.Validate.MapRules;
import io.envoyproxy.pgv.validate.Validate.MessageRules;
import io.envoyproxy.pgv.validate.Validate.RepeatedRules;
import io.envoyproxy.pgv.validate.Validate.SFixed32Rules;
import io.envoyproxy.pgv.validate.Validate.SFixed64Rules;
import io.envoyproxy.pgv.validate.Validate.SInt32Rules;
import io.envoyproxy.pgv.validate.Validate.SInt64Rules;
import io.envoyproxy.pgv.validate.Validate.StringRules;
import io.envoyproxy.pgv.validate.Validate.TimestampRules;
import io.envoyproxy.pgv.validate.Validate.UInt32Rules;
import io.envoyproxy.pgv.validate.Validate.UInt64Rules;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every PGV rule kind: one value that breaks the rule, one that keeps it. */
class PgvRulesTest {

  private final XdsValidator validator = XdsValidator.withEnvoyTypes();

  /** {@code bad} null means the field is left unset. */
  record Row(
      String name,
      Type type,
      String typeName,
      boolean repeated,
      FieldRules rules,
      Object bad,
      Object good) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Row> rows() {
    return Stream.of(
        // floating point
        scalar(
            "float gt", Type.TYPE_FLOAT, fr().setFloat(FloatRules.newBuilder().setGt(0)), 0f, 0.5f),
        scalar(
            "float range [0, 1)",
            Type.TYPE_FLOAT,
            fr().setFloat(FloatRules.newBuilder().setGte(0).setLt(1)),
            1f,
            0.99f),
        scalar(
            "float const",
            Type.TYPE_FLOAT,
            fr().setFloat(FloatRules.newBuilder().setConst(0.1f)),
            0.2f,
            0.1f),
        scalar(
            "double lte",
            Type.TYPE_DOUBLE,
            fr().setDouble(DoubleRules.newBuilder().setLte(1)),
            1.5,
            1.0),
        scalar(
            "double NaN fails a range",
            Type.TYPE_DOUBLE,
            fr().setDouble(DoubleRules.newBuilder().setGte(0)),
            Double.NaN,
            0.0),
        scalar(
            "double in",
            Type.TYPE_DOUBLE,
            fr().setDouble(DoubleRules.newBuilder().addIn(1).addIn(2)),
            3.0,
            2.0),
        scalar(
            "double not_in",
            Type.TYPE_DOUBLE,
            fr().setDouble(DoubleRules.newBuilder().addNotIn(0.5)),
            0.5,
            0.25),
        // integers
        scalar(
            "int32 const",
            Type.TYPE_INT32,
            fr().setInt32(Int32Rules.newBuilder().setConst(5)),
            4,
            5),
        scalar(
            "int32 exclusive range: outside [0, 10]",
            Type.TYPE_INT32,
            fr().setInt32(Int32Rules.newBuilder().setLt(0).setGt(10)),
            5,
            11),
        scalar(
            "int32 exclusive range, low side",
            Type.TYPE_INT32,
            fr().setInt32(Int32Rules.newBuilder().setLt(0).setGt(10)),
            0,
            -1),
        scalar(
            "int32 inclusive range (gt, lte]",
            Type.TYPE_INT32,
            fr().setInt32(Int32Rules.newBuilder().setGt(0).setLte(10)),
            0,
            10),
        scalar(
            "int32 exclusive range with lte/gte",
            Type.TYPE_INT32,
            fr().setInt32(Int32Rules.newBuilder().setLte(0).setGte(10)),
            1,
            10),
        scalar(
            "int64 not_in",
            Type.TYPE_INT64,
            fr().setInt64(Int64Rules.newBuilder().addNotIn(7)),
            7L,
            8L),
        scalar(
            "int64 gt", Type.TYPE_INT64, fr().setInt64(Int64Rules.newBuilder().setGt(0)), -1L, 1L),
        scalar(
            "uint32 lte",
            Type.TYPE_UINT32,
            fr().setUint32(UInt32Rules.newBuilder().setLte(65535)),
            70000,
            65535),
        scalar(
            "uint32 is unsigned",
            Type.TYPE_UINT32,
            fr().setUint32(UInt32Rules.newBuilder().setLte(65535)),
            -1,
            0),
        scalar(
            "uint32 in",
            Type.TYPE_UINT32,
            fr().setUint32(UInt32Rules.newBuilder().addIn(1).addIn(2)),
            3,
            2),
        scalar(
            "uint32 ignore_empty",
            Type.TYPE_UINT32,
            fr().setUint32(UInt32Rules.newBuilder().setGte(10).setIgnoreEmpty(true)),
            5,
            0),
        scalar(
            "uint64 gte",
            Type.TYPE_UINT64,
            fr().setUint64(UInt64Rules.newBuilder().setGte(1)),
            0L,
            1L),
        scalar(
            "uint64 is unsigned",
            Type.TYPE_UINT64,
            fr().setUint64(UInt64Rules.newBuilder().setLte(5000011)),
            -1L,
            5000011L),
        scalar(
            "uint64 lt",
            Type.TYPE_UINT64,
            fr().setUint64(UInt64Rules.newBuilder().setLt(10)),
            10L,
            9L),
        scalar(
            "sint32 gt",
            Type.TYPE_SINT32,
            fr().setSint32(SInt32Rules.newBuilder().setGt(-5)),
            -5,
            -4),
        scalar(
            "sint64 lt",
            Type.TYPE_SINT64,
            fr().setSint64(SInt64Rules.newBuilder().setLt(0)),
            0L,
            -1L),
        scalar(
            "fixed32 in",
            Type.TYPE_FIXED32,
            fr().setFixed32(Fixed32Rules.newBuilder().addIn(1).addIn(2)),
            3,
            1),
        scalar(
            "fixed64 lte",
            Type.TYPE_FIXED64,
            fr().setFixed64(Fixed64Rules.newBuilder().setLte(10)),
            11L,
            10L),
        scalar(
            "sfixed32 gte",
            Type.TYPE_SFIXED32,
            fr().setSfixed32(SFixed32Rules.newBuilder().setGte(-1)),
            -2,
            -1),
        scalar(
            "sfixed64 not_in",
            Type.TYPE_SFIXED64,
            fr().setSfixed64(SFixed64Rules.newBuilder().addNotIn(0)),
            0L,
            1L),
        scalar(
            "sfixed64 const",
            Type.TYPE_SFIXED64,
            fr().setSfixed64(SFixed64Rules.newBuilder().setConst(-3)),
            3L,
            -3L),
        // bool
        scalar(
            "bool const",
            Type.TYPE_BOOL,
            fr().setBool(BoolRules.newBuilder().setConst(true)),
            false,
            true),
        // strings
        str("string min_len", s().setMinLen(1), "", "a"),
        str("string max_len counts characters", s().setMaxLen(3), "abcd", "äöü"),
        str("string len", s().setLen(2), "a", "ab"),
        str("string min_bytes", s().setMinBytes(4), "äb", "ää"),
        str("string max_bytes", s().setMaxBytes(2), "ä1", "ä"),
        str("string len_bytes", s().setLenBytes(2), "a", "ä"),
        str("string const", s().setConst("x"), "y", "x"),
        str("string pattern", s().setPattern("^[a-z]+$"), "A", "abc"),
        str("string pattern is a search, not a full match", s().setPattern("b+"), "xyz", "abc"),
        str("string prefix", s().setPrefix("/"), "a", "/a"),
        str("string suffix", s().setSuffix(".com"), "a.org", "a.com"),
        str("string contains", s().setContains("@"), "a", "a@b"),
        str("string not_contains", s().setNotContains(".."), "a..b", "a.b"),
        str("string in", s().addIn("a").addIn("b"), "c", "b"),
        str("string not_in", s().addNotIn("c"), "c", "d"),
        str("string ignore_empty", s().setMinLen(3).setIgnoreEmpty(true), "ab", ""),
        str("string email", s().setEmail(true), "not-an-email", "a.b@example.com"),
        str(
            "string hostname",
            s().setHostname(true),
            "-bad.example",
            "echo.default.svc.cluster.local"),
        str(
            "string hostname part length",
            s().setHostname(true),
            "a".repeat(64) + ".com",
            "a".repeat(63) + ".com"),
        str("string ip", s().setIp(true), "1.2.3", "::1"),
        str("string ipv4", s().setIpv4(true), "::1", "10.0.0.1"),
        str("string ipv4 without leading zeros", s().setIpv4(true), "10.0.0.01", "10.0.0.1"),
        str("string ipv6", s().setIpv6(true), "10.0.0.1", "fe80::1"),
        str("string address", s().setAddress(true), "bad_host!", "example.com"),
        str("string uri", s().setUri(true), "relative/path", "https://example.com/x"),
        str("string uri_ref", s().setUriRef(true), "http://a b", "/relative?q=1"),
        str("string uuid", s().setUuid(true), "not-a-uuid", "123e4567-e89b-12d3-a456-426614174000"),
        str(
            "header name, strict",
            s().setWellKnownRegex(KnownRegex.HTTP_HEADER_NAME),
            "bad header",
            ":authority"),
        str(
            "header name, not strict",
            s().setWellKnownRegex(KnownRegex.HTTP_HEADER_NAME).setStrict(false),
            "x-user\n",
            "odd header"),
        str(
            "header value, strict",
            s().setWellKnownRegex(KnownRegex.HTTP_HEADER_VALUE),
            "a\u0001b",
            "a\tb"),
        str(
            "header value, not strict",
            s().setWellKnownRegex(KnownRegex.HTTP_HEADER_VALUE).setStrict(false),
            "a\rb",
            "a\u0001b"),
        // bytes
        bytes("bytes min_len", b().setMinLen(2), "a", "ab"),
        bytes("bytes max_len", b().setMaxLen(2), "abc", "ab"),
        bytes("bytes len", b().setLen(3), "ab", "abc"),
        bytes("bytes const", b().setConst(ByteString.copyFromUtf8("k")), "j", "k"),
        bytes("bytes pattern", b().setPattern("^[0-9]+$"), "1a", "12"),
        bytes("bytes prefix", b().setPrefix(ByteString.copyFromUtf8("ab")), "ba", "abc"),
        bytes("bytes suffix", b().setSuffix(ByteString.copyFromUtf8("yz")), "zy", "xyz"),
        bytes("bytes contains", b().setContains(ByteString.copyFromUtf8("mid")), "mi d", "amidst"),
        bytes("bytes in", b().addIn(ByteString.copyFromUtf8("a")), "b", "a"),
        bytes("bytes not_in", b().addNotIn(ByteString.copyFromUtf8("a")), "a", "b"),
        bytes("bytes ip", b().setIp(true), "abc", "abcd"),
        bytes("bytes ipv4", b().setIpv4(true), "a".repeat(16), "abcd"),
        bytes("bytes ipv6", b().setIpv6(true), "abcd", "a".repeat(16)),
        bytes("bytes ignore_empty", b().setMinLen(2).setIgnoreEmpty(true), "a", ""),
        // enums (test.E has ZERO = 0, ONE = 1, TWO = 2)
        enumRow("enum const", EnumRules.newBuilder().setConst(1), 2, 1),
        enumRow("enum defined_only", EnumRules.newBuilder().setDefinedOnly(true), 7, 2),
        enumRow("enum in", EnumRules.newBuilder().addIn(1), 0, 1),
        enumRow("enum not_in", EnumRules.newBuilder().addNotIn(0), 0, 2),
        // messages
        new Row(
            "message required",
            Type.TYPE_MESSAGE,
            ".google.protobuf.UInt32Value",
            false,
            fr().setMessage(MessageRules.newBuilder().setRequired(true)).build(),
            null,
            UInt32Value.of(0)),
        new Row(
            "any.required on a plain message field means required",
            Type.TYPE_MESSAGE,
            ".google.protobuf.UInt32Value",
            false,
            fr().setAny(AnyRules.newBuilder().setRequired(true)).build(),
            null,
            UInt32Value.of(0)),
        new Row(
            "wrapper: uint32 rules apply to the wrapped value",
            Type.TYPE_MESSAGE,
            ".google.protobuf.UInt32Value",
            false,
            fr().setUint32(UInt32Rules.newBuilder().setLte(65535)).build(),
            UInt32Value.of(70000),
            UInt32Value.of(8080)),
        // repeated
        rep(
            "repeated min_items",
            RepeatedRules.newBuilder().setMinItems(1),
            List.of(),
            List.of("a")),
        rep(
            "repeated max_items",
            RepeatedRules.newBuilder().setMaxItems(1),
            List.of("a", "b"),
            List.of("a")),
        rep(
            "repeated unique",
            RepeatedRules.newBuilder().setUnique(true),
            List.of("a", "a"),
            List.of("a", "b")),
        rep(
            "repeated items",
            RepeatedRules.newBuilder().setItems(fr().setString(s().setMinLen(1))),
            List.of("a", ""),
            List.of("a", "b")),
        rep(
            "repeated ignore_empty",
            RepeatedRules.newBuilder().setMinItems(2).setIgnoreEmpty(true),
            List.of("a"),
            List.of()),
        // Any
        new Row(
            "any required",
            Type.TYPE_MESSAGE,
            ".google.protobuf.Any",
            false,
            fr().setAny(AnyRules.newBuilder().setRequired(true)).build(),
            null,
            Any.pack(UInt32Value.of(1))),
        new Row(
            "any in",
            Type.TYPE_MESSAGE,
            ".google.protobuf.Any",
            false,
            fr().setAny(
                    AnyRules.newBuilder().addIn("type.googleapis.com/google.protobuf.UInt32Value"))
                .build(),
            Any.pack(Duration.getDefaultInstance()),
            Any.pack(UInt32Value.of(1))),
        new Row(
            "any not_in",
            Type.TYPE_MESSAGE,
            ".google.protobuf.Any",
            false,
            fr().setAny(
                    AnyRules.newBuilder()
                        .addNotIn("type.googleapis.com/google.protobuf.UInt32Value"))
                .build(),
            Any.pack(UInt32Value.of(1)),
            Any.pack(Duration.getDefaultInstance())),
        // durations
        dur("duration required", DurationRules.newBuilder().setRequired(true), null, secs(0)),
        dur("duration const", DurationRules.newBuilder().setConst(secs(5)), secs(4), secs(5)),
        dur(
            "duration gt zero",
            DurationRules.newBuilder().setGt(Duration.getDefaultInstance()),
            secs(0),
            Duration.newBuilder().setNanos(1).build()),
        dur(
            "duration gte",
            DurationRules.newBuilder().setGte(secs(1)),
            Duration.newBuilder().setNanos(999_999_999).build(),
            secs(1)),
        dur("duration lt", DurationRules.newBuilder().setLt(secs(1)), secs(1), secs(0)),
        dur("duration lte", DurationRules.newBuilder().setLte(secs(1)), secs(2), secs(1)),
        dur(
            "duration in",
            DurationRules.newBuilder().addIn(secs(1)).addIn(secs(2)),
            secs(3),
            secs(2)),
        dur("duration not_in", DurationRules.newBuilder().addNotIn(secs(1)), secs(1), secs(2)),
        // timestamps
        ts("timestamp required", TimestampRules.newBuilder().setRequired(true), null, at(0)),
        ts("timestamp const", TimestampRules.newBuilder().setConst(at(10)), at(11), at(10)),
        ts("timestamp lt", TimestampRules.newBuilder().setLt(at(10)), at(10), at(9)),
        ts("timestamp lte", TimestampRules.newBuilder().setLte(at(10)), at(11), at(10)),
        ts("timestamp gt", TimestampRules.newBuilder().setGt(at(10)), at(10), at(11)),
        ts("timestamp gte", TimestampRules.newBuilder().setGte(at(10)), at(9), at(10)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void catchesTheBreakAndPassesTheKeeper(Row row) {
    Descriptor d =
        SyntheticMessages.single(row.type(), row.typeName(), row.repeated(), row.rules());

    List<Violation> bad = validator.validateMessage("t", SyntheticMessages.with(d, row.bad()));
    List<Violation> good = validator.validateMessage("t", SyntheticMessages.with(d, row.good()));

    assertThat(bad).as("violations of the breaking value").isNotEmpty();
    assertThat(bad).allSatisfy(v -> assertThat(v.path()).startsWith("f"));
    assertThat(good).as("violations of the keeping value").isEmpty();
  }

  @Test
  void reportsTheValueAndTheBound() {
    Descriptor d =
        SyntheticMessages.single(
            Type.TYPE_UINT32,
            "",
            false,
            fr().setUint32(UInt32Rules.newBuilder().setLte(65535)).build());

    assertThat(validator.validateMessage("t", SyntheticMessages.with(d, 70000)))
        .containsExactly(new Violation("t", "f", "value 70000 must be <= 65535"));
  }

  @Test
  void exclusiveRangeSaysOutside() {
    Descriptor d =
        SyntheticMessages.single(
            Type.TYPE_INT32,
            "",
            false,
            fr().setInt32(Int32Rules.newBuilder().setLt(0).setGt(10)).build());

    assertThat(validator.validateMessage("t", SyntheticMessages.with(d, 5)))
        .extracting(Violation::message)
        .containsExactly("value 5 must be outside range [0, 10]");
  }

  @Test
  void unsetWrapperSkipsItsScalarRules() {
    Descriptor d =
        SyntheticMessages.single(
            Type.TYPE_MESSAGE,
            ".google.protobuf.UInt32Value",
            false,
            fr().setUint32(UInt32Rules.newBuilder().setGte(1)).build());

    assertThat(validator.validateMessage("t", SyntheticMessages.with(d, null))).isEmpty();
  }

  @Test
  void rulesOfAnUnsetOneofMemberDoNotApply() {
    RouteMatch prefix = RouteMatch.newBuilder().setPrefix("/").build();
    RouteMatch regex =
        RouteMatch.newBuilder().setSafeRegex(RegexMatcher.getDefaultInstance()).build();

    assertThat(validator.validateMessage("m", prefix)).isEmpty();
    assertThat(validator.validateMessage("m", regex))
        .containsExactly(
            new Violation(
                "m", "safe_regex.regex", "value must be at least 1 characters long, is 0"));
  }

  @Test
  void oneofRequired() {
    Descriptor d = SyntheticMessages.requiredOneof();
    DynamicMessage unset = DynamicMessage.newBuilder(d).build();
    DynamicMessage set = DynamicMessage.newBuilder(d).setField(d.findFieldByName("b"), "").build();

    assertThat(validator.validateMessage("t", unset))
        .containsExactly(new Violation("t", "o", "exactly one of [a, b] must be set"));
    assertThat(validator.validateMessage("t", set)).isEmpty();
  }

  @Test
  void walksIntoNestedMessagesUnlessSkipped() {
    Descriptor walked =
        SyntheticMessages.nested(
            FieldRules.getDefaultInstance(), MessageOptions.getDefaultInstance());
    Descriptor skipped =
        SyntheticMessages.nested(
            fr().setMessage(MessageRules.newBuilder().setSkip(true)).build(),
            MessageOptions.getDefaultInstance());

    assertThat(validator.validateMessage("t", withEmptyInner(walked)))
        .containsExactly(
            new Violation("t", "inner.s", "value must be at least 1 characters long, is 0"));
    assertThat(validator.validateMessage("t", withEmptyInner(skipped))).isEmpty();
  }

  @Test
  void disabledAndIgnoredMessagesAreNotChecked() {
    Descriptor disabled =
        SyntheticMessages.nested(
            FieldRules.getDefaultInstance(),
            MessageOptions.newBuilder().setExtension(Validate.disabled, true).build());
    Descriptor ignored =
        SyntheticMessages.nested(
            FieldRules.getDefaultInstance(),
            MessageOptions.newBuilder().setExtension(Validate.ignored, true).build());

    assertThat(validator.validateMessage("t", withEmptyInner(disabled))).isEmpty();
    assertThat(validator.validateMessage("t", withEmptyInner(ignored))).isEmpty();
  }

  @Test
  void mapRules() {
    FieldRules rules =
        fr().setMap(
                MapRules.newBuilder()
                    .setMinPairs(1)
                    .setMaxPairs(2)
                    .setKeys(fr().setString(s().setMinLen(2)))
                    .setValues(fr().setString(s().setPrefix("v"))))
            .build();
    Descriptor d = SyntheticMessages.map(Type.TYPE_STRING, "", rules);

    assertThat(validator.validateMessage("t", mapOf(d, "ka", "v1", "kb", "v2"))).isEmpty();
    assertThat(validator.validateMessage("t", mapOf(d)))
        .containsExactly(new Violation("t", "f", "must have at least 1 pair(s), has 0"));
    assertThat(validator.validateMessage("t", mapOf(d, "ka", "v", "kb", "v", "kc", "v")))
        .containsExactly(new Violation("t", "f", "must have at most 2 pair(s), has 3"));
    assertThat(validator.validateMessage("t", mapOf(d, "k", "v1", "kb", "x")))
        .containsExactly(
            new Violation("t", "f[\"k\"]", "value must be at least 2 characters long, is 1"),
            new Violation("t", "f[\"kb\"]", "value \"x\" must start with \"v\""));
  }

  @Test
  void mapIgnoreEmpty() {
    Descriptor ignoreEmpty =
        SyntheticMessages.map(
            Type.TYPE_STRING,
            "",
            fr().setMap(MapRules.newBuilder().setMinPairs(2).setIgnoreEmpty(true)).build());
    assertThat(validator.validateMessage("t", mapOf(ignoreEmpty))).isEmpty();
    assertThat(validator.validateMessage("t", mapOf(ignoreEmpty, "a", "b"))).hasSize(1);

    assertThat(validator.validateMessage("t", mapOf(ignoreEmpty, "a", "b", "c", "d"))).isEmpty();
  }

  @Test
  void mapValuesAreWalked() {
    Descriptor d =
        SyntheticMessages.map(
            Type.TYPE_MESSAGE,
            ".google.protobuf.Any",
            fr().setMap(
                    MapRules.newBuilder()
                        .setValues(fr().setAny(AnyRules.newBuilder().setRequired(true))))
                .build());
    Descriptor entry = d.findFieldByName("f").getMessageType();
    DynamicMessage m =
        DynamicMessage.newBuilder(d)
            .addRepeatedField(
                d.findFieldByName("f"),
                DynamicMessage.newBuilder(entry)
                    .setField(entry.findFieldByName("key"), "k")
                    .setField(
                        entry.findFieldByName("value"), Any.pack(HttpFilter.getDefaultInstance()))
                    .build())
            .build();

    assertThat(validator.validateMessage("t", m))
        .containsExactly(
            new Violation("t", "f[\"k\"].name", "value must be at least 1 characters long, is 0"));
  }

  @Test
  void anyIsUnpackedAndChecked() {
    Descriptor d =
        SyntheticMessages.single(
            Type.TYPE_MESSAGE, ".google.protobuf.Any", false, FieldRules.getDefaultInstance());

    assertThat(
            validator.validateMessage(
                "t", SyntheticMessages.with(d, Any.pack(HttpFilter.getDefaultInstance()))))
        .containsExactly(
            new Violation("t", "f.name", "value must be at least 1 characters long, is 0"));
    assertThat(
            validator.validateMessage(
                "t",
                SyntheticMessages.with(d, Any.pack(HttpFilter.newBuilder().setName("f").build()))))
        .isEmpty();
  }

  @Test
  void anyOfAnUnknownTypeCannotBeValidated() {
    Descriptor d =
        SyntheticMessages.single(
            Type.TYPE_MESSAGE, ".google.protobuf.Any", false, FieldRules.getDefaultInstance());
    Any unknown = Any.newBuilder().setTypeUrl("type.googleapis.com/example.Unknown").build();

    assertThat(validator.validateMessage("t", SyntheticMessages.with(d, unknown)))
        .containsExactly(
            new Violation(
                "t",
                "f",
                "unknown type URL 'type.googleapis.com/example.Unknown' cannot validate"));
  }

  @Test
  void timestampRulesAgainstNowAreReportedNotSkipped() {
    Descriptor d =
        SyntheticMessages.single(
            Type.TYPE_MESSAGE,
            ".google.protobuf.Timestamp",
            false,
            fr().setTimestamp(TimestampRules.newBuilder().setLtNow(true)).build());

    assertThat(validator.validateMessage("t", SyntheticMessages.with(d, at(0))))
        .extracting(Violation::message)
        .containsExactly(
            "timestamp rules relative to now (lt_now, gt_now, within) are not checked");
  }

  @Test
  void ruleOfTheWrongKindIsReported() {
    Descriptor d =
        SyntheticMessages.single(
            Type.TYPE_INT32, "", false, fr().setString(s().setMinLen(1)).build());

    assertThat(validator.validateMessage("t", SyntheticMessages.with(d, 1)))
        .extracting(Violation::message)
        .containsExactly("validate rule kind string does not apply to field test.T.f");
  }

  // ---- helpers ----

  private static DynamicMessage withEmptyInner(Descriptor t) {
    Descriptor inner = t.findFieldByName("inner").getMessageType();
    return DynamicMessage.newBuilder(t)
        .setField(t.findFieldByName("inner"), DynamicMessage.newBuilder(inner).build())
        .build();
  }

  private static DynamicMessage mapOf(Descriptor t, String... keysAndValues) {
    Descriptor entry = t.findFieldByName("f").getMessageType();
    DynamicMessage.Builder b = DynamicMessage.newBuilder(t);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      b.addRepeatedField(
          t.findFieldByName("f"),
          DynamicMessage.newBuilder(entry)
              .setField(entry.findFieldByName("key"), keysAndValues[i])
              .setField(entry.findFieldByName("value"), keysAndValues[i + 1])
              .build());
    }
    return b.build();
  }

  private static FieldRules.Builder fr() {
    return FieldRules.newBuilder();
  }

  private static StringRules.Builder s() {
    return StringRules.newBuilder();
  }

  private static BytesRules.Builder b() {
    return BytesRules.newBuilder();
  }

  private static Row scalar(
      String name, Type type, FieldRules.Builder rules, Object bad, Object good) {
    return new Row(name, type, "", false, rules.build(), bad, good);
  }

  private static Row str(String name, StringRules.Builder rules, String bad, String good) {
    return new Row(name, Type.TYPE_STRING, "", false, fr().setString(rules).build(), bad, good);
  }

  private static Row bytes(String name, BytesRules.Builder rules, String bad, String good) {
    return new Row(
        name,
        Type.TYPE_BYTES,
        "",
        false,
        fr().setBytes(rules).build(),
        ByteString.copyFromUtf8(bad),
        ByteString.copyFromUtf8(good));
  }

  private static Row enumRow(String name, EnumRules.Builder rules, int bad, int good) {
    return new Row(
        name,
        Type.TYPE_ENUM,
        SyntheticMessages.ENUM,
        false,
        fr().setEnum(rules).build(),
        bad,
        good);
  }

  private static Row rep(
      String name, RepeatedRules.Builder rules, List<String> bad, List<String> good) {
    return new Row(name, Type.TYPE_STRING, "", true, fr().setRepeated(rules).build(), bad, good);
  }

  private static Row dur(String name, DurationRules.Builder rules, Duration bad, Duration good) {
    return new Row(
        name,
        Type.TYPE_MESSAGE,
        ".google.protobuf.Duration",
        false,
        fr().setDuration(rules).build(),
        bad,
        good);
  }

  private static Row ts(String name, TimestampRules.Builder rules, Timestamp bad, Timestamp good) {
    return new Row(
        name,
        Type.TYPE_MESSAGE,
        ".google.protobuf.Timestamp",
        false,
        fr().setTimestamp(rules).build(),
        bad,
        good);
  }

  private static Duration secs(long s) {
    return Duration.newBuilder().setSeconds(s).build();
  }

  private static Timestamp at(long s) {
    return Timestamp.newBuilder().setSeconds(s).build();
  }
}
