package io.fairlead.bench;

import io.fairlead.translators.Change;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.SourceUpdate;
import io.fairlead.xds.ControlPlane;
import io.fairlead.xds.FairleadServer;
import io.fairlead.xds.XdsLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Fairlead as {@code fairlead serve} runs it: {@link FairleadServer} with the serve command's
 * defaults (debounce, stream limits), fed by a {@link MemorySource} instead of a cluster or a
 * directory.
 */
final class FairleadTarget implements Target {

  private final MemorySource source = new MemorySource();
  private final FairleadServer server;

  FairleadTarget(Duration quietPeriod, Duration maxDelay) {
    ControlPlane.Settings settings =
        new ControlPlane.Settings(
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 0),
            quietPeriod,
            maxDelay,
            XdsLimits.Settings.DEFAULT,
            Optional.empty());
    try {
      server = FairleadServer.start(source, settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String mode() {
    return "fairlead";
  }

  @Override
  public int port() {
    return server.controlPlane().xdsPort();
  }

  @Override
  public void load(KubeState state) {
    source.deliver(new SourceUpdate(state, Change.FULL, List.of()));
  }

  @Override
  public void apply(KubeState state, Change change) {
    source.deliver(SourceUpdate.of(state, change));
  }

  @Override
  public boolean ready() {
    return server.ready();
  }

  @Override
  public void close() {
    server.close();
  }
}
