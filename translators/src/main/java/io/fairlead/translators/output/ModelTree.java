package io.fairlead.translators.output;

import io.fairlead.policies.Durations;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.model.ServiceModel;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The intermediate model as a plain tree, by reflection, so that it follows the model records as
 * they change: records become maps of their components, a record that implements a sealed interface
 * also says its {@code type} (its name in kebab case), absent Optionals are left out, enums read as
 * their kebab-case names, durations in the annotation grammar ({@code 30s}) and an {@link
 * ObjectRef} as {@code namespace/name}. Map keys are sorted, and so are the elements of a set that
 * has no order of its own, so equal models give equal text.
 */
public final class ModelTree {

  /** The key that names the case of a sealed interface. */
  public static final String TYPE_KEY = "type";

  private ModelTree() {}

  /** The services of a model, as the golden tests record them. */
  public static Object of(ServiceModel model) {
    Map<String, Object> out = new TreeMap<>();
    out.put("services", tree(model.services()));
    return out;
  }

  /** Any model value (a record, a list of them...) as a tree of maps, lists and scalars. */
  public static Object tree(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Optional<?> o) {
      return o.map(ModelTree::tree).orElse(null);
    }
    if (value instanceof Duration d) {
      return Durations.format(d);
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    if (value instanceof ObjectRef ref) {
      return ref.toString();
    }
    if (value instanceof io.fairlead.policies.Diagnostic d) {
      return new TreeMap<>(Trees.diagnostic(d));
    }
    if (value instanceof io.fairlead.policies.AnnotationKey<?> key) {
      return key.name();
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>();
      c.forEach(v -> out.add(tree(v)));
      if (value instanceof Set<?> && !(value instanceof SortedSet<?>)) {
        out.sort(Comparator.comparing(String::valueOf));
      }
      return out;
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(tree(k)), tree(v)));
      return out;
    }
    if (value instanceof Record r) {
      return record(r);
    }
    return value;
  }

  private static Map<String, Object> record(Record r) {
    Map<String, Object> out = new TreeMap<>();
    Class<?> type = r.getClass();
    if (isSealedCase(type)) {
      out.put(TYPE_KEY, kebab(type.getSimpleName()));
    }
    for (RecordComponent c : type.getRecordComponents()) {
      Object v;
      try {
        v = tree(c.getAccessor().invoke(r));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (v != null && out.put(c.getName(), v) != null) {
        throw new IllegalStateException(
            type.getName()
                + " has a component named '"
                + TYPE_KEY
                + "', the key that names its case");
      }
    }
    return out;
  }

  /** Whether the record is a case of a sealed interface, directly or through other interfaces. */
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
