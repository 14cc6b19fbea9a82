package io.fairlead.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.policies.ObjectRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API server cut off for 30 s through a TCP proxy the test controls: open connections are
 * dropped and new ones black-holed. Nothing is withdrawn while it lasts, and once it is back the
 * watches resume and the changes made during the cut arrive: a Service (informer) and a Pod's
 * weight (the Pods' metadata-only watch).
 */
@EnableKubernetesMockClient(crud = true)
class ApiServerCutTest {

  private static final ObjectRef WEB = new ObjectRef("a", "web");
  private static final ObjectRef API = new ObjectRef("a", "api");
  private static final ObjectRef POD = new ObjectRef("a", "web-1");
  private static final Duration CUT = Duration.ofSeconds(30);

  KubernetesClient client;
  KubernetesMockServer server;
  private KubernetesSource source;
  private KubernetesClient proxied;
  private CuttableProxy proxy;

  @AfterEach
  void close() throws IOException, InterruptedException {
    if (source != null) {
      MockWatches.settle();
      source.close();
    }
    if (proxied != null) {
      proxied.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    client.close();
  }

  private static io.fabric8.kubernetes.api.model.Service service(String name) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("a")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addNewPort()
        .withName("http")
        .withPort(80)
        .endPort()
        .endSpec()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(String weight) {
    return new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata()
        .withNamespace("a")
        .withName("web-1")
        .addToAnnotations("fairlead.io/weight", weight)
        .endMetadata()
        .build();
  }

  private static Optional<String> weight(Recorder.Call call) {
    var m = call.state().pods().get(POD);
    return m == null ? Optional.empty() : m.weight();
  }

  @Test
  void aThirtySecondCutWithdrawsNothingAndAChangeMadeDuringItArrivesAfterwards() throws Exception {
    client.resource(service("web")).create();
    client.resource(pod("3")).create();
    URI api = URI.create(client.getConfiguration().getMasterUrl());
    proxy = new CuttableProxy(new InetSocketAddress(api.getHost(), api.getPort()));
    proxied =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withMasterUrl(api.getScheme() + "://127.0.0.1:" + proxy.port())
                    .withRequestTimeout(5_000)
                    .build())
            .build();
    source = new KubernetesSource(proxied, Optional.empty());
    Recorder recorder = new Recorder();
    source.start(recorder);
    Recorder.Call first = recorder.next();
    assertThat(first.state().services()).containsOnlyKeys(WEB);
    assertThat(weight(first)).contains("3");
    assertThat(source.health()).isEqualTo(KubeSource.Health.OK);

    proxy.cut();
    long cutAt = System.nanoTime();
    // the mock must see the cut watches closed before objects change (see MockWatches): it can
    // otherwise block its event loop sending an event to a closing watch
    MockWatches.awaitClosed(server);
    client.resource(service("api")).create(); // straight to the API server, past the cut
    client // and a Pod's weight changes (the Pods' metadata-only watch is cut too)
        .pods()
        .inNamespace("a")
        .withName("web-1")
        .edit(
            p ->
                new io.fabric8.kubernetes.api.model.PodBuilder(p)
                    .editMetadata()
                    .addToAnnotations("fairlead.io/weight", "5")
                    .endMetadata()
                    .build());
    // Nothing is delivered while the API server is unreachable: in particular no removal. The
    // event thread is idle, not stuck: the watchdog does not call that a stall (readiness stays).
    source.stallAfter(Duration.ofSeconds(2));
    source.health(); // hands the event thread a tick, which it must run within 2 s
    recorder.assertNothingWithin(Duration.ofSeconds(15));
    assertThat(source.health().stalled()).as("idle is not stalled").isFalse();
    recorder.assertNothingWithin(CUT.minus(Duration.ofNanos(System.nanoTime() - cutAt)));
    proxy.restore();

    long restored = System.nanoTime();
    Recorder.Call after = recorder.next(Duration.ofSeconds(90));
    long serviceBack = System.nanoTime();
    while (!after.state().services().containsKey(API)) {
      after = recorder.next(Duration.ofSeconds(90));
      serviceBack = System.nanoTime();
    }
    assertThat(after.state().services()).containsKeys(WEB, API);
    while (!weight(after).equals(Optional.of("5"))) { // the Pods' watch comes back on its own
      assertThat(after.state().services()).containsKeys(WEB, API);
      after = recorder.next(Duration.ofSeconds(90));
    }
    long podBack = System.nanoTime();
    assertThat(source.health()).isEqualTo(KubeSource.Health.OK);
    System.out.printf(
        "ApiServerCutTest: changes made during a %d s cut arrived %d ms (Service) and %d ms (Pod"
            + " weight) after the API server came back%n",
        CUT.toSeconds(),
        Duration.ofNanos(serviceBack - restored).toMillis(),
        Duration.ofNanos(podBack - restored).toMillis());
  }

  /** A TCP proxy that can drop every connection and black-hole new ones until restored. */
  static final class CuttableProxy implements AutoCloseable {
    private final InetSocketAddress upstream;
    private final ServerSocket listener =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private volatile boolean closed;

    CuttableProxy(InetSocketAddress upstream) throws IOException {
      this.upstream = upstream;
      DaemonThreads.start("cuttable-proxy", this::accept);
    }

    int port() {
      return listener.getLocalPort();
    }

    void cut() {
      cut = true;
      closeAll();
    }

    void restore() {
      cut = false;
      closeAll(); // the black-holed ones: their clients retry and get through now
    }

    private void closeAll() {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // already gone
        }
      }
      sockets.clear();
    }

    private void accept() {
      while (!closed) {
        try {
          Socket downstream = listener.accept();
          sockets.add(downstream);
          if (cut) {
            continue; // black hole: accepted, never answered
          }
          Socket up = new Socket(upstream.getAddress(), upstream.getPort());
          sockets.add(up);
          pump(downstream.getInputStream(), up.getOutputStream());
          pump(up.getInputStream(), downstream.getOutputStream());
        } catch (IOException e) {
          if (closed) {
            return;
          }
        }
      }
    }

    private static void pump(InputStream in, OutputStream out) {
      DaemonThreads.start(
          "cuttable-proxy-pump",
          () -> {
            byte[] buffer = new byte[16 * 1024];
            try (in;
                out) {
              int n;
              while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
              }
            } catch (IOException ignored) {
              // the connection was cut or closed
            }
          });
    }

    @Override
    public void close() throws IOException {
      closed = true;
      listener.close();
      closeAll();
    }
  }
}
