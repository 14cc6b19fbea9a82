package io.fairlead.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.PodMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists and watches the Pods of one namespace (or of all) as metadata only, the way client-go's
 * metadata informer does: the list asks for a {@code PartialObjectMetadataList} and the watch for
 * {@code PartialObjectMetadata} events through the {@code Accept} header, so the API server sends
 * neither spec nor status. Each Pod is reduced on arrival to its {@link PodMetadata} in a {@link
 * PodMetadataStore}. A server that ignores the header (sends Pods) is read the same way: only the
 * {@code metadata} of each object is read.
 *
 * <p>The loop: list (the first time with {@code resourceVersion=0}, from the API server's cache),
 * then watch from the list's resourceVersion over a WebSocket (as Fabric8's own watches do),
 * following bookmarks; a watch that ends normally is reopened from the last resourceVersion seen; a
 * 410 Gone (the resourceVersion is too old) relists, as client-go's reflector does, from the last
 * resourceVersion seen (served from the API server's cache when it is at least that recent), and
 * only if that list is itself 410 with no resourceVersion (a consistent read); any other failure,
 * or a watch that closes at once without events, is retried with a doubling backoff (100 ms to 30
 * s) until {@link #stop()}.
 */
final class PodMetadataReflector {

  private static final Logger LOG = LoggerFactory.getLogger(PodMetadataReflector.class);

  /** What client-go's metadata client sends to list (JSON only: we do not read protobuf). */
  static final String LIST_ACCEPT =
      "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

  /** What client-go's metadata client sends to watch: each event's object is one of these. */
  static final String WATCH_ACCEPT =
      "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration HEALTHY_WATCH = Duration.ofSeconds(10);

  private final HttpClient http;
  private final String podsUrl;
  private final String namespace;
  private final Consumer<ObjectRef> changed;
  private final PodMetadataStore store = new PodMetadataStore();
  private final CompletableFuture<Void> synced = new CompletableFuture<>();
  private volatile boolean stopped;
  private volatile Thread thread;
  private volatile WebSocket socket;
  private volatile CompletableFuture<String> watchEnd = new CompletableFuture<>();
  // the watch's timeoutSeconds; 0: client-go's 5 to 10 min, drawn for each watch
  private volatile int watchTimeoutSeconds;

  /**
   * @param namespace the namespace, or empty for all
   * @param changed told each time a Pod's kept metadata changed (added, changed or removed), after
   *     the store holds the change; called on the reflector's threads
   */
  PodMetadataReflector(
      HttpClient http, URL masterUrl, String namespace, Consumer<ObjectRef> changed) {
    this.http = Objects.requireNonNull(http);
    this.namespace = Objects.requireNonNull(namespace);
    this.changed = Objects.requireNonNull(changed);
    String base = masterUrl.toString();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    this.podsUrl =
        base
            + "/api/v1"
            + (namespace.isEmpty()
                ? ""
                : "/namespaces/" + URLEncoder.encode(namespace, StandardCharsets.UTF_8))
            + "/pods";
  }

  /** Starts the loop; the future completes once the first list is in the store. */
  CompletableFuture<Void> start() {
    thread =
        DaemonThreads.start(
            "fairlead-pods" + (namespace.isEmpty() ? "" : "-" + namespace), this::run);
    return synced;
  }

  void stop() {
    stopped = true;
    WebSocket ws = socket;
    if (ws != null) {
      ws.sendClose(1000, "closing");
    }
    watchEnd.complete(null);
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    synced.cancel(false);
  }

  /** A fixed timeoutSeconds for every watch, instead of a random one; for tests. */
  void watchTimeoutSeconds(int seconds) {
    this.watchTimeoutSeconds = seconds;
  }

  PodMetadataStore store() {
    return store;
  }

  private void run() {
    String rv = null; // null: list first
    String listFrom = "0"; // the resourceVersion of the next list; null: a consistent read
    Duration backoff = MIN_BACKOFF;
    while (!stopped) {
      try {
        if (rv == null) {
          try {
            rv = list(listFrom);
          } catch (GoneException e) {
            if (listFrom == null) {
              throw e; // a consistent list cannot be too old: retry it with the backoff
            }
            LOG.info("Pods list: resourceVersion {} is gone too; relisting consistently", listFrom);
            listFrom = null;
            continue;
          }
          backoff = MIN_BACKOFF;
          synced.complete(null);
        }
        long opened = System.nanoTime();
        WatchResult result = watch(rv);
        if (result.gone()) {
          LOG.info("Pods watch: resourceVersion {} is too old (410 Gone); relisting", rv);
          listFrom = result.resourceVersion();
          rv = null;
          continue;
        }
        rv = result.resourceVersion(); // as far as the events went, even if the watch failed
        if (result.failure() != null) {
          throw result.failure();
        }
        if (result.events() > 0 || System.nanoTime() - opened > HEALTHY_WATCH.toNanos()) {
          backoff = MIN_BACKOFF; // a watch that delivered, or lasted (a quiet timeout): reopen now
        } else {
          sleep(backoff); // a watch that keeps closing at once without news must not spin
          backoff = next(backoff);
        }
      } catch (InterruptedException e) {
        if (!stopped) {
          Thread.currentThread().interrupt();
        }
        return;
      } catch (Exception e) {
        if (stopped) {
          return;
        }
        LOG.warn(
            "Pods {} of {} failed (retrying in {} ms): {}",
            rv == null ? "list" : "watch",
            podsUrl,
            backoff.toMillis(),
            e.toString());
        try {
          sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = next(backoff);
      }
    }
  }

  private static Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
  }

  private void sleep(Duration d) throws InterruptedException {
    if (!stopped) {
      Thread.sleep(d.toMillis());
    }
  }

  /** Lists the Pods' metadata into the store; returns the list's resourceVersion. */
  private String list(String resourceVersion) throws Exception {
    String url = podsUrl + (resourceVersion == null ? "" : "?resourceVersion=" + resourceVersion);
    HttpRequest request =
        http.newHttpRequestBuilder().uri(URI.create(url)).setHeader("Accept", LIST_ACCEPT).build();
    HttpResponse<InputStream> response = await(http.sendAsync(request, InputStream.class));
    try (InputStream body = response.body()) {
      if (response.code() == 410) {
        throw new GoneException();
      }
      if (!response.isSuccessful()) {
        throw new IOException(
            "HTTP " + response.code() + " listing " + url + ": " + readSome(body));
      }
      return readList(body);
    }
  }

  private static String readSome(InputStream body) throws IOException {
    return body == null ? "" : new String(body.readNBytes(300), StandardCharsets.UTF_8);
  }

  /**
   * Reads a list (a PartialObjectMetadataList, or a PodList from a server that ignored the Accept
   * header) one item at a time, so that only one item's JSON is in memory at once, and makes the
   * store match it.
   */
  private String readList(InputStream body) throws IOException {
    String listRv = null;
    Set<String> seen = new HashSet<>();
    try (JsonParser p = FACTORY.createParser(body)) {
      p.setCodec(JSON);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("the Pods list is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
          JsonNode meta = p.readValueAsTree();
          listRv = text(meta, "resourceVersion");
        } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode item = p.readValueAsTree();
            PodMetadata m = metadataOf(item);
            if (m != null) {
              seen.add(PodMetadataStore.key(m.ref().namespace(), m.ref().name()));
              keep(m);
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
    for (Iterator<String> keys = store.keySet().iterator(); keys.hasNext(); ) {
      String key = keys.next();
      if (!seen.contains(key)) {
        PodMetadata gone = store.removeMetadata(key);
        if (gone != null) {
          changed.accept(gone.ref());
        }
      }
    }
    if (listRv == null || listRv.isEmpty()) {
      throw new IOException("the Pods list has no metadata.resourceVersion");
    }
    return listRv;
  }

  private void keep(PodMetadata m) {
    PodMetadata old = store.put(m);
    if (!m.equals(old)) {
      changed.accept(m.ref());
    }
  }

  /** Namespace, name, resourceVersion and weight of an object's metadata; null without a name. */
  static PodMetadata metadataOf(JsonNode object) {
    JsonNode meta = object == null ? null : object.get("metadata");
    if (meta == null || !meta.isObject()) {
      return null;
    }
    String name = text(meta, "name");
    if (name == null || name.isEmpty()) {
      return null;
    }
    String ns = Objects.requireNonNullElse(text(meta, "namespace"), "");
    JsonNode annotations = meta.get("annotations");
    Map<String, String> weight = Map.of();
    if (annotations != null && annotations.isObject()) {
      String key = io.fairlead.policies.AnnotationRegistry.POD_WEIGHT.fullName();
      JsonNode w = annotations.get(key);
      if (w != null && w.isTextual()) {
        weight = Map.of(key, w.asText());
      }
    }
    return PodMetadata.of(new ObjectRef(ns, name), text(meta, "resourceVersion"), weight);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** A list answered 410 Gone: its resourceVersion is older than what the server can serve. */
  private static final class GoneException extends IOException {
    GoneException() {
      super("410 Gone");
    }
  }

  /** How a watch ended. */
  private record WatchResult(String resourceVersion, int events, boolean gone, Exception failure) {}

  /** Watches from resourceVersion until the watch ends; blocks. */
  private WatchResult watch(String resourceVersion) throws Exception {
    int fixed = watchTimeoutSeconds;
    long timeout = fixed > 0 ? fixed : 300 + ThreadLocalRandom.current().nextLong(300);
    String url =
        podsUrl
            + "?allowWatchBookmarks=true&resourceVersion="
            + URLEncoder.encode(resourceVersion, StandardCharsets.UTF_8)
            + "&timeoutSeconds="
            + timeout
            + "&watch=true";
    CompletableFuture<String> end = new CompletableFuture<>();
    watchEnd = end;
    if (stopped) {
      return new WatchResult(resourceVersion, 0, false, null);
    }
    WatchListener listener = new WatchListener(resourceVersion, end);
    WebSocket ws =
        await(
            http.newWebSocketBuilder()
                .uri(URI.create(url))
                .setHeader("Accept", WATCH_ACCEPT)
                .connectTimeout(30, TimeUnit.SECONDS)
                .buildAsync(listener));
    socket = ws;
    try {
      // the watch's own timeout ends it well before this; this only guards a silent connection
      end.get(timeout + 60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      ws.sendClose(1000, "watch timed out");
    } finally {
      socket = null;
    }
    return listener.result();
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    }
  }

  /** One watch: applies each event to the store as it arrives. */
  private final class WatchListener implements WebSocket.Listener {

    private final CompletableFuture<String> end;
    private volatile String rv;
    private volatile int events;
    private volatile boolean gone;
    private volatile Exception failure;

    WatchListener(String rv, CompletableFuture<String> end) {
      this.rv = rv;
      this.end = end;
    }

    WatchResult result() {
      return new WatchResult(rv, events, gone, failure);
    }

    @Override
    public void onOpen(WebSocket ws) {
      ws.request();
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      try {
        if (stopped || end.isDone()) {
          return; // a late message of a watch already given up: the next list or watch has it
        }
        onEvent(ws, JSON.readTree(text));
      } catch (IOException | RuntimeException e) {
        failure = new IOException("unreadable Pods watch event: " + e, e);
        ws.sendClose(1000, "unreadable event");
        end.complete(null);
        return;
      }
      ws.request();
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer bytes) {
      onMessage(ws, StandardCharsets.UTF_8.decode(bytes).toString());
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
      end.complete(null);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      failure = error instanceof Exception e ? e : new IOException(error);
      end.complete(null);
    }

    private void onEvent(WebSocket ws, JsonNode event) {
      String type = text(event, "type");
      JsonNode object = event.get("object");
      if ("ERROR".equals(type)) {
        JsonNode code = object == null ? null : object.get("code");
        if (code != null && code.asInt() == 410) {
          gone = true;
        } else {
          failure = new IOException("Pods watch error: " + object);
        }
        ws.sendClose(1000, "watch error");
        end.complete(null);
        return;
      }
      JsonNode meta = object == null ? null : object.get("metadata");
      String version = meta == null ? null : text(meta, "resourceVersion");
      if (version != null && !version.isEmpty()) {
        rv = version; // bookmarks too: they only move the resourceVersion
      }
      events++;
      PodMetadata m = metadataOf(object);
      if (m == null || type == null) {
        return;
      }
      switch (type) {
        case "ADDED", "MODIFIED" -> keep(m);
        case "DELETED" -> {
          PodMetadata old =
              store.removeMetadata(PodMetadataStore.key(m.ref().namespace(), m.ref().name()));
          if (old != null) {
            changed.accept(m.ref());
          }
        }
        default -> {} // BOOKMARK: only the resourceVersion moves
      }
    }
  }

  /** The metadata the store holds, as Pods; for tests. */
  List<io.fabric8.kubernetes.api.model.Pod> cached() {
    return store.values().toList();
  }
}
