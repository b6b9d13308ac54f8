package dev.colibri.retention;

import java.util.List;

/**
 * The retention decisions of one listing (newest first) and the state of the cold tier they were
 * computed with.
 */
public record RetentionReport(List<Decision> decisions, ColdTierStatus coldTier) {

    public RetentionReport {
        decisions = List.copyOf(decisions);
    }

    public long pruneCount() {
        return decisions.stream().filter(Decision::pruned).count();
    }
}
