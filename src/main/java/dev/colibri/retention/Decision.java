package dev.colibri.retention;

import dev.colibri.backup.Snapshot;
import dev.colibri.backup.Verdict;
import java.util.Objects;

/**
 * What the retention policy decided for one snapshot, and why, in a sentence a person can act on.
 *
 * @param retention {@link #KEEP} or {@link #PRUNE}
 * @param verdict   the verification the listing relied on for this snapshot (newest first, up to the
 *                  newest clean one), possibly remembered from an earlier call; null when the
 *                  listing did not need it
 */
public record Decision(Snapshot snapshot, String retention, String reason, Verdict verdict) {

    public static final String KEEP = "keep";
    public static final String PRUNE = "prune";

    public Decision {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(reason, "reason");
        if (!KEEP.equals(retention) && !PRUNE.equals(retention)) {
            throw new IllegalArgumentException("retention must be keep or prune, got " + retention);
        }
    }

    public Decision(Snapshot snapshot, String retention, String reason) {
        this(snapshot, retention, reason, null);
    }

    /** This decision with the verdict the listing relied on. */
    Decision withVerdict(Verdict v) {
        return new Decision(snapshot, retention, reason, v);
    }

    static Decision keep(Snapshot snapshot, String reason) {
        return new Decision(snapshot, KEEP, reason);
    }

    static Decision prune(Snapshot snapshot, String reason) {
        return new Decision(snapshot, PRUNE, reason);
    }

    public boolean pruned() {
        return PRUNE.equals(retention);
    }
}
