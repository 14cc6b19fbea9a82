package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fairlead.k8s.KubernetesSource;
import io.fairlead.k8s.events.DiagnosticEvents;
import io.fairlead.k8s.events.LeaseElection;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.KubeState;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RBAC rules grant what Fairlead's code asks of the API server, and nothing else. The calls are
 * not listed by hand: KubernetesSource, DiagnosticEvents and LeaseElection run against Fabric8's
 * mock API server, and every request they send becomes a {@code group/resource:verb} permission.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterRoleRbacTest {

  private static final String LEASE_NAMESPACE = "fairlead-system";

  /** Tells the test's own reads apart from the code's requests. */
  private static final String OBSERVER = "fairlead-rbac-test-observer";

  KubernetesClient client;
  KubernetesMockServer server;

  /** For the test's checks while requests are being recorded; its requests are left out. */
  private KubernetesClient observer;

  @BeforeEach
  void openObserver() {
    observer =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration()).withUserAgent(OBSERVER).build())
            .build();
  }

  @AfterEach
  void closeObserver() {
    observer.close();
  }

  /** One request as the API server's authorizer sees it; namespace empty when cluster-wide. */
  record Access(String permission, Optional<String> namespace) {
    static Access of(RecordedRequest r) {
      return new Access(
          ClusterRoleRbacTest.permission(r.getMethod(), r.getPath()),
          ClusterRoleRbacTest.namespace(r.getPath()));
    }
  }

  @Test
  void clusterRoleIsExactlyWhatTheInformersAndTheEventWriterUse() throws Exception {
    SortedSet<String> informers = new TreeSet<>();
    informers.addAll(permissionsUsedBy(Optional.empty()));
    informers.addAll(permissionsUsedBy(Optional.of(Set.of("a", "b"))));
    // the informers' list and watch, all three kinds (Pods for their weight annotation); they
    // read their own caches, so no get
    assertThat(informers)
        .containsExactly(
            "/pods:list",
            "/pods:watch",
            "/services:list",
            "/services:watch",
            "discovery.k8s.io/endpointslices:list",
            "discovery.k8s.io/endpointslices:watch");

    List<Access> events = accessesOfTheEventWriter();
    // Events go into the namespace of each Service they concern, anywhere: hence a ClusterRole
    assertThat(events)
        .extracting(Access::namespace)
        .containsOnly(Optional.of("a"), Optional.of("b"));
    SortedSet<String> expected = new TreeSet<>(informers);
    events.forEach(a -> expected.add(a.permission()));
    assertThat(permissions(clusterRole().getRules())).isEqualTo(expected);
  }

  @Test
  void leaderElectionHasANamespacedRoleOnly() throws Exception {
    List<Access> lease = accessesOfTheLeaseElection();
    // the one Lease lives in Fairlead's own namespace: a Role there is enough
    assertThat(lease).extracting(Access::namespace).containsOnly(Optional.of(LEASE_NAMESPACE));
    SortedSet<String> used = new TreeSet<>();
    lease.forEach(a -> used.add(a.permission()));

    Role role = single(Role.class);
    assertThat(role.getMetadata().getNamespace()).isEqualTo(LEASE_NAMESPACE);
    assertThat(permissions(role.getRules())).isEqualTo(used);
    RoleBinding binding = single(RoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo("fairlead");
              assertThat(s.getNamespace()).isEqualTo(LEASE_NAMESPACE);
            });
  }

  @Test
  void theClusterRoleIsBoundToFairleadsServiceAccount() {
    ClusterRoleBinding binding = single(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(clusterRole().getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName())
                  .isEqualTo(
                      ExampleManifests.deployment("fairlead-system", "fairlead")
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getServiceAccountName());
              assertThat(s.getNamespace()).isEqualTo("fairlead-system");
            });
  }

  @Test
  void requestsMapToPermissions() {
    assertThat(permission("GET", "/api/v1/services?resourceVersion=0")).isEqualTo("/services:list");
    assertThat(permission("GET", "/api/v1/namespaces/a/services?watch=true&resourceVersion=5"))
        .isEqualTo("/services:watch");
    assertThat(permission("GET", "/api/v1/namespaces/a/services/web")).isEqualTo("/services:get");
    assertThat(permission("POST", "/api/v1/namespaces/a/events")).isEqualTo("/events:create");
    assertThat(permission("PATCH", "/api/v1/namespaces/a/events/x")).isEqualTo("/events:patch");
    assertThat(permission("PUT", "/apis/coordination.k8s.io/v1/namespaces/s/leases/l"))
        .isEqualTo("coordination.k8s.io/leases:update");
    assertThat(
            permission(
                "GET",
                "/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&watch=true"))
        .isEqualTo("discovery.k8s.io/endpointslices:watch");
    assertThat(namespace("/api/v1/namespaces/a/events/x")).contains("a");
    assertThat(namespace("/apis/discovery.k8s.io/v1/endpointslices?watch=true")).isEmpty();
  }

  /**
   * Runs a KubernetesSource until it has synced and its watches are open; returns what it asked.
   */
  private Set<String> permissionsUsedBy(Optional<Set<String>> namespaces) throws Exception {
    // Objects to list, created by the test; their requests are drained before the source starts.
    for (String ns : List.of("a", "b")) {
      String name = "web-" + System.nanoTime();
      client
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withNamespace(ns)
                  .withName(name)
                  .endMetadata()
                  .withNewSpec()
                  .addNewPort()
                  .withName("http")
                  .withPort(80)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
      client
          .resource(
              new EndpointSliceBuilder()
                  .withNewMetadata()
                  .withNamespace(ns)
                  .withName(name + "-x1")
                  .addToLabels("kubernetes.io/service-name", name)
                  .endMetadata()
                  .withAddressType("IPv4")
                  .build())
          .create();
    }
    drain();
    CountDownLatch synced = new CountDownLatch(1);
    Set<String> used = new TreeSet<>();
    try (KubernetesSource source = new KubernetesSource(client, namespaces)) {
      source.start(update -> synced.countDown());
      assertThat(synced.await(20, TimeUnit.SECONDS)).as("source synced").isTrue();
      int informers = 3 * namespaces.map(Set::size).orElse(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<String> watches = new ArrayList<>();
      while (watches.size() < informers && System.nanoTime() < deadline) {
        RecordedRequest r = server.takeRequest(200, TimeUnit.MILLISECONDS);
        if (r != null) {
          String p = permission(r.getMethod(), r.getPath());
          used.add(p);
          if (p.endsWith(":watch")) {
            watches.add(r.getPath());
          }
        }
      }
      assertThat(watches).as("every informer's watch").hasSize(informers);
      rest().forEach(a -> used.add(a.permission()));
    }
    return used;
  }

  /**
   * Writes Events for diagnostics on Services in two namespaces, as a first leader does (create),
   * then reports the same diagnostics from a second writer, as a restarted replica or a new leader
   * does: the Events exist, so create answers 409 and each is counted up (get, merge patch).
   */
  private List<Access> accessesOfTheEventWriter() throws Exception {
    List<Service> services = List.of(service("a", "web"), service("b", "api"));
    KubeState state = KubeState.of(services, List.of());
    List<Diagnostic> diagnostics =
        List.of(
            Diagnostic.error(
                Reason.INVALID_VALUE,
                Subject.of(ObjectRef.parse("a/web"), "fairlead.io/lb-policy"),
                "'fastest' is not an lb-policy; using the default"),
            Diagnostic.warning(
                Reason.UNKNOWN_ANNOTATION,
                Subject.of(ObjectRef.parse("b/api"), "fairlead.io/lb-polcy"),
                "unknown annotation"));
    drain();
    for (int replica = 0; replica < 2; replica++) {
      // an hour between resyncs: each writer writes once, when told
      DiagnosticEvents.Settings settings =
          new DiagnosticEvents.Settings(
              "fairlead-" + replica, 16, Duration.ofMinutes(30), Duration.ofHours(1));
      try (DiagnosticEvents events = new DiagnosticEvents(client, settings, Clock.systemUTC())) {
        events.leading(true);
        events.report(diagnostics, state);
        until(
            "both Events written", () -> events.stats().created() + events.stats().counted() >= 2);
        assertThat(events.stats())
            .isEqualTo(
                replica == 0
                    ? new DiagnosticEvents.Stats(2, 0, 0, 0)
                    : new DiagnosticEvents.Stats(0, 2, 0, 0));
      }
    }
    assertThat(observer.v1().events().inAnyNamespace().list().getItems())
        .hasSize(2)
        .extracting(Event::getCount)
        .containsOnly(2);
    return rest();
  }

  /**
   * Campaigns for the Lease with short timings until it is acquired and renewed at least once, then
   * closes, which releases it.
   */
  private List<Access> accessesOfTheLeaseElection() throws Exception {
    LeaseElection.Settings settings =
        new LeaseElection.Settings(
            LEASE_NAMESPACE,
            "fairlead-leader",
            "fairlead-0",
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            Duration.ofMillis(200));
    drain();
    try (LeaseElection election = LeaseElection.start(client, settings, leading -> {})) {
      until("leading", election::leading);
      ZonedDateTime acquired = lease(settings).getSpec().getRenewTime();
      until("renewed", () -> lease(settings).getSpec().getRenewTime().isAfter(acquired));
    }
    // Fabric8 releases by making the lease expire a second later
    until("released", () -> lease(settings).getSpec().getLeaseDurationSeconds() == 1);
    return rest();
  }

  private Lease lease(LeaseElection.Settings settings) {
    return observer
        .resources(Lease.class)
        .inNamespace(settings.namespace())
        .withName(settings.name())
        .get();
  }

  private static Service service(String namespace, String name) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withUid(namespace + "-" + name)
        .endMetadata()
        .build();
  }

  /** Forgets the requests recorded so far (the test's own setup). */
  private void drain() throws InterruptedException {
    while (server.takeRequest(200, TimeUnit.MILLISECONDS) != null) {
      // drained
    }
  }

  /** The requests recorded until none has come for a while. */
  private List<Access> rest() throws InterruptedException {
    List<Access> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(300, TimeUnit.MILLISECONDS)) != null) {
      if (!OBSERVER.equals(r.getHeader("User-Agent"))) {
        out.add(Access.of(r));
      }
    }
    return out;
  }

  private static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("not within 20 s: " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** {@code group/resource:verb} of one request, as the API server's authorizer sees it. */
  static String permission(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    List<String> s = new ArrayList<>(Arrays.asList(uri.getPath().substring(1).split("/")));
    String group;
    if (s.get(0).equals("api")) {
      group = "";
      s = s.subList(2, s.size());
    } else if (s.get(0).equals("apis")) {
      group = s.get(1);
      s = s.subList(3, s.size());
    } else {
      throw new IllegalArgumentException("not a resource path: " + pathAndQuery);
    }
    if (s.size() >= 2 && s.get(0).equals("namespaces")) {
      s = s.subList(2, s.size());
    }
    String resource = s.get(0);
    boolean named = s.size() > 1;
    boolean watch =
        uri.getQuery() != null && Arrays.asList(uri.getQuery().split("&")).contains("watch=true");
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new IllegalArgumentException("unexpected method " + method);
        };
    return group + "/" + resource + ":" + verb;
  }

  /** The namespace a request is in, empty for a cluster-wide one. */
  static Optional<String> namespace(String pathAndQuery) {
    List<String> s = Arrays.asList(URI.create(pathAndQuery).getPath().substring(1).split("/"));
    int at = s.get(0).equals("api") ? 2 : 3;
    return s.size() > at + 1 && s.get(at).equals("namespaces")
        ? Optional.of(s.get(at + 1))
        : Optional.empty();
  }

  static SortedSet<String> permissions(List<PolicyRule> rules) {
    SortedSet<String> out = new TreeSet<>();
    for (PolicyRule rule : rules) {
      assertThat(rule.getResourceNames()).as("resourceNames").isNullOrEmpty();
      assertThat(rule.getNonResourceURLs()).as("nonResourceURLs").isNullOrEmpty();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            assertThat(List.of(group, resource, verb)).as("no wildcards").doesNotContain("*");
            out.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    return out;
  }

  private static ClusterRole clusterRole() {
    return single(ClusterRole.class);
  }

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T single(Class<T> kind) {
    List<T> all = ExampleManifests.ofKind(kind);
    assertThat(all).as(kind.getSimpleName()).hasSize(1);
    return all.get(0);
  }
}
