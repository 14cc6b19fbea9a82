package io.fairlead.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.KubeRefs;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.PodMetadata;
import io.fairlead.translators.input.KubeYaml;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Finding manifest files in a directory and merging their contents into one state. */
final class ManifestFiles {

  static final String FILE_KEY = "file";

  private ManifestFiles() {}

  /**
   * Every *.yaml, *.yml and *.json file under {@code dir}, sorted. Hidden files and directories are
   * skipped, which also skips the {@code ..data} copies in a mounted ConfigMap.
   */
  static List<Path> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return !d.equals(dir) && hidden(d)
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            // a symlink counts when it points at a regular file
            if (!hidden(file) && isManifest(file) && Files.isRegularFile(file)) {
              files.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (file.equals(dir)) {
              throw e;
            }
            return FileVisitResult.CONTINUE; // vanished while walking
          }
        });
    files.sort(null);
    return files;
  }

  /** Directories under {@code dir} (itself included) that {@link #list} descends into. */
  static List<Path> directories(Path dir) throws IOException {
    List<Path> dirs = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (!d.equals(dir) && hidden(d)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            dirs.add(d);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }
        });
    return dirs;
  }

  static boolean isManifest(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  private static boolean hidden(Path p) {
    return p.getFileName() != null && p.getFileName().toString().startsWith(".");
  }

  /**
   * Merges files in path order. An object defined twice keeps the later definition, with a warning;
   * each file's own diagnostics (ignored kinds) are kept.
   */
  static LoadResult merge(SortedMap<Path, KubeYaml.Parsed> files) {
    Map<ObjectRef, Service> services = new TreeMap<>();
    Map<ObjectRef, EndpointSlice> slices = new TreeMap<>();
    Map<ObjectRef, Path> serviceOrigin = new TreeMap<>();
    Map<ObjectRef, Path> sliceOrigin = new TreeMap<>();
    Map<ObjectRef, PodMetadata> pods = new TreeMap<>();
    Map<ObjectRef, Path> podOrigin = new TreeMap<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    files.forEach(
        (path, parsed) -> {
          for (Service s : parsed.services()) {
            put(services, serviceOrigin, s, path, diagnostics);
          }
          for (EndpointSlice e : parsed.endpointSlices()) {
            put(slices, sliceOrigin, e, path, diagnostics);
          }
          for (PodMetadata pod : parsed.pods()) {
            Path previous = podOrigin.put(pod.ref(), path);
            if (pods.put(pod.ref(), pod) != null) {
              diagnostics.add(twice(pod.ref(), "Pod", previous, path));
            }
          }
          diagnostics.addAll(parsed.diagnostics());
        });
    KubeState state = new KubeState(new TreeMap<>(services), new TreeMap<>(slices));
    for (PodMetadata pod : pods.values()) {
      state = state.withPod(pod);
    }
    return new LoadResult(state, diagnostics);
  }

  private static <T extends HasMetadata> void put(
      Map<ObjectRef, T> objects,
      Map<ObjectRef, Path> origin,
      T object,
      Path path,
      List<Diagnostic> diagnostics) {
    ObjectRef ref = KubeRefs.of(object);
    Path previous = origin.put(ref, path);
    if (objects.put(ref, object) != null) {
      diagnostics.add(twice(ref, object.getKind(), previous, path));
    }
  }

  private static Diagnostic twice(ObjectRef ref, String kind, Path previous, Path path) {
    return Diagnostic.warning(
        Reason.INVALID_OBJECT,
        Subject.of(ref, FILE_KEY),
        kind
            + " defined more than once (in "
            + previous
            + ", then in "
            + path
            + "); the last definition wins");
  }
}
