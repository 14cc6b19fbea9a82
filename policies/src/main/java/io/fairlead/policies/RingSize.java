package io.fairlead.policies;

/** Ring-hash ring bounds. */
public record RingSize(long min, long max) {}
