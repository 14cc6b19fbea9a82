package io.fairlead.k8s.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import io.fairlead.translators.KubeState;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeaseElectionTest {

  private static final String NS = "fairlead-system";
  private static final String LEASE = "fairlead-leader";

  KubernetesClient client;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private static LeaseElection.Settings settings(String identity) {
    return new LeaseElection.Settings(
        NS, LEASE, identity, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(200));
  }

  /** Records the leadership changes one replica is told of. */
  private static final class Changes implements LeaseElection.Listener {
    final List<Boolean> seen = new CopyOnWriteArrayList<>();

    @Override
    public void leading(boolean leading) {
      seen.add(leading);
    }
  }

  /** One replica: an election driving its Event writer. */
  private record Replica(String identity, LeaseElection election, DiagnosticEvents events)
      implements AutoCloseable {
    @Override
    public void close() {
      election.close();
      events.close();
    }
  }

  private Replica replica(String identity) {
    DiagnosticEvents events =
        new DiagnosticEvents(
            client,
            new DiagnosticEvents.Settings(
                identity, 64, Duration.ofMinutes(30), Duration.ofMillis(200)),
            Clock.systemUTC());
    Replica r =
        new Replica(
            identity, LeaseElection.start(client, settings(identity), events::leading), events);
    opened.add(r);
    return r;
  }

  private Lease lease() {
    return client.resources(Lease.class).inNamespace(NS).withName(LEASE).get();
  }

  private List<Event> eventsIn(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  @Test
  void aReplicaTakesTheLeaseAndReleasesItOnClose() throws Exception {
    // a lease long enough that only a release lets the next replica in within the test's bound
    Duration lease = Duration.ofSeconds(60);
    Changes changes = new Changes();
    LeaseElection first =
        LeaseElection.start(
            client,
            new LeaseElection.Settings(
                NS, LEASE, "fairlead-0", lease, Duration.ofSeconds(40), Duration.ofMillis(200)),
            changes);
    opened.add(first);
    Poll.until("leading", first::leading);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("fairlead-0");
    LeaseElection second =
        LeaseElection.start(
            client,
            new LeaseElection.Settings(
                NS, LEASE, "fairlead-1", lease, Duration.ofSeconds(40), Duration.ofMillis(200)),
            leading -> {});
    opened.add(second);

    first.close();

    assertThat(first.leading()).isFalse();
    assertThat(changes.seen).containsExactly(true, false);
    Poll.until("the next replica leads", second::leading);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("fairlead-1");
  }

  @Test
  void onlyTheLeaderWritesEventsAndTheOtherTakesOverWhenItLeaves() throws Exception {
    Service web =
        client
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withNamespace("a")
                    .withName("web")
                    .endMetadata()
                    .build())
            .create();
    KubeState state = KubeState.of(List.of(web), List.of());
    Diagnostic first =
        Diagnostic.error(
            Reason.INVALID_VALUE,
            Subject.of(ObjectRef.parse("a/web"), "fairlead.io/lb-policy"),
            "'fastest' is not an lb-policy");
    Diagnostic second =
        Diagnostic.warning(
            Reason.UNKNOWN_ANNOTATION,
            Subject.of(ObjectRef.parse("a/web"), "fairlead.io/lb-polcy"),
            "unknown annotation");
    Replica a = replica("fairlead-a");
    Replica b = replica("fairlead-b");
    a.events().report(List.of(first), state);
    b.events().report(List.of(first), state);

    Poll.until("a leader", () -> a.election().leading() || b.election().leading());
    Replica leader = a.election().leading() ? a : b;
    Replica follower = leader == a ? b : a;
    Poll.until("the leader's Event", () -> leader.events().stats().created() == 1);
    assertThat(follower.election().leading()).isFalse();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(leader.identity());
    assertThat(eventsIn("a"))
        .singleElement()
        .satisfies(e -> assertThat(e.getReportingInstance()).isEqualTo(leader.identity()));

    leader.close();
    Poll.until("the follower leads", () -> follower.election().leading());
    follower.events().report(List.of(first, second), state);

    Poll.until("the new leader's Event", () -> follower.events().stats().created() == 1);
    assertThat(eventsIn("a"))
        .hasSize(2)
        .allSatisfy(
            e -> assertThat(e.getCount()).isEqualTo(e.getMessage().contains("fastest") ? 2 : 1))
        .filteredOn(e -> e.getMessage().contains("unknown"))
        .singleElement()
        .satisfies(e -> assertThat(e.getReportingInstance()).isEqualTo(follower.identity()));
    assertThat(follower.events().stats().counted())
        .isEqualTo(1); // the first Event, found by its name
  }

  @Test
  void aLeaderThatLosesTheLeaseStepsDownAndCampaignsAgain() throws Exception {
    Changes changes = new Changes();
    LeaseElection election = LeaseElection.start(client, settings("fairlead-0"), changes);
    opened.add(election);
    Poll.until("leading", election::leading);

    stealLease("intruder"); // and never renew it

    Poll.until("stepped down", () -> !election.leading());
    Poll.until("leading again once the intruder's lease expired", election::leading);
    assertThat(changes.seen).containsExactly(true, false, true);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("fairlead-0");
  }

  /** Takes the lease over as another holder would, retrying when a renewal got there first. */
  private void stealLease(String holder) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        client
            .resources(Lease.class)
            .inNamespace(NS)
            .withName(LEASE)
            .edit(
                l ->
                    new LeaseBuilder(l)
                        .editSpec()
                        .withHolderIdentity(holder)
                        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC))
                        .endSpec()
                        .build());
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 20) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void badSettingsAreClearErrors() {
    assertThatThrownBy(() -> LeaseElection.Settings.of("Fairlead_System", LEASE, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid namespace name");
    assertThatThrownBy(() -> LeaseElection.Settings.of(NS, "bad name", "x"))
        .hasMessageContaining("not a valid object name");
    assertThatThrownBy(() -> LeaseElection.Settings.of(NS, LEASE, " "))
        .hasMessageContaining("identity");
    assertThatThrownBy(
            () ->
                new LeaseElection.Settings(
                    NS,
                    LEASE,
                    "x",
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    Duration.ofMillis(100)))
        .hasMessageContaining("leaseDuration > renewDeadline");
  }
}
