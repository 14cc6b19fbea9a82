package io.fairlead.policies;

/** Subnet granularity of source-IP persistence, per address family. */
public record SourceIpPrefix(int v4, int v6) {
  public static final SourceIpPrefix WHOLE_ADDRESS = new SourceIpPrefix(32, 128);
}
