package io.fairlead.xds;

import io.fairlead.translators.ProxyContext;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One open xDS stream whose node is known.
 *
 * @param protocol {@code sotw} or {@code delta}
 * @param problems what was wrong with the node's metadata (defaults were used instead)
 * @param ackedVersions the last version the proxy accepted, per type URL
 * @param nacks the last rejection, per type URL
 */
public record ConnectionInfo(
    long stream,
    String protocol,
    String nodeId,
    ProxyContext group,
    List<String> problems,
    Instant connectedSince,
    SortedMap<String, String> ackedVersions,
    SortedMap<String, Nack> nacks) {

  public ConnectionInfo {
    problems = List.copyOf(problems);
    ackedVersions = Collections.unmodifiableSortedMap(new TreeMap<>(ackedVersions));
    nacks = Collections.unmodifiableSortedMap(new TreeMap<>(nacks));
  }
}
