package io.fairlead.k8s.events;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fairlead.k8s.util.DaemonThreads;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with Fabric8's leader elector, for as long as
 * this runs: a replica that loses the lease (or never gets it) keeps trying. Only who writes Events
 * depends on it; serving does not.
 *
 * <p>Fabric8's elector stops for good once it has lost the lease, so each round builds a new one.
 * Its callbacks only post to a single control thread, which owns the state, so no lock is held
 * while the elector calls back or is cancelled. On close the lease is released, letting another
 * replica take over without waiting for it to expire.
 *
 * <p>API calls: get, create and patch (Fabric8 renews and releases with a JSON merge patch that
 * carries the resourceVersion) on {@code leases} in the {@code coordination.k8s.io} group, in the
 * lease's namespace. Releasing makes the lease expire a second later (the merge patch cannot clear
 * the holder).
 */
public final class LeaseElection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseElection.class);
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /**
   * @param leaseDuration how long a lease holds without renewal before others may take it
   * @param renewDeadline how long the leader keeps retrying a failed renewal before it steps down
   * @param retryPeriod how often a candidate tries to acquire, and the leader renews
   */
  public record Settings(
      String namespace,
      String name,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {

    public Settings {
      if (namespace == null || namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
        throw new IllegalArgumentException(
            "lease namespace '" + namespace + "' is not a valid namespace name");
      }
      if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
        throw new IllegalArgumentException("lease name '" + name + "' is not a valid object name");
      }
      if (identity == null || identity.isBlank()) {
        throw new IllegalArgumentException("identity must not be blank");
      }
      if (retryPeriod.isNegative()
          || retryPeriod.isZero()
          || renewDeadline.compareTo(retryPeriod) <= 0
          || leaseDuration.compareTo(renewDeadline) <= 0) {
        throw new IllegalArgumentException(
            "lease timings must satisfy leaseDuration > renewDeadline > retryPeriod > 0");
      }
    }

    /** client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry. */
    public static Settings of(String namespace, String name, String identity) {
      return new Settings(
          namespace,
          name,
          identity,
          Duration.ofSeconds(15),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2));
    }
  }

  /** Told when this replica starts or stops leading; called from one thread, in order. */
  @FunctionalInterface
  public interface Listener {
    void leading(boolean leading);
  }

  private final KubernetesClient client;
  private final Settings settings;
  private final Listener listener;
  private final ScheduledExecutorService control;
  // owned by the control thread
  private int round;
  private CompletableFuture<?> current;
  private boolean closed;
  private volatile boolean leading;

  private LeaseElection(KubernetesClient client, Settings settings, Listener listener) {
    this.client = Objects.requireNonNull(client);
    this.settings = Objects.requireNonNull(settings);
    this.listener = Objects.requireNonNull(listener);
    this.control =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("fairlead-lease-" + settings.name()));
  }

  /** Starts campaigning in the background; returns at once. */
  public static LeaseElection start(KubernetesClient client, Settings settings, Listener listener) {
    LeaseElection election = new LeaseElection(client, settings, listener);
    election.post(election::campaign);
    return election;
  }

  public boolean leading() {
    return leading;
  }

  /** Stops campaigning and releases the lease if held. */
  @Override
  public void close() {
    if (control.isShutdown()) {
      return;
    }
    try {
      control
          .submit(
              () -> {
                closed = true;
                if (current != null) {
                  current.cancel(true); // releases the lease: releaseOnCancel
                }
                setLeading(false);
              })
          .get(settings.renewDeadline().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn(
          "releasing lease {}/{} did not finish: {}",
          settings.namespace(),
          settings.name(),
          e.toString());
    } finally {
      control.shutdownNow();
    }
  }

  private void campaign() {
    if (closed) {
      return;
    }
    int mine = ++round;
    LeaderCallbacks callbacks =
        new LeaderCallbacks(
            () -> post(() -> changed(mine, true)),
            () -> post(() -> changed(mine, false)),
            leader ->
                LOG.info(
                    "lease {}/{} is held by {}", settings.namespace(), settings.name(), leader));
    LeaderElectionConfig config =
        new LeaderElectionConfigBuilder()
            .withName(settings.name())
            .withLock(new LeaseLock(settings.namespace(), settings.name(), settings.identity()))
            .withLeaseDuration(settings.leaseDuration())
            .withRenewDeadline(settings.renewDeadline())
            .withRetryPeriod(settings.retryPeriod())
            .withLeaderCallbacks(callbacks)
            .withReleaseOnCancel()
            .build();
    try {
      current = client.leaderElector().withConfig(config).build().start();
      current.whenComplete((ok, failure) -> post(() -> ended(mine, failure)));
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot start leader election on {}/{}: {}",
          settings.namespace(),
          settings.name(),
          e.toString());
      ended(mine, e);
    }
  }

  private void changed(int from, boolean now) {
    if (from != round || closed) {
      return;
    }
    setLeading(now);
    if (!now) {
      ended(from, null);
    }
  }

  /** A round is over (lease lost, renewal failed, or the elector failed): start another later. */
  private void ended(int from, Throwable failure) {
    if (from != round || closed) {
      return;
    }
    round++; // later callbacks of the finished round are stale
    if (failure != null && !(failure instanceof java.util.concurrent.CancellationException)) {
      LOG.warn("leader election round ended: {}", failure.toString());
    }
    setLeading(false);
    if (current != null) {
      current.cancel(true);
      current = null;
    }
    control.schedule(this::campaign, settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void setLeading(boolean now) {
    if (leading == now) {
      return;
    }
    leading = now;
    LOG.info(
        "{} {} the lease {}/{}",
        settings.identity(),
        now ? "holds" : "does not hold",
        settings.namespace(),
        settings.name());
    try {
      listener.leading(now);
    } catch (RuntimeException e) {
      LOG.warn("leadership listener failed", e);
    }
  }

  private void post(Runnable task) {
    try {
      control.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: nothing more to do
    }
  }
}
