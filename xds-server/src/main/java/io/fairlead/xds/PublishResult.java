package io.fairlead.xds;

/**
 * The outcome of one publish over all node groups.
 *
 * @param updated groups that got a new snapshot
 * @param unchanged groups whose content did not change, so nothing was pushed
 * @param failed groups that kept their last good snapshot (translation error or inconsistency)
 */
public record PublishResult(int groups, int updated, int unchanged, int failed) {}
