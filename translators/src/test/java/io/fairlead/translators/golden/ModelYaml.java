package io.fairlead.translators.golden;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fairlead.policies.AnnotationKey;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Durations;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.ParseResult;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.output.ModelTree;
import io.fairlead.translators.output.Trees;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads a {@link ServiceModel} from the YAML that {@link ModelTree} prints, so that a golden case
 * can start from a hand-written model ({@code model.in.yaml}) rather than from Kubernetes objects.
 * The inverse of {@code ModelTree.tree(model)}, by reflection over the same records:
 *
 * <ul>
 *   <li>a record is a map of its components; a case of a sealed interface also has {@code type},
 *       its simple name in kebab case;
 *   <li>an absent key is an empty Optional; every other component is required;
 *   <li>enums by their kebab-case names, durations in the annotation grammar ({@code 30s}), an
 *       {@link ObjectRef} as {@code namespace/name}, an {@link AnnotationKey} (the provenance map's
 *       keys) by its name without {@code fairlead.io/};
 *   <li>a diagnostic as {@code diagnostics.yaml} prints it (severity, reason, object, port, key,
 *       message), about a Kubernetes object.
 * </ul>
 *
 * Strict: an unknown key, a missing component, a value of the wrong kind or a record whose
 * constructor refuses its values throws {@link Invalid}, whose one-line message names the path.
 */
final class ModelYaml {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** The keys of a printed diagnostic ({@link Trees#diagnostic}); {@code port} is optional. */
  private static final List<String> DIAGNOSTIC_KEYS =
      List.of("severity", "reason", "object", "port", "key", "message");

  private ModelYaml() {}

  /** A model input that does not describe a model; the message is one line and names the path. */
  static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }

  /**
   * The text a model reads back from: {@code ModelTree}'s tree of the whole model, diagnostics
   * included.
   */
  static String print(ServiceModel model) {
    return Trees.yaml(ModelTree.tree(model));
  }

  /** Reads a model; {@code source} (a file name) starts every error message. */
  static ServiceModel read(String source, String text) {
    if (text.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
      throw new Invalid(source + ": empty; expected a map with services and diagnostics");
    }
    Object tree;
    try {
      tree = YAML.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new Invalid(source + ": not YAML: " + e.getOriginalMessage().replace('\n', ' '));
    }
    try {
      return (ServiceModel) value(ServiceModel.class, tree, "");
    } catch (Invalid e) {
      throw new Invalid(source + ": " + e.getMessage());
    }
  }

  private static Invalid invalid(String path, String what) {
    return new Invalid((path.isEmpty() ? "(top)" : path) + ": " + what);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static Object value(Type type, Object node, String path) {
    if (node == null) {
      throw invalid(path, "is null; leave an Optional out instead");
    }
    Class<?> raw = raw(type, path);
    if (raw == Optional.class) {
      // Only a record component can be absent; an Optional elsewhere has nothing to stand for.
      return Optional.of(value(argument(type, 0, path), node, path));
    }
    if (raw == String.class) {
      return cast(node, String.class, "text", path);
    }
    if (raw == int.class || raw == Integer.class) {
      return Math.toIntExact(integer(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
    if (raw == long.class || raw == Long.class) {
      return integer(node, path, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    if (raw == double.class || raw == Double.class) {
      return cast(node, Number.class, "a number", path).doubleValue();
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return cast(node, Boolean.class, "true or false", path);
    }
    if (raw == Duration.class) {
      String text = cast(node, String.class, "a duration such as 30s", path);
      if (Durations.parse(text) instanceof ParseResult.Ok<Duration> ok) {
        return ok.value();
      }
      throw invalid(path, "'" + text + "' is not a duration; expected e.g. 30s, 5m, 1h30m, 250ms");
    }
    if (raw == ObjectRef.class) {
      return objectRef(cast(node, String.class, "namespace/name", path), path);
    }
    if (raw == AnnotationKey.class) {
      String name = cast(node, String.class, "an annotation key name", path);
      return AnnotationRegistry.find(name)
          .orElseThrow(
              () ->
                  invalid(
                      path,
                      "'"
                          + name
                          + "' is not an annotation key (name it without "
                          + AnnotationRegistry.PREFIX
                          + ")"));
    }
    if (raw.isEnum()) {
      return enumValue(raw, cast(node, String.class, "one of " + enumNames(raw), path), path);
    }
    if (raw == Diagnostic.class) {
      return diagnostic(node, path);
    }
    if (raw == List.class
        || raw == Set.class
        || raw == SortedSet.class
        || raw == Collection.class) {
      List<?> items = cast(node, List.class, "a list", path);
      Type element = argument(type, 0, path);
      Collection<Object> out =
          raw == SortedSet.class
              ? new TreeSet<>()
              : raw == Set.class ? new LinkedHashSet<>() : new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (!out.add(value(element, items.get(i), path + "[" + i + "]"))) {
          throw invalid(path + "[" + i + "]", "repeats an element of a set");
        }
      }
      return raw == List.class || raw == Collection.class ? List.copyOf(out) : out;
    }
    if (raw == Map.class) {
      Map<?, ?> entries = cast(node, Map.class, "a map", path);
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : entries.entrySet()) {
        String key = String.valueOf(e.getKey());
        Object k = value(argument(type, 0, path), key, join(path, key));
        if (out.put(k, value(argument(type, 1, path), e.getValue(), join(path, key))) != null) {
          throw invalid(join(path, key), "names the same key as another entry");
        }
      }
      return out;
    }
    if (raw.isRecord()) {
      return record(raw, node, path, true);
    }
    if (raw.isSealed()) {
      return sealed(raw, node, path);
    }
    throw invalid(path, "cannot read a " + raw.getName() + " (ModelYaml knows no such value)");
  }

  private static Object sealed(Class<?> iface, Object node, String path) {
    Map<?, ?> map = cast(node, Map.class, "a map with a " + ModelTree.TYPE_KEY, path);
    Map<String, Class<?>> cases = new TreeMap<>();
    cases(iface, cases);
    Object type = map.get(ModelTree.TYPE_KEY);
    if (type == null) {
      throw invalid(
          path,
          "missing " + ModelTree.TYPE_KEY + " (one of " + String.join(", ", cases.keySet()) + ")");
    }
    Class<?> chosen = cases.get(String.valueOf(type));
    if (chosen == null) {
      throw invalid(
          join(path, ModelTree.TYPE_KEY),
          "unknown "
              + iface.getSimpleName()
              + " '"
              + type
              + "'; expected one of "
              + String.join(", ", cases.keySet()));
    }
    return record(chosen, node, path, false);
  }

  /** The record cases of a sealed interface, through sealed sub-interfaces, by their type names. */
  private static void cases(Class<?> sealed, Map<String, Class<?>> out) {
    for (Class<?> c : sealed.getPermittedSubclasses()) {
      if (c.isRecord()) {
        out.put(kebab(c.getSimpleName()), c);
      } else if (c.isSealed()) {
        cases(c, out);
      }
    }
  }

  private static Object record(Class<?> type, Object node, String path, boolean checkType) {
    Map<?, ?> map = cast(node, Map.class, "a map of " + type.getSimpleName(), path);
    RecordComponent[] components = type.getRecordComponents();
    Set<String> known = new LinkedHashSet<>();
    Arrays.stream(components).forEach(c -> known.add(c.getName()));
    boolean sealedCase = isSealedCase(type);
    if (sealedCase) {
      known.add(ModelTree.TYPE_KEY);
      if (checkType && !kebab(type.getSimpleName()).equals(map.get(ModelTree.TYPE_KEY))) {
        throw invalid(join(path, ModelTree.TYPE_KEY), "must be " + kebab(type.getSimpleName()));
      }
    }
    for (Object key : map.keySet()) {
      if (!known.contains(String.valueOf(key))) {
        throw invalid(
            join(path, String.valueOf(key)),
            "unknown field of " + type.getSimpleName() + "; expected " + String.join(", ", known));
      }
    }
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      String at = join(path, c.getName());
      if (!map.containsKey(c.getName())) {
        if (c.getType() != Optional.class) {
          throw invalid(
              at,
              "missing (required in "
                  + type.getSimpleName()
                  + "; only an Optional may be left out)");
        }
        args[i] = Optional.empty();
      } else {
        args[i] = value(c.getGenericType(), map.get(c.getName()), at);
      }
    }
    try {
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      throw invalid(path, type.getSimpleName() + " refuses these values: " + e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Diagnostic diagnostic(Object node, String path) {
    Map<?, ?> map = cast(node, Map.class, "a map of " + String.join(", ", DIAGNOSTIC_KEYS), path);
    for (Object key : map.keySet()) {
      if (!DIAGNOSTIC_KEYS.contains(String.valueOf(key))) {
        throw invalid(
            join(path, String.valueOf(key)),
            "unknown field of a diagnostic; expected " + String.join(", ", DIAGNOSTIC_KEYS));
      }
    }
    Severity severity =
        named(
            Severity.values(),
            Severity::label,
            required(map, "severity", path),
            join(path, "severity"));
    Reason reason =
        named(
            Reason.values(),
            Reason::eventReason,
            required(map, "reason", path),
            join(path, "reason"));
    ObjectRef object = objectRef(required(map, "object", path), join(path, "object"));
    Optional<String> port =
        map.containsKey("port")
            ? Optional.of(cast(map.get("port"), String.class, "text", join(path, "port")))
            : Optional.empty();
    return new Diagnostic(
        severity,
        reason,
        new Subject.Kube(object, port, required(map, "key", path)),
        required(map, "message", path));
  }

  private static String required(Map<?, ?> map, String key, String path) {
    if (!map.containsKey(key)) {
      throw invalid(join(path, key), "missing");
    }
    return cast(map.get(key), String.class, "text", join(path, key));
  }

  private static <T> T named(
      T[] values, java.util.function.Function<T, String> name, String text, String path) {
    for (T v : values) {
      if (name.apply(v).equals(text)) {
        return v;
      }
    }
    throw invalid(
        path,
        "'"
            + text
            + "' is not one of "
            + Arrays.stream(values).map(name).collect(Collectors.joining(", ")));
  }

  private static ObjectRef objectRef(String text, String path) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
      throw invalid(path, "'" + text + "' is not namespace/name");
    }
    return ObjectRef.parse(text);
  }

  private static Object enumValue(Class<?> type, String text, String path) {
    for (Object constant : type.getEnumConstants()) {
      if (enumName((Enum<?>) constant).equals(text)) {
        return constant;
      }
    }
    throw invalid(path, "'" + text + "' is not one of " + enumNames(type));
  }

  private static String enumNames(Class<?> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(c -> enumName((Enum<?>) c))
        .collect(Collectors.joining(", "));
  }

  /** As {@link ModelTree} prints an enum. */
  private static String enumName(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static long integer(Object node, String path, long min, long max) {
    if (node instanceof Integer || node instanceof Long || node instanceof BigInteger) {
      BigInteger v = new BigInteger(node.toString());
      if (v.compareTo(BigInteger.valueOf(min)) >= 0 && v.compareTo(BigInteger.valueOf(max)) <= 0) {
        return v.longValue();
      }
      throw invalid(path, node + " is out of range " + min + " to " + max);
    }
    throw invalid(path, "expected a whole number, not " + describe(node));
  }

  private static <T> T cast(Object node, Class<T> type, String expected, String path) {
    if (!type.isInstance(node)) {
      throw invalid(path, "expected " + expected + ", not " + describe(node));
    }
    return type.cast(node);
  }

  private static String describe(Object node) {
    if (node instanceof Map<?, ?>) {
      return "a map";
    }
    if (node instanceof List<?>) {
      return "a list";
    }
    return node instanceof String s ? "'" + s + "'" : String.valueOf(node);
  }

  private static Class<?> raw(Type type, String path) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    if (type instanceof WildcardType w) {
      return raw(w.getUpperBounds()[0], path);
    }
    throw invalid(path, "cannot read a value of type " + type.getTypeName());
  }

  private static Type argument(Type type, int index, String path) {
    if (type instanceof ParameterizedType p) {
      Type arg = p.getActualTypeArguments()[index];
      return arg instanceof WildcardType w ? w.getUpperBounds()[0] : arg;
    }
    throw invalid(path, "cannot read a raw " + type.getTypeName());
  }

  /** As {@link ModelTree} decides whether to print {@code type}. */
  private static boolean isSealedCase(Class<?> type) {
    Deque<Class<?>> todo = new ArrayDeque<>(List.of(type.getInterfaces()));
    while (!todo.isEmpty()) {
      Class<?> iface = todo.pop();
      if (iface.isSealed()) {
        return true;
      }
      todo.addAll(List.of(iface.getInterfaces()));
    }
    return false;
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
