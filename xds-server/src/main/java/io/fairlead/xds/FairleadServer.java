package io.fairlead.xds;

import io.fairlead.k8s.KubeSource;
import io.fairlead.k8s.util.DaemonThreads;
import io.fairlead.translators.IncrementalTranslator;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.TranslationSettings;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control plane: a source feeding the incremental translator, and the ADS and admin
 * servers publishing its output. Proxies may connect at once; their requests are held until the
 * source has synced and the first snapshot is published, so nobody sees a partial world.
 */
public final class FairleadServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FairleadServer.class);

  private final KubeSource source;
  private final ControlPlane controlPlane;
  private final AtomicReference<KubeState> state;

  private FairleadServer(
      KubeSource source, ControlPlane controlPlane, AtomicReference<KubeState> state) {
    this.source = source;
    this.controlPlane = controlPlane;
    this.state = state;
  }

  /** A server for a cluster with the default translation settings ({@code cluster.local}). */
  public static FairleadServer start(KubeSource source, ControlPlane.Settings settings)
      throws IOException {
    return start(source, settings, TranslationSettings.DEFAULT);
  }

  public static FairleadServer start(
      KubeSource source, ControlPlane.Settings settings, TranslationSettings translation)
      throws IOException {
    IncrementalTranslator translator = new IncrementalTranslator(translation);
    ControlPlane cp =
        ControlPlane.startWithGroupViews(settings, translator::groupView, translator::diagnostics);
    cp.publisher().onForget(translator::forget);
    AtomicReference<KubeState> latest = new AtomicReference<>(KubeState.EMPTY);
    source.start(
        update -> {
          latest.set(update.state());
          translator.update(update);
          LOG.debug("source change: {}", update.change());
          cp.changed();
        });
    cp.admin().sourceHealth(source::health);
    cp.metrics().watchSource(source::health);
    LOG.info("xDS on port {}, admin on port {}; reading {}", cp.xdsPort(), cp.adminPort(), source);
    warnWhileNotSynced(source);
    return new FairleadServer(source, cp, latest);
  }

  /** A source that cannot sync (no API server, no permission) must not look like a quiet start. */
  private static void warnWhileNotSynced(KubeSource source) {
    DaemonThreads.start(
        "fairlead-sync-watchdog",
        () -> {
          long waited = 0;
          while (!source.hasSynced()) {
            try {
              Thread.sleep(10_000);
            } catch (InterruptedException e) {
              return;
            }
            waited += 10;
            if (!source.hasSynced()) {
              LOG.warn(
                  "not synced with {} after {}s; proxies wait and /readyz stays 503 until it is",
                  source,
                  waited);
            }
          }
        });
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** The latest state the source delivered; empty until it has synced. */
  public KubeState state() {
    return state.get();
  }

  public boolean ready() {
    return controlPlane.publisher().ready();
  }

  @Override
  public void close() {
    source.close();
    controlPlane.close();
  }
}
