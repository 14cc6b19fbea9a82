package io.fairlead.bootstrap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fairlead.translators.ProxyRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The golden case folders and their strictly parsed params.yaml. */
final class GoldenCases {

  static final String PARAMS = "params.yaml";
  private static final Set<String> KEYS =
      Set.of(
          "role",
          "xdsAddress",
          "nodeId",
          "cluster",
          "namespace",
          "pod",
          "node",
          "zone",
          "gatewayGroup",
          "gatewayPort",
          "adminPort",
          "tls",
          "visibleNamespaces",
          "xffTrustedHops",
          "proxyProtocol",
          "sessionCookieWallClock",
          "dependencies",
          "onDemand");
  private static final Set<String> TLS_KEYS = Set.of("ca", "cert", "key");
  private static final YAMLMapper YAML = new YAMLMapper();

  private GoldenCases() {}

  static Path root() {
    return Path.of(System.getProperty("golden.dir", "src/test/resources"), "golden");
  }

  static boolean updating() {
    return Boolean.getBoolean("update");
  }

  /** Case folders, sorted by name. */
  static List<Path> folders() {
    try (Stream<Path> children = Files.list(root())) {
      List<Path> folders = children.filter(Files::isDirectory).sorted().toList();
      if (folders.isEmpty()) {
        throw new AssertionError("no golden cases under " + root());
      }
      return folders;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads params.yaml into a builder. Mistakes in the file itself are AssertionErrors, so they
   * cannot be mistaken for the IllegalArgumentExceptions that the code under test throws.
   */
  static BootstrapParams.Builder readParams(Path folder) {
    Map<String, Object> map;
    try {
      map =
          YAML.readValue(
              folder.resolve(PARAMS).toFile(), new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new AssertionError("cannot read " + folder.resolve(PARAMS) + ": " + e.getMessage(), e);
    }
    requireKnownKeys(folder, map, KEYS);
    BootstrapParams.Builder builder =
        BootstrapParams.builder()
            .xdsAddress(string(map, "xdsAddress"))
            .nodeId(string(map, "nodeId"))
            .cluster(string(map, "cluster"))
            .namespace(string(map, "namespace"))
            .pod(string(map, "pod"))
            .node(string(map, "node"))
            .zone(string(map, "zone"))
            .gatewayGroup(string(map, "gatewayGroup"))
            .gatewayPort(integer(map, "gatewayPort"))
            .adminPort(integer(map, "adminPort"))
            .visibleNamespaces(string(map, "visibleNamespaces"))
            .xffTrustedHops(integer(map, "xffTrustedHops"))
            .proxyProtocol(Boolean.TRUE.equals(map.get("proxyProtocol")))
            .sessionCookieWallClock(Boolean.TRUE.equals(map.get("sessionCookieWallClock")))
            .dependencies(string(map, "dependencies"))
            .onDemand(Boolean.TRUE.equals(map.get("onDemand")));
    String role = string(map, "role");
    if (role != null) {
      builder.role(
          ProxyRole.parse(role)
              .orElseThrow(() -> new AssertionError(folder + ": unknown role " + role)));
    }
    if (map.get("tls") instanceof Map<?, ?> tls) {
      @SuppressWarnings("unchecked")
      Map<String, Object> files = (Map<String, Object>) tls;
      requireKnownKeys(folder, files, TLS_KEYS);
      builder.tls(new TlsFiles(string(files, "ca"), string(files, "cert"), string(files, "key")));
    } else if (map.containsKey("tls")) {
      throw new AssertionError(folder + ": tls must be a map of ca, cert and key");
    }
    return builder;
  }

  private static void requireKnownKeys(Path folder, Map<String, Object> map, Set<String> known) {
    Set<String> unknown = new TreeSet<>(map.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new AssertionError(folder.resolve(PARAMS) + ": unknown keys " + unknown);
    }
  }

  private static String string(Map<String, Object> map, String key) {
    Object value = map.get(key);
    if (value != null && !(value instanceof String)) {
      throw new AssertionError(key + " must be a string, got " + value);
    }
    return (String) value;
  }

  private static Integer integer(Map<String, Object> map, String key) {
    Object value = map.get(key);
    if (value != null && !(value instanceof Integer)) {
      throw new AssertionError(key + " must be an integer, got " + value);
    }
    return (Integer) value;
  }
}
