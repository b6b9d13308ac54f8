package dev.colibri.restore;

import dev.colibri.audit.ChainVerification;
import dev.colibri.merkle.RootReport;
import java.util.List;

/**
 * What an offline restore did.
 *
 * @param restored    whether the snapshot is in place as {@code data/colibri.db}
 * @param snapshot    the snapshot restored from, or null when none was safe
 * @param tier        its tier, or null
 * @param brokenFile  the moved-aside original database relative to the workspace home, or null when there was none
 * @param recordsLost live chain length minus the snapshot's; null when the original could not be read
 * @param steps       every step in the order it ran
 * @param rejected    snapshots verified and found unsafe on the way to the candidate
 * @param chain       the audit chain of the restored file, or null when the restore stopped before it
 * @param merkle      the Merkle anchor status of the restored file, or null when the restore stopped before it
 */
public record Outcome(boolean restored, String snapshot, String tier, String brokenFile, Long recordsLost,
        List<RestoreStep> steps, List<Plan.Rejected> rejected, ChainVerification chain, RootReport merkle) {

    public Outcome {
        steps = List.copyOf(steps);
        rejected = List.copyOf(rejected);
    }

    /** Restored, with a verified chain and a Merkle root that does not contradict its anchor. */
    public boolean ok() {
        return restored && chain != null && chain.ok() && merkle != null && !"mismatch".equals(merkle.anchorStatus());
    }

    /** The first failed step, if any. */
    public RestoreStep failure() {
        return steps.stream().filter(RestoreStep::failed).findFirst().orElse(null);
    }
}
