package io.fairlead.k8s;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Set;

/**
 * Works around a deadlock in Fabric8's CRUD mock server (7.8.0): when a client closes a watch while
 * the server is sending that watch an event, the server's event loop waits (up to a minute) for the
 * watch's sender, which itself waits (up to 30 s) for the event loop to write. Meanwhile every
 * request on that loop times out, and the server cannot be stopped. Tests therefore let in-flight
 * events land before closing watches, and let the server see the watches closed before they change
 * objects again. Nothing here is needed against a real API server.
 */
final class MockWatches {

  private MockWatches() {}

  /** Lets events already sent by the mock land before a watch is closed. */
  static void settle() throws InterruptedException {
    Thread.sleep(200);
  }

  /** Waits until the mock server has no watch open (it has processed every close). */
  static void awaitClosed(KubernetesMockServer server) throws InterruptedException {
    Set<?> watches = watches(server);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!watches.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static Set<?> watches(KubernetesMockServer server) {
    try {
      Field dispatcherField = KubernetesMockServer.class.getDeclaredField("dispatcher");
      dispatcherField.setAccessible(true);
      Object dispatcher = dispatcherField.get(server);
      if (!dispatcher.getClass().getSimpleName().equals("KubernetesCrudDispatcher")) {
        // expectations and CRUD together: the CRUD part is inside
        Field crud = dispatcher.getClass().getDeclaredField("kubernetesCrudDispatcher");
        crud.setAccessible(true);
        dispatcher = crud.get(dispatcher);
      }
      Field listeners = dispatcher.getClass().getDeclaredField("watchEventListeners");
      listeners.setAccessible(true);
      return (Set<?>) listeners.get(dispatcher);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the mock server's internals changed; revisit MockWatches", e);
    }
  }
}
