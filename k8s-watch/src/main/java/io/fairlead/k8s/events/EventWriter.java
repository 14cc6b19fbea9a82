package io.fairlead.k8s.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes one planned Event through the core/v1 Events API. The name is deterministic, so an Event
 * that already exists (written before a restart, by an earlier leader, or before the diagnostic
 * went away and came back) answers the create with 409; it is then counted up rather than
 * duplicated: get, and a merge patch of {@code count} and {@code lastTimestamp}, which also renews
 * the Event's time to live.
 *
 * <p>API calls: create, get and patch on {@code events} in the core group ("").
 */
final class EventWriter {

  static final String COMPONENT = "fairlead";
  private static final int CONFLICT = 409;
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Outcome {
    CREATED,
    COUNTED,
    /** The Event vanished between the 409 and the get (expired); the next round creates it. */
    GONE
  }

  private final KubernetesClient client;
  private final String identity;

  EventWriter(KubernetesClient client, String identity) {
    this.client = Objects.requireNonNull(client);
    this.identity = Objects.requireNonNull(identity);
  }

  /**
   * @throws KubernetesClientException when the API server refuses or cannot be reached
   */
  Outcome write(PlannedEvent planned, Instant now) {
    String time = timestamp(now);
    try {
      client
          .v1()
          .events()
          .inNamespace(planned.target().namespace())
          .resource(event(planned, time))
          .create();
      return Outcome.CREATED;
    } catch (KubernetesClientException e) {
      if (e.getCode() != CONFLICT) {
        throw e;
      }
    }
    var existing =
        client.v1().events().inNamespace(planned.target().namespace()).withName(planned.name());
    Event current = existing.get();
    if (current == null) {
      return Outcome.GONE;
    }
    int count = current.getCount() == null ? 1 : current.getCount();
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("count", count + 1);
    patch.put("lastTimestamp", time);
    patch.put("reportingInstance", identity);
    existing.patch(PatchContext.of(PatchType.JSON_MERGE), json(patch));
    return Outcome.COUNTED;
  }

  Event event(PlannedEvent planned, String time) {
    EventTarget t = planned.target();
    return new EventBuilder()
        .withNewMetadata()
        .withName(planned.name())
        .withNamespace(t.namespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withKind(t.kind())
        .withApiVersion(t.apiVersion())
        .withNamespace(t.namespace())
        .withName(t.name())
        .withUid(t.uid().orElse(null))
        .endInvolvedObject()
        .withType(planned.type())
        .withReason(planned.reason())
        .withMessage(planned.message())
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .withReportingInstance(identity)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .build();
  }

  private static String json(Map<String, Object> patch) {
    try {
      return JSON.writeValueAsString(patch);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of numbers and strings always serializes", e);
    }
  }

  /** RFC 3339 to the second, as the core/v1 Event timestamps are. */
  static String timestamp(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
