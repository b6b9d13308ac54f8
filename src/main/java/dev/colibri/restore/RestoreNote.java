package dev.colibri.restore;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.ThoughtRecord;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Meta;
import java.util.Optional;

/**
 * Makes a restore visible in the audit chain: at the first boot after an offline restore, the note
 * it left in meta {@code pending_restore} becomes a thought record of kind {@code restore} naming the
 * snapshot, the records lost and the moved-aside file. The record and the removal of the note are
 * one write transaction, so a crash never records the restore twice or loses it.
 */
public final class RestoreNote {

    /** The thought record kind of a restore. */
    public static final String KIND = "restore";

    private RestoreNote() {
    }

    /**
     * Appends the restore record if a restore is pending; call once at boot, after the key is bound.
     *
     * @return the appended record, or empty when no restore was pending
     */
    public static Optional<ThoughtRecord> recordPending(Database db, AuditChain chain) {
        return db.write(c -> {
            Optional<String> pending = Meta.get(c, Meta.PENDING_RESTORE);
            if (pending.isEmpty()) {
                return Optional.empty();
            }
            String content;
            try {
                content = PendingRestore.parse(pending.get()).recordContent();
            } catch (IllegalArgumentException e) {
                content = "restored the database from a snapshot, but the restore note cannot be read ("
                        + e.getMessage() + "); its text was: " + pending.get();
            }
            ThoughtRecord record = chain.append(c, KIND, content, null);
            Meta.remove(c, Meta.PENDING_RESTORE);
            return Optional.of(record);
        });
    }
}
