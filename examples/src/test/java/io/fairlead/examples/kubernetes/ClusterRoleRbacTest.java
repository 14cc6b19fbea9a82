package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fairlead.k8s.KubernetesSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The RBAC rules grant what Fairlead's code asks of the API server, and nothing else. The calls
 * are not listed by hand: KubernetesSource runs against Fabric8's mock API server, and every
 * request it sends becomes a {@code group/resource:verb} permission.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterRoleRbacTest {

  /**
   * Rules for code that is not on this branch yet, so no request of it can be recorded here:
   * diagnostics as Events on the Services they concern (any namespace: ClusterRole), written by
   * a leader elected through a Lease in fairlead-system (Role). When that code lands, drive it
   * against the mock server below as KubernetesSource is, and delete these two sets.
   */
  private static final Set<String> EVENTS_NOT_YET_EXERCISED = Set.of("/events:create", "/events:patch");

  private static final Set<String> LEASES_NOT_YET_EXERCISED =
      Set.of("coordination.k8s.io/leases:create", "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:update");

  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void clusterRoleIsExactlyWhatTheCodeUsesPlusTheDocumentedEventRules() throws Exception {
    SortedSet<String> used = new TreeSet<>();
    used.addAll(permissionsUsedBy(Optional.empty()));
    used.addAll(permissionsUsedBy(Optional.of(Set.of("a", "b"))));
    // the informers' list and watch, both kinds; they read their own caches, so no get
    assertThat(used).containsExactly(
        "/services:list", "/services:watch",
        "discovery.k8s.io/endpointslices:list", "discovery.k8s.io/endpointslices:watch");

    SortedSet<String> expected = new TreeSet<>(used);
    expected.addAll(EVENTS_NOT_YET_EXERCISED);
    assertThat(permissions(clusterRole().getRules())).isEqualTo(expected);
  }

  @Test
  void leaderElectionHasANamespacedRoleOnly() {
    Role role = single(Role.class);
    assertThat(role.getMetadata().getNamespace()).isEqualTo("fairlead-system");
    assertThat(permissions(role.getRules())).isEqualTo(new TreeSet<>(LEASES_NOT_YET_EXERCISED));
    RoleBinding binding = single(RoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo("fairlead");
      assertThat(s.getNamespace()).isEqualTo("fairlead-system");
    });
  }

  @Test
  void theClusterRoleIsBoundToFairleadsServiceAccount() {
    ClusterRoleBinding binding = single(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(clusterRole().getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo(
          ExampleManifests.deployment("fairlead-system", "fairlead").getSpec().getTemplate().getSpec().getServiceAccountName());
      assertThat(s.getNamespace()).isEqualTo("fairlead-system");
    });
  }

  @Test
  void requestsMapToPermissions() {
    assertThat(permission("GET", "/api/v1/services?resourceVersion=0")).isEqualTo("/services:list");
    assertThat(permission("GET", "/api/v1/namespaces/a/services?watch=true&resourceVersion=5")).isEqualTo("/services:watch");
    assertThat(permission("GET", "/api/v1/namespaces/a/services/web")).isEqualTo("/services:get");
    assertThat(permission("POST", "/api/v1/namespaces/a/events")).isEqualTo("/events:create");
    assertThat(permission("PATCH", "/api/v1/namespaces/a/events/x")).isEqualTo("/events:patch");
    assertThat(permission("PUT", "/apis/coordination.k8s.io/v1/namespaces/s/leases/l"))
        .isEqualTo("coordination.k8s.io/leases:update");
    assertThat(permission("GET", "/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&watch=true"))
        .isEqualTo("discovery.k8s.io/endpointslices:watch");
  }

  /** Runs a KubernetesSource until it has synced and its watches are open; returns what it asked. */
  private Set<String> permissionsUsedBy(Optional<Set<String>> namespaces) throws Exception {
    // Objects to list, created by the test; their requests are drained before the source starts.
    for (String ns : List.of("a", "b")) {
      String name = "web-" + System.nanoTime();
      client.resource(new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
          .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build()).create();
      client.resource(new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name + "-x1")
          .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4").build()).create();
    }
    while (server.takeRequest(200, TimeUnit.MILLISECONDS) != null) {
      // drained
    }
    CountDownLatch synced = new CountDownLatch(1);
    Set<String> used = new TreeSet<>();
    try (KubernetesSource source = new KubernetesSource(client, namespaces)) {
      source.start((state, change) -> synced.countDown());
      assertThat(synced.await(20, TimeUnit.SECONDS)).as("source synced").isTrue();
      int informers = 2 * namespaces.map(Set::size).orElse(1);
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
      RecordedRequest r;
      while ((r = server.takeRequest(300, TimeUnit.MILLISECONDS)) != null) {
        used.add(permission(r.getMethod(), r.getPath()));
      }
    }
    return used;
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
    boolean watch = uri.getQuery() != null && Arrays.asList(uri.getQuery().split("&")).contains("watch=true");
    String verb = switch (method) {
      case "GET" -> watch ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> throw new IllegalArgumentException("unexpected method " + method);
    };
    return group + "/" + resource + ":" + verb;
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
