package io.fairlead.k8s;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.k8s.util.Sha256;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.SourceUpdate;
import io.fairlead.translators.input.KubeYaml;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services and EndpointSlices from a directory of manifests, watched for changes. Each file is
 * applied as a whole: a file that no longer parses keeps its last good contents and gets an error
 * diagnostic; a deleted file takes its objects with it.
 *
 * <p>A WatchService wakes the scan early, but a periodic rescan comparing content hashes is the
 * source of truth, since watch events are lost or missing on some filesystems (NFS, some container
 * mounts, ConfigMap symlink swaps).
 *
 * <p>Nothing a file or the filesystem does ends the source: a file larger than {@link
 * #MAX_FILE_BYTES}, a hostile one or one truncated to zero bytes keeps its last good contents; a
 * directory that empties or loses most of its Services at once is held back by a {@link
 * SourceGuard}; an unexpected error in a scan is logged, reported and the next scan goes on. A scan
 * that stops happening shows in {@link #health()}.
 */
public final class DirectorySource implements KubeSource {

  public static final Duration DEFAULT_RESCAN_PERIOD = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

  /**
   * A file larger than this is not read: no manifest directory needs one, and parsing it would
   * stall every change.
   */
  public static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  /**
   * After a watch event, wait until the directory is quiet this long, so half-written files are not
   * read.
   */
  private static final long SETTLE_MILLIS = 50;

  private final Path dir;
  private final Duration rescanPeriod;
  private final boolean watchEvents;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean synced;
  private volatile boolean closed;
  private volatile List<Diagnostic> diagnostics = List.of();
  private volatile Thread thread;
  private volatile WatchService watchService;
  private final SourceGuard guard;
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile Optional<String> scanFailure = Optional.empty();
  private volatile Duration stallAfter;

  // confined to the watch thread
  private Map<Path, FileState> files = new TreeMap<>();
  private final Set<Path> watchedDirs = new HashSet<>();
  private KubeState current = KubeState.EMPTY;

  /**
   * One file as last read: its content hash, the last contents that parsed, and its error if it
   * does not parse now.
   */
  private record FileState(
      String hash, Optional<KubeYaml.Parsed> lastGood, Optional<Diagnostic> error) {}

  public DirectorySource(Path dir) throws KubeSourceException {
    this(dir, DEFAULT_RESCAN_PERIOD);
  }

  public DirectorySource(Path dir, Duration rescanPeriod) throws KubeSourceException {
    this(dir, rescanPeriod, true);
  }

  /**
   * @param watchEvents false to rely on the periodic rescan alone, for filesystems where watch
   *     events never arrive or inotify watches are scarce
   */
  public DirectorySource(Path dir, Duration rescanPeriod, boolean watchEvents)
      throws KubeSourceException {
    this(dir, rescanPeriod, watchEvents, SourceGuard.Settings.DEFAULT);
  }

  /**
   * @param guard what a scan may withdraw at once before the operator confirms it
   */
  public DirectorySource(
      Path dir, Duration rescanPeriod, boolean watchEvents, SourceGuard.Settings guard)
      throws KubeSourceException {
    if (!Files.isDirectory(dir)) {
      throw new KubeSourceException(
          (Files.exists(dir) ? "not a directory: " : "no such directory: ") + dir);
    }
    if (!Files.isReadable(dir)) {
      throw new KubeSourceException("directory not readable: " + dir);
    }
    if (rescanPeriod.isNegative() || rescanPeriod.isZero()) {
      throw new IllegalArgumentException("rescan period must be positive: " + rescanPeriod);
    }
    this.dir = dir;
    this.rescanPeriod = rescanPeriod;
    this.watchEvents = watchEvents;
    this.guard = new SourceGuard(guard, dir.toString());
    this.stallAfter =
        Duration.ofNanos(Math.max(Duration.ofSeconds(30).toNanos(), 10 * rescanPeriod.toNanos()));
  }

  /** How long without a completed scan counts as stalled; for tests. */
  void stallAfter(Duration after) {
    this.stallAfter = after;
  }

  /**
   * Reads a manifest file (any name) or every manifest under a directory once, without watching.
   * Fails with a one-line message if the path is missing or any file does not parse.
   */
  public static LoadResult load(Path fileOrDir) throws KubeSourceException {
    if (!Files.exists(fileOrDir)) {
      throw new KubeSourceException("no such file or directory: " + fileOrDir);
    }
    List<Path> paths;
    try {
      paths = Files.isDirectory(fileOrDir) ? ManifestFiles.list(fileOrDir) : List.of(fileOrDir);
    } catch (IOException e) {
      throw new KubeSourceException("cannot list " + fileOrDir + ": " + e.getMessage(), e);
    }
    SortedMap<Path, KubeYaml.Parsed> parsed = new TreeMap<>();
    for (Path path : paths) {
      byte[] content;
      try {
        content = Files.readAllBytes(path);
      } catch (IOException e) {
        throw new KubeSourceException("cannot read " + path + ": " + e.getMessage(), e);
      }
      try {
        parsed.put(path, KubeYaml.parse(path.toString(), content));
      } catch (KubeYaml.InvalidInputException e) {
        throw new KubeSourceException(e.getMessage(), e); // "path: problem"
      }
    }
    LoadResult result = ManifestFiles.merge(parsed);
    if (paths.isEmpty()) {
      List<Diagnostic> diagnostics = new ArrayList<>(result.diagnostics());
      diagnostics.add(
          Diagnostic.warning(
              Reason.EMPTY_SOURCE,
              new Subject.Source(fileOrDir.toString(), ManifestFiles.FILE_KEY),
              "no .yaml, .yml or .json files found"));
      return new LoadResult(result.state(), diagnostics);
    }
    return result;
  }

  @Override
  public void start(Listener listener) {
    Objects.requireNonNull(listener);
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    thread = DaemonThreads.start("fairlead-directory-source", () -> run(listener));
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  @Override
  public void close() {
    closed = true;
    WatchService w = watchService;
    if (w != null) {
      try {
        w.close();
      } catch (IOException e) {
        LOG.debug("closing the watch service of {}", dir, e);
      }
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run(Listener listener) {
    if (watchEvents) {
      try {
        watchService = dir.getFileSystem().newWatchService();
      } catch (IOException | UnsupportedOperationException e) {
        LOG.warn(
            "cannot watch {} ({}); relying on a rescan every {} ms",
            dir,
            e.getMessage(),
            rescanPeriod.toMillis());
      }
    }
    if (closed) {
      close(); // close() ran before the watch service existed
    }
    while (!closed) {
      try {
        watchNewDirectories();
        scan(listener);
        scanFailure = Optional.empty();
        lastProgressNanos = System.nanoTime();
      } catch (Throwable e) { // NOPMD: no file or filesystem fault may end the source
        if (e instanceof InterruptedException || closed) {
          return;
        }
        String problem =
            "a scan failed ("
                + e.getClass().getSimpleName()
                + ": "
                + e.getMessage()
                + "); keeping the last good state";
        if (scanFailure.isEmpty()) {
          LOG.error("{}: {}", dir, problem, e);
        }
        scanFailure = Optional.of(problem);
      }
      if (!awaitActivity()) {
        return;
      }
    }
  }

  /**
   * Degraded while the guard holds a state back or a scan failed; stalled when no scan has
   * completed for ten rescan periods (at least 30 s), for example a thread stuck in a filesystem.
   */
  @Override
  public Health health() {
    boolean stalled =
        started.get() && !closed && System.nanoTime() - lastProgressNanos > stallAfter.toNanos();
    Optional<String> held = guard.holding().map(Diagnostic::message);
    Optional<String> reason =
        stalled
            ? Optional.of(
                "no scan of "
                    + dir
                    + " completed for "
                    + Duration.ofNanos(System.nanoTime() - lastProgressNanos).toSeconds()
                    + " s")
            : scanFailure.or(() -> held);
    return new Health(held.isPresent() || scanFailure.isPresent(), stalled, reason);
  }

  /** Waits for a watch event (then for quiet) or the rescan period; false when closed. */
  private boolean awaitActivity() {
    WatchService w = watchService;
    try {
      if (w == null) {
        Thread.sleep(rescanPeriod.toMillis());
        return !closed;
      }
      WatchKey key = w.poll(rescanPeriod.toMillis(), TimeUnit.MILLISECONDS);
      // settle, but not forever: a directory written to nonstop is still scanned every period
      long settleUntil = System.nanoTime() + rescanPeriod.toNanos();
      while (key != null) {
        key.pollEvents();
        key.reset(); // re-arms the key for the next event in that directory
        key = System.nanoTime() < settleUntil ? w.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS) : null;
      }
      return !closed;
    } catch (InterruptedException | ClosedWatchServiceException e) {
      return false;
    }
  }

  private void watchNewDirectories() {
    WatchService w = watchService;
    if (w == null) {
      return;
    }
    try {
      for (Path d : ManifestFiles.directories(dir)) {
        if (watchedDirs.add(d)) {
          d.register(w, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
        }
      }
    } catch (IOException | ClosedWatchServiceException e) {
      LOG.debug("cannot register watches under {}", dir, e);
    }
    watchedDirs.removeIf(d -> !Files.isDirectory(d));
  }

  /**
   * Rereads changed files and hands a new state to the listener if anything that matters changed.
   */
  private void scan(Listener listener) {
    List<Path> paths;
    try {
      paths = ManifestFiles.list(dir);
    } catch (IOException e) {
      // keep everything we have: a vanished mount must not withdraw all routes
      String problem =
          e instanceof NoSuchFileException ? "directory is gone" : "cannot list: " + e.getMessage();
      publish(
          listener,
          List.of(
              Diagnostic.error(
                  Reason.SOURCE_HELD,
                  new Subject.Source(dir.toString(), "directory"),
                  problem + "; keeping the last contents read")));
      return;
    }
    Map<Path, FileState> next = new TreeMap<>();
    for (Path path : paths) {
      FileState previous = files.get(path);
      byte[] content;
      try {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
          String hash = "size:" + size + ":" + Files.getLastModifiedTime(path).toMillis();
          next.put(
              path,
              previous != null && previous.hash().equals(hash)
                  ? previous
                  : failed(
                      path,
                      previous,
                      hash,
                      "is "
                          + size
                          + " bytes; files over "
                          + MAX_FILE_BYTES
                          + " bytes are not read"));
          continue;
        }
        content = Files.readAllBytes(path);
      } catch (NoSuchFileException e) {
        continue; // deleted since listing
      } catch (IOException e) {
        next.put(path, failed(path, previous, "", "cannot read: " + e.getMessage()));
        continue;
      }
      String hash = Sha256.hex(content);
      if (previous != null && previous.hash().equals(hash)) {
        next.put(path, previous);
        continue;
      }
      if (content.length == 0 && previous != null && previous.lastGood().isPresent()) {
        // Truncated: being written, most likely. Deleting the file is how its objects go.
        next.put(
            path,
            failed(
                path,
                previous,
                hash,
                "is empty (being written?); delete the file to remove its objects"));
        continue;
      }
      try {
        next.put(
            path,
            new FileState(
                hash, Optional.of(KubeYaml.parse(path.toString(), content)), Optional.empty()));
      } catch (KubeYaml.InvalidInputException e) {
        next.put(path, failed(path, previous, hash, e.problem())); // the diagnostic names the file
      }
    }
    files = next;
    publish(listener, List.of());
  }

  private static FileState failed(Path path, FileState previous, String hash, String message) {
    Optional<KubeYaml.Parsed> lastGood = previous == null ? Optional.empty() : previous.lastGood();
    String outcome = lastGood.isPresent() ? "; keeping its last good contents" : "; file ignored";
    return new FileState(
        hash,
        lastGood,
        Optional.of(
            Diagnostic.error(
                Reason.UNREADABLE_FILE, new Subject.File(path.toString()), message + outcome)));
  }

  private void publish(Listener listener, List<Diagnostic> dirProblems) {
    SortedMap<Path, KubeYaml.Parsed> good = new TreeMap<>();
    List<Diagnostic> problems = new ArrayList<>(dirProblems);
    files.forEach(
        (path, state) -> {
          state.lastGood().ifPresent(p -> good.put(path, p));
          state.error().ifPresent(problems::add);
        });
    LoadResult result = ManifestFiles.merge(good);
    problems.addAll(result.diagnostics());
    KubeState state = result.state();
    boolean admitted = !synced || guard.admit(current, state, System.nanoTime());
    guard.holding().ifPresent(problems::add);
    List<Diagnostic> sorted = problems.stream().sorted().toList();
    logNew(sorted);
    boolean diagnosticsChanged = !sorted.equals(diagnostics);
    diagnostics = sorted;

    Change change = !synced ? Change.FULL : admitted ? Change.between(current, state) : Change.NONE;
    if (admitted) {
      current = state;
    }
    if (closed || (change.isEmpty() && !(synced && diagnosticsChanged))) {
      return;
    }
    synced = true;
    try {
      // An empty change still delivers new diagnostics (a broken file, a held-back state).
      listener.onChange(new SourceUpdate(current, change, sorted));
    } catch (RuntimeException e) {
      LOG.error("listener failed on a change from {}", dir, e);
    }
  }

  private void logNew(List<Diagnostic> now) {
    Set<Diagnostic> before = new HashSet<>(diagnostics);
    for (Diagnostic d : now) {
      if (!before.contains(d) && d.severity() != Severity.INFO) {
        LOG.warn("{}", d);
      }
    }
  }

  @Override
  public String toString() {
    return "directory " + dir;
  }
}
