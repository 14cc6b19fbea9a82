package io.fairlead.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fairlead.k8s.DirectorySource;
import io.fairlead.k8s.KubeSource;
import io.fairlead.k8s.KubernetesSource;
import io.fairlead.k8s.SourceGuard;
import io.fairlead.k8s.events.DiagnosticEvents;
import io.fairlead.k8s.events.EventPlanner;
import io.fairlead.k8s.events.EventTarget;
import io.fairlead.k8s.events.LeaseElection;
import io.fairlead.xds.ControlPlane;
import io.fairlead.xds.FairleadServer;
import io.fairlead.xds.XdsLimits;
import io.fairlead.xds.XdsTls;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the control plane: watches Services and EndpointSlices and serves Envoy resources over ADS (SotW and delta).",
      "Requests are held until every source has synced; /readyz is 503 until then."
    })
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = "--source",
      defaultValue = "kubernetes",
      converter = Source.Converter.class,
      description =
          "kubernetes (in-cluster or kubeconfig), or dir:PATH (default: ${DEFAULT-VALUE}).")
  Source source;

  @Mixin ClusterOptions cluster;

  @Mixin TelemetryOptions telemetry;

  @Option(
      names = "--max-streams",
      defaultValue = "10000",
      description = "Open xDS streams in all (default: ${DEFAULT-VALUE}).")
  int maxStreams;

  @Option(
      names = "--max-streams-per-connection",
      defaultValue = "8",
      description = "Open xDS streams on one client connection (default: ${DEFAULT-VALUE}).")
  int maxStreamsPerConnection;

  @Option(
      names = "--max-resource-names",
      defaultValue = "50000",
      description = "Resource names one xDS stream may subscribe to (default: ${DEFAULT-VALUE}).")
  int maxResourceNames;

  @Option(
      names = "--max-node-bytes",
      defaultValue = "16384",
      description =
          "Serialized size of a request's node, metadata included (default: ${DEFAULT-VALUE}).")
  int maxNodeBytes;

  @Option(
      names = "--max-new-streams-per-second",
      defaultValue = "500",
      description =
          "Sustained rate of new xDS streams, with a burst of as many (default: ${DEFAULT-VALUE}).")
  int maxNewStreamsPerSecond;

  @Option(
      names = "--max-unread-bytes",
      description =
          "Bytes all xDS streams together may have sent that their clients have not read; beyond"
              + " it new responses wait, merged, until clients read (default: a quarter of the direct"
              + " memory limit, at least 8 MiB).")
  Long maxUnreadBytes;

  @Option(
      names = "--unread-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "While the unread budget is spent, a stream whose client has not read for this long is"
              + " cut (default: ${DEFAULT-VALUE}).")
  Duration unreadTimeout;

  @Option(
      names = "--tls-cert",
      description =
          "PEM certificate chain of the xDS port; with --tls-key the port speaks TLS only. Reloaded when it changes.")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM (PKCS#8) private key of --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      description =
          "PEM CA that signs the proxies' certificates: clients may present one (mutual TLS).")
  Path tlsClientCa;

  @Option(
      names = "--require-mtls",
      description = "Refuse clients without a certificate signed by --tls-client-ca.")
  boolean requireMtls;

  @Option(
      names = "--debug-endpoints",
      description =
          "Serve /debug/* (every namespace's config, every proxy) to any client of the admin port; by default only to localhost.")
  boolean debugEndpoints;

  @Option(
      names = "--allow-empty-source",
      description =
          "Deliver a source state with no Service at all (an emptied directory, every Service deleted); by default it is held back as a glitch and the last good state is served.")
  boolean allowEmptySource;

  @Option(
      names = "--max-source-loss",
      defaultValue = "50",
      description =
          "Percent of the Services one source change may remove before it must be confirmed (default: ${DEFAULT-VALUE}).")
  int maxSourceLoss;

  @Option(
      names = "--source-loss-confirm",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "How long a larger loss must keep being read before it is delivered (default: ${DEFAULT-VALUE}).")
  Duration sourceLossConfirm;

  @Option(
      names = "--pod-weights",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Watch Pods (list and watch on pods; only their metadata is kept) for their fairlead.io/weight annotation (default: on; --no-pod-weights for a ClusterRole without pods).")
  boolean podWeights = true;

  @Option(names = "--namespaces", split = ",", description = "Namespaces to watch (default: all).")
  String[] namespaces;

  @Option(
      names = "--xds-address",
      defaultValue = "0.0.0.0",
      description = "Address the xDS server binds (default: ${DEFAULT-VALUE}).")
  String xdsAddress;

  @Option(
      names = "--xds-port",
      defaultValue = "18000",
      description = "xDS port (default: ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(
      names = "--admin-address",
      defaultValue = "127.0.0.1",
      description = "Address the admin HTTP server binds (default: ${DEFAULT-VALUE}).")
  String adminAddress;

  @Option(
      names = "--admin-port",
      defaultValue = "9901",
      description = "Admin port: /healthz /readyz /metrics /debug/* (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(
      names = "--quiet-period",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description =
          "Longest gap between the end of one publish and the start of the next (the gap is"
              + " four times the last publish's duration, at least a twentieth of this): a change"
              + " after such a gap is published at once, changes sooner are batched (default:"
              + " ${DEFAULT-VALUE}).")
  Duration quietPeriod;

  @Option(
      names = "--max-delay",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Publish at the latest this long after a change (default: ${DEFAULT-VALUE}).")
  Duration maxDelay;

  @Option(
      names = "--events",
      negatable = true,
      description =
          "Write error and warning diagnostics as Events on the Services they concern (only the holder of the lease writes), and what this replica saw itself: refused xDS identities on the ServiceAccount, a degraded or stalled source on its Pod (default: on with --source kubernetes; needs it).")
  Boolean events;

  @Option(
      names = "--lease-namespace",
      description =
          "Namespace of the leader-election Lease (default: $POD_NAMESPACE, else fairlead-system).")
  String leaseNamespace;

  @Option(
      names = "--lease-name",
      defaultValue = "fairlead-leader",
      description = "Name of the leader-election Lease (default: ${DEFAULT-VALUE}).")
  String leaseName;

  @Option(
      names = "--identity",
      description = "This replica's name in the Lease and in Events (default: $HOSTNAME).")
  String identity;

  @Override
  public Integer call() throws Exception {
    ControlPlane.Settings settings =
        new ControlPlane.Settings(
            new InetSocketAddress(xdsAddress, port("--xds-port", xdsPort)),
            new InetSocketAddress(adminAddress, port("--admin-port", adminPort)),
            quietPeriod,
            maxDelay,
            new XdsLimits.Settings(
                maxStreams,
                maxStreamsPerConnection,
                maxResourceNames,
                maxNodeBytes,
                maxNewStreamsPerSecond,
                new XdsLimits.Unread(
                    maxUnreadBytes == null ? XdsLimits.Unread.DEFAULT.maxBytes() : maxUnreadBytes,
                    unreadTimeout)),
            tls());
    boolean kubernetes = source instanceof Source.Kubernetes;
    if (Boolean.TRUE.equals(events) && !kubernetes) {
      throw new IllegalArgumentException("--events needs --source kubernetes");
    }
    Optional<LeaseElection.Settings> lease =
        Objects.requireNonNullElse(events, kubernetes)
            ? Optional.of(leaseSettings())
            : Optional.empty();
    KubernetesClient client = kubernetes ? new KubernetesClientBuilder().build() : null;
    KubeSource kubeSource = openSource(client);
    CountDownLatch stopped = new CountDownLatch(1);
    FairleadServer server;
    try {
      server = FairleadServer.start(kubeSource, settings, telemetry.apply(cluster.settings));
    } catch (java.io.IOException e) {
      kubeSource.close();
      throw new IllegalArgumentException("cannot bind: " + e.getMessage());
    }
    server.controlPlane().admin().debugToAnyone(debugEndpoints);
    List<AutoCloseable> closeFirst = new ArrayList<>();
    lease.ifPresent(l -> closeFirst.addAll(startEvents(client, l, server, kubeSource)));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  closeFirst.forEach(ServeCommand::closeQuietly);
                  server.close();
                  stopped.countDown();
                },
                "fairlead-shutdown"));
    stopped.await();
    return ExitCodes.OK;
  }

  private Optional<XdsTls> tls() {
    if (tlsCert == null && tlsKey == null) {
      if (tlsClientCa != null || requireMtls) {
        throw new IllegalArgumentException(
            "--tls-client-ca and --require-mtls need --tls-cert and --tls-key");
      }
      return Optional.empty();
    }
    if (tlsCert == null || tlsKey == null) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    return Optional.of(new XdsTls(tlsCert, tlsKey, Optional.ofNullable(tlsClientCa), requireMtls));
  }

  private KubeSource openSource(KubernetesClient client) throws Exception {
    if (maxSourceLoss < 0 || maxSourceLoss > 100) {
      throw new IllegalArgumentException("--max-source-loss must be 0 to 100");
    }
    SourceGuard.Settings guard =
        new SourceGuard.Settings(allowEmptySource, maxSourceLoss, sourceLossConfirm);
    if (source instanceof Source.Directory dir) {
      return new DirectorySource(dir.path(), DirectorySource.DEFAULT_RESCAN_PERIOD, true, guard);
    }
    Optional<Set<String>> ns =
        namespaces == null
            ? Optional.empty()
            : Optional.of(new TreeSet<>(Arrays.asList(namespaces)));
    return new KubernetesSource(client, ns, guard, podWeights);
  }

  private LeaseElection.Settings leaseSettings() throws java.net.UnknownHostException {
    String ns =
        leaseNamespace != null
            ? leaseNamespace
            : Objects.requireNonNullElse(System.getenv("POD_NAMESPACE"), "fairlead-system");
    String id =
        identity != null ? identity : Objects.requireNonNullElse(System.getenv("HOSTNAME"), "");
    if (identity == null && id.isBlank()) {
      id = java.net.InetAddress.getLocalHost().getHostName();
    }
    return LeaseElection.Settings.of(ns, leaseName, id);
  }

  /**
   * Events follow the published diagnostics; only the lease holder writes them. A refused xDS
   * identity, and this replica's source being degraded or stalled, are written by the replica that
   * saw them.
   */
  private static List<AutoCloseable> startEvents(
      KubernetesClient client,
      LeaseElection.Settings lease,
      FairleadServer server,
      KubeSource source) {
    DiagnosticEvents diagnosticEvents =
        new DiagnosticEvents(
            client, DiagnosticEvents.Settings.of(lease.identity()), Clock.systemUTC());
    // the publisher pushes each publish's diagnostics, with the state they came from
    server
        .controlPlane()
        .publisher()
        .onDiagnostics(d -> diagnosticEvents.report(d, server.state()));
    server.controlPlane().metrics().watchEvents(diagnosticEvents::stats);
    server
        .controlPlane()
        .limits()
        .onIdentityRefused(
            r ->
                diagnosticEvents.witnessed(
                    EventPlanner.identityRefused(
                        r.peer().namespace(), r.peer().serviceAccount(), r.message())));
    // this replica's own Pod (the Deployment passes POD_NAME; the lease identity is the pod name
    // too)
    String pod = Objects.requireNonNullElse(System.getenv("POD_NAME"), lease.identity());
    diagnosticEvents.watchSource(
        source::health,
        new EventTarget("Pod", "v1", lease.namespace(), pod, Optional.empty()),
        Duration.ofSeconds(5));
    LeaseElection election = LeaseElection.start(client, lease, diagnosticEvents::leading);
    return List.of(election, diagnosticEvents);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // shutting down: nothing left to tell
    }
  }

  private static int port(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(option + " must be 0 to 65535");
    }
    return port;
  }
}
