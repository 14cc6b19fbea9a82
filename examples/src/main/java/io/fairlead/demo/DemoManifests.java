package io.fairlead.demo;

import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.xds.ResourceNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The demo's manifests, packaged from {@code examples/demo} into the jar under {@code /demo}. They
 * name the backends' port as {@value #MANIFEST_PORT}; copies get the port actually bound.
 */
public final class DemoManifests {

  /** The backend port the manifests are written with. */
  public static final int MANIFEST_PORT = 50051;

  public static final String NAMESPACE = "demo";

  /** Services and their slices, present from the start. */
  static final List<String> INITIAL = List.of("services.yaml", "endpointslices.yaml");

  /** The slice that adds a fourth pod to {@code demo/echo}. */
  static final String SCALE_UP = "scale-up/echo-4th-pod.yaml";

  private DemoManifests() {}

  /**
   * What a proxyless client dials for a demo Service: its listener name (the demo's server has the
   * default cluster domain).
   */
  public static String listener(String service) {
    return ResourceNames.proxylessListener(
        new ObjectRef(NAMESPACE, service), 9090, TranslationSettings.DEFAULT);
  }

  /** Writes the initial manifests into {@code dir}, with the backends on {@code port}. */
  public static void writeInitial(Path dir, int port) throws IOException {
    for (String name : INITIAL) {
      write(dir, name, port);
    }
  }

  /** Writes the scale-up slice into {@code dir} at once (no half-written file is ever seen). */
  public static Path writeScaleUp(Path dir, int port) throws IOException {
    return write(dir, SCALE_UP, port);
  }

  private static Path write(Path dir, String name, int port) throws IOException {
    String text = read(name).replace(String.valueOf(MANIFEST_PORT), String.valueOf(port));
    Path target = dir.resolve(Path.of(name).getFileName().toString());
    // a name the source ignores, then a rename: the watcher sees the whole file or none
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    Files.writeString(partial, text);
    return Files.move(
        partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String read(String name) throws IOException {
    try (InputStream in = DemoManifests.class.getResourceAsStream("/demo/" + name)) {
      if (in == null) {
        throw new IOException("demo manifest missing from the jar: /demo/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
