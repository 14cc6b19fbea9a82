package io.fairlead.demo;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/** How many calls each backend answered, by backend name (sorted). */
public record Tally(SortedMap<String, Integer> counts) {

  public Tally {
    counts = Collections.unmodifiableSortedMap(new TreeMap<>(counts));
  }

  public static Tally of(Collection<String> answers) {
    SortedMap<String, Integer> counts = new TreeMap<>();
    answers.forEach(name -> counts.merge(name, 1, Integer::sum));
    return new Tally(counts);
  }

  public int count(String backend) {
    return counts.getOrDefault(backend, 0);
  }

  public int total() {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** The share of all calls that backend answered, 0 to 1. */
  public double share(String backend) {
    int total = total();
    return total == 0 ? 0 : (double) count(backend) / total;
  }

  /** Counts in backend order, e.g. {@code 100/100/100}, for the given backends. */
  public String spread(Collection<String> backends) {
    return String.join("/", backends.stream().map(b -> String.valueOf(count(b))).toList());
  }
}
