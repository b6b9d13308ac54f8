package dev.colibri.retention;

import java.util.List;
import java.util.Optional;

/**
 * The retention decisions of one listing (newest first) and the state of the cold tier they were
 * computed with.
 */
public record RetentionReport(List<Decision> decisions, ColdTierStatus coldTier) {

    public RetentionReport {
        decisions = List.copyOf(decisions);
    }

    /** The decision on the newest snapshot that verified clean, when this listing holds it. */
    public Optional<Decision> newestClean() {
        return decisions.stream().filter(d -> d.verdict() != null && d.verdict().safeToRestore()).findFirst();
    }

    public long pruneCount() {
        return decisions.stream().filter(Decision::pruned).count();
    }
}
