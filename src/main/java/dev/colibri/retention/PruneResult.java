package dev.colibri.retention;

import java.util.List;

/**
 * The outcome of a prune.
 *
 * @param dryRun     true when nothing was removed and {@code pruned} lists what would be
 * @param pruned     the snapshots removed (with their manifests), or that a dry run would remove
 * @param kept       how many snapshots, in every tier, are kept
 * @param freedBytes bytes of snapshots and manifests removed (or that would be)
 * @param failed     snapshots marked prune that were left in place, with the reason
 * @param coldTier   the cold tier as seen while deciding
 * @param newestClean the decision on the newest snapshot that verifies clean (never pruned), with the
 *                    verdict it was protected on; null when none verifies clean
 */
public record PruneResult(boolean dryRun, List<Decision> pruned, int kept, long freedBytes, List<Failure> failed,
        ColdTierStatus coldTier, Decision newestClean) {

    public PruneResult {
        pruned = List.copyOf(pruned);
        failed = List.copyOf(failed);
    }

    /** A snapshot marked prune that was not removed. */
    public record Failure(String name, String error) {
    }
}
