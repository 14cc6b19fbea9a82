package io.fairlead.translators.output;

import io.fairlead.policies.Protocol;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.model.ServiceModel;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The intermediate model as a plain tree: records become maps of their components, a record that
 * implements a sealed interface says its {@code type}, absent Optionals are left out and durations
 * read as {@code 30s}.
 */
public final class ModelTree {

  private ModelTree() {}

  public static Object of(ServiceModel model) {
    Map<String, Object> out = new TreeMap<>();
    out.put("services", tree(model.services()));
    return out;
  }

  static Object tree(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Optional<?> o) {
      return o.map(ModelTree::tree).orElse(null);
    }
    if (value instanceof Duration d) {
      return duration(d);
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    if (value instanceof ObjectRef ref) {
      return ref.toString();
    }
    if (value instanceof io.fairlead.policies.AnnotationKey<?> key) {
      return key.name();
    }
    if (value instanceof Collection<?> c) {
      List<Object> out = new ArrayList<>();
      c.forEach(v -> out.add(tree(v)));
      return out;
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(tree(k)), tree(v)));
      return out;
    }
    if (value instanceof Record r) {
      Map<String, Object> out = new TreeMap<>();
      Class<?> type = r.getClass();
      for (Class<?> iface : type.getInterfaces()) {
        if (iface.isSealed()) {
          out.put("type", kebab(type.getSimpleName()));
        }
      }
      for (RecordComponent c : type.getRecordComponents()) {
        try {
          Object v = tree(c.getAccessor().invoke(r));
          if (v != null) {
            out.put(c.getName(), v);
          }
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return out;
    }
    return value instanceof Protocol p ? p.name().toLowerCase(Locale.ROOT) : value;
  }

  /** Go-style duration text, the form annotations use. */
  public static String duration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    long ms = d.toMillisPart();
    if (h > 0) {
      out.append(h).append('h');
    }
    if (m > 0) {
      out.append(m).append('m');
    }
    if (s > 0) {
      out.append(s).append('s');
    }
    if (ms > 0) {
      out.append(ms).append("ms");
    }
    return out.toString();
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
