package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import io.fairlead.policies.ObjectRef;
import io.fairlead.translators.PodMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Pods are listed and watched as metadata only: the mock API server answers the Pods' list only
 * when it asks for a {@code PartialObjectMetadataList} (406 Not Acceptable otherwise, as the API
 * server answers an Accept it cannot serve), its watch sends {@code PartialObjectMetadata} events,
 * and every Pods request is checked for the metadata Accept header. A weight change arrives through
 * the watch, a bookmark moves the resourceVersion, and a 410 Gone relists from there (and, when
 * that list is 410 too, with a consistent read).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPodMetadataWatchTest {

  private static final ObjectRef WEB_1 = new ObjectRef("a", "web-1");
  private static final ObjectRef WEB_2 = new ObjectRef("a", "web-2");
  private static final String WEIGHT = "fairlead.io/weight";

  KubernetesClient client;
  KubernetesMockServer server;
  private KubernetesSource source;

  @AfterEach
  void close() throws InterruptedException {
    if (source != null) {
      MockWatches.settle();
      source.close();
      MockWatches.awaitClosed(server);
    }
    client.close();
  }

  private static String meta(String name, String rv, String weight) {
    return "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
        + "\"name\":\""
        + name
        + "\",\"namespace\":\"a\",\"resourceVersion\":\""
        + rv
        + "\",\"labels\":{\"app\":\"web\"}"
        + (weight == null ? "" : ",\"annotations\":{\"" + WEIGHT + "\":\"" + weight + "\"}")
        + "}}";
  }

  private static String list(String rv, String... items) {
    return "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\","
        + "\"metadata\":{\"resourceVersion\":\""
        + rv
        + "\"},\"items\":["
        + String.join(",", items)
        + "]}";
  }

  private static String event(String type, String object) {
    return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
  }

  /** Answers only a request that asks for a PartialObjectMetadataList. */
  private static ResponseProvider<Object> metadataListOnly(String body) {
    return new ResponseProvider<>() {
      private Headers headers = Headers.builder().build();

      private boolean accepted(RecordedRequest r) {
        return PodMetadataReflector.LIST_ACCEPT.equals(r.getHeader("Accept"));
      }

      @Override
      public int getStatusCode(RecordedRequest r) {
        return accepted(r) ? 200 : 406;
      }

      @Override
      public Object getBody(RecordedRequest r) {
        return accepted(r)
            ? body
            : "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"NotAcceptable\",\"code\":406}";
      }

      @Override
      public Headers getHeaders() {
        return headers;
      }

      @Override
      public void setHeaders(Headers h) {
        headers = h;
      }
    };
  }

  private void createServiceAndSlice() {
    PodWorld.createServiceAndSlice(client);
  }

  private static String watchPath(String rv) {
    return "/api/v1/pods?allowWatchBookmarks=true&resourceVersion="
        + rv
        + "&timeoutSeconds=600&watch=true";
  }

  private static Optional<String> weight(Recorder.Call call, ObjectRef pod) {
    PodMetadata m = call.state().pods().get(pod);
    return m == null ? Optional.empty() : m.weight();
  }

  @Test
  void podsArriveAsMetadataThroughListAndWatchAndA410Relists() throws Exception {
    createServiceAndSlice();
    // the first list, from the API server's cache (resourceVersion=0)
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?resourceVersion=0")
        .andReply(metadataListOnly(list("10", meta("web-1", "5", "3"), meta("web-2", "6", null))))
        .once();
    // the watch from the list's resourceVersion: web-1's weight changes, a bookmark, then 410
    server
        .expect()
        .get()
        .withPath(watchPath("10"))
        .andUpgradeToWebSocket()
        .open()
        .waitFor(500) // the mock counts each wait from the opening of the WebSocket
        .andEmit(event("MODIFIED", meta("web-1", "11", "5")))
        .waitFor(800)
        .andEmit(
            event(
                "BOOKMARK",
                "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\","
                    + "\"metadata\":{\"resourceVersion\":\"15\"}}"))
        .waitFor(1100)
        .andEmit(
            event(
                "ERROR",
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"reason\":\"Expired\",\"message\":\"too old resource version: 15 (30)\","
                    + "\"code\":410}"))
        .done()
        .once();
    // the relist after 410 starts from the last resourceVersion seen (the bookmark's), as
    // client-go's reflector does; that is gone too here, so the next list is a consistent read
    // (no resourceVersion); web-2 gained a weight meanwhile
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?resourceVersion=15")
        .andReturn(
            410,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                + "\"reason\":\"Expired\",\"code\":410}")
        .once();
    server
        .expect()
        .get()
        .withPath("/api/v1/pods")
        .andReply(metadataListOnly(list("30", meta("web-1", "11", "5"), meta("web-2", "29", "2"))))
        .once();
    // and the watch from there: web-1 is deleted
    server
        .expect()
        .get()
        .withPath(watchPath("30"))
        .andUpgradeToWebSocket()
        .open()
        .waitFor(500)
        .andEmit(event("DELETED", meta("web-1", "31", "5")))
        .done()
        .once();

    source = new KubernetesSource(client, Optional.empty());
    source.podWatchTimeout(Duration.ofSeconds(600));
    Recorder recorder = new Recorder();
    source.start(recorder);

    Recorder.Call first = recorder.next();
    assertThat(first.state().services()).containsOnlyKeys(new ObjectRef("a", "web"));
    assertThat(first.state().pods()).containsOnlyKeys(WEB_1); // only Pods with a weight
    assertThat(weight(first, WEB_1)).contains("3");
    assertThat(first.diagnostics()).isEmpty();
    assertThat(source.cachedPods()).hasSize(2);
    assertThat(source.cachedPods())
        .allSatisfy(p -> assertThat(p.getMetadata().getLabels()).isNullOrEmpty());

    // through the watch
    Recorder.Call modified = recorder.next();
    assertThat(modified.change().pods()).containsExactly(WEB_1);
    assertThat(weight(modified, WEB_1)).contains("5");

    // 410 Gone: the relist brings web-2's weight
    Recorder.Call relisted = recorder.next();
    assertThat(relisted.change().pods()).containsExactly(WEB_2);
    assertThat(weight(relisted, WEB_2)).contains("2");
    assertThat(weight(relisted, WEB_1)).contains("5");

    // the watch after the relist: web-1 is deleted
    Recorder.Call deleted = recorder.next();
    assertThat(deleted.change().pods()).containsExactly(WEB_1);
    assertThat(deleted.state().pods()).containsOnlyKeys(WEB_2);
    assertThat(source.cachedPods()).hasSize(1);
    recorder.assertNothingWithin(Duration.ofMillis(300));

    // every Pods request asked for metadata only; list and watch each with its own media type
    List<RecordedRequest> pods = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(1, TimeUnit.SECONDS);
        r != null;
        r = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
      if (r.getPath().startsWith("/api/v1/pods")) {
        pods.add(r);
      }
    }
    List<String> paths = pods.stream().map(RecordedRequest::getPath).toList();
    assertThat(paths)
        .startsWith(
            "/api/v1/pods?resourceVersion=0",
            watchPath("10"),
            "/api/v1/pods?resourceVersion=15",
            "/api/v1/pods",
            watchPath("30"));
    // the mock ends each watch once its events are out: the watch reopens from the last
    // resourceVersion seen (web-1's deletion), with no relist
    assertThat(paths.subList(5, paths.size())).containsOnly(watchPath("31"));
    assertThat(pods)
        .allSatisfy(
            r ->
                assertThat(r.getHeader("Accept"))
                    .isEqualTo(
                        r.getPath().contains("watch=true")
                            ? "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,"
                                + "application/json"
                            : "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
                                + "application/json"));
  }

  @Test
  void aListWithoutTheMetadataAcceptHeaderIsRefusedByTheMock() {
    // the mock's check itself can fail: a plain client list of Pods gets 406
    server.expect().get().withPath("/api/v1/pods").andReply(metadataListOnly(list("1"))).once();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.pods().inAnyNamespace().list())
        .hasMessageContaining("406");
  }

  @Test
  void anObjectsMetadataIsAllThatIsRead() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    // a full Pod, as a server ignoring the Accept header would send it
    PodMetadata m =
        PodMetadataReflector.metadataOf(
            json.readTree(
                "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"n\","
                    + "\"resourceVersion\":\"7\",\"annotations\":{\""
                    + WEIGHT
                    + "\":\"4\",\"x\":\"y\"}},\"spec\":{\"containers\":[]}}"));
    assertThat(m).isEqualTo(new PodMetadata(new ObjectRef("n", "p"), "7", Optional.of("4")));
    assertThat(PodMetadataReflector.metadataOf(json.readTree("{\"metadata\":{}}"))).isNull();
    assertThat(
            PodMetadataReflector.metadataOf(
                    json.readTree("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\"}}"))
                .weight())
        .isEmpty();
  }
}
