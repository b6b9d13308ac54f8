package dev.colibri.retention;

import dev.colibri.backup.Snapshot;
import java.util.Objects;

/**
 * What the retention policy decided for one snapshot, and why, in a sentence a person can act on.
 *
 * @param retention {@link #KEEP} or {@link #PRUNE}
 */
public record Decision(Snapshot snapshot, String retention, String reason) {

    public static final String KEEP = "keep";
    public static final String PRUNE = "prune";

    public Decision {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(reason, "reason");
        if (!KEEP.equals(retention) && !PRUNE.equals(retention)) {
            throw new IllegalArgumentException("retention must be keep or prune, got " + retention);
        }
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
