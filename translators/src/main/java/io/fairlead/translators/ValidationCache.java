package io.fairlead.translators;

import com.google.protobuf.Message;
import io.fairlead.translators.validate.Violation;
import io.fairlead.translators.xds.XdsTranslator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Envoy's validation of built resources, once per distinct resource. A resource equal in content
 * (its name included) to one validated before gets the same answer without walking the rules again:
 * an endpoint change re-translates its Service for every context that tells it apart, but only the
 * changed ClusterLoadAssignment is new; its cluster, listener and route are equal to the ones
 * validated before, and so are the resources that zones or client kinds share.
 *
 * <p>Two generations bound the memory: a lookup moves an answer from the previous generation into
 * the current one, and when the current one holds more than the capacity it becomes the previous
 * and the oldest answers are dropped (a resource seen again is then validated again). Safe to use
 * from several threads; the answer is the same whichever thread validates.
 */
final class ValidationCache implements XdsTranslator.Validation {

  private volatile Map<Message, List<Violation>> current = new ConcurrentHashMap<>();
  private volatile Map<Message, List<Violation>> previous = new ConcurrentHashMap<>();
  private volatile int capacity = 4_096;
  private final AtomicLong validations = new AtomicLong();

  @Override
  public List<Violation> validate(String resourceName, Message resource) {
    Map<Message, List<Violation>> now = current;
    List<Violation> known = now.get(resource);
    if (known == null) {
      known = previous.get(resource);
      if (known == null) {
        validations.incrementAndGet();
        known = List.copyOf(XdsTranslator.validate(resourceName, resource));
      }
      now.put(resource, known);
      if (now.size() > capacity) {
        rotate(now);
      }
    }
    return known;
  }

  private synchronized void rotate(Map<Message, List<Violation>> full) {
    if (current == full) {
      previous = full;
      current = new ConcurrentHashMap<>();
    }
  }

  /**
   * How many answers the current generation holds before it rotates: a few times the resources of
   * the model, so that what a publish re-translates is still there at the next.
   */
  void capacity(int capacity) {
    this.capacity = Math.max(4_096, capacity);
  }

  /** How many resources were validated by walking the rules: the cache's misses. */
  long validations() {
    return validations.get();
  }
}
