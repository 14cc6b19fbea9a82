package io.fairlead.policies;

/** Subnet granularity of source-IP persistence, per address family. */
public record SourceIpPrefix(int v4, int v6) {}
