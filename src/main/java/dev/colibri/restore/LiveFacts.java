package dev.colibri.restore;

import dev.colibri.audit.AuditChain;
import dev.colibri.workspace.Meta;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What a restore needs to know about the database it replaces: its chain length and workspace id,
 * or why they could not be read.
 *
 * @param records        thought records it holds, or null when unreadable
 * @param workspaceId    its workspace id, or null when unreadable or not yet assigned
 * @param pendingRestore the note of a restore not yet booted ({@code pending_restore}), or null
 * @param problem        why it could not be read, or null
 */
public record LiveFacts(Long records, String workspaceId, String pendingRestore, String problem) {

    static LiveFacts read(Connection c) throws SQLException {
        return new LiveFacts(AuditChain.count(c), Meta.get(c, Meta.WORKSPACE_ID).orElse(null),
                Meta.get(c, Meta.PENDING_RESTORE).orElse(null), null);
    }

    static LiveFacts unreadable(String problem) {
        return new LiveFacts(null, null, null, problem);
    }

    /** The pending restore note, when there is one and it can be read. */
    Optional<PendingRestore> pendingNote() {
        try {
            return Optional.ofNullable(pendingRestore).map(PendingRestore::parse);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean readable() {
        return problem == null;
    }
}
