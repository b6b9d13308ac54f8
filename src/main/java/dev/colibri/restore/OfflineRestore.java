package dev.colibri.restore;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.workspace.Workspace;
import dev.colibri.workspace.WorkspaceLock;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * Carries out a restore plan with the server stopped. Holds the workspace lock for the whole run, so
 * it refuses (naming the pid) while a server holds the workspace, and never boots the live database,
 * which may be damaged. Nothing under {@code data/} is deleted: the live database and its
 * {@code -wal}/{@code -shm} (and a rollback {@code -journal}) are moved aside as
 * {@code data/colibri.db.broken-<YYYYMMDD-HHMMSS>} plus the same suffixes, so SQLite still pairs a
 * WAL's committed records, or a hot journal, with the file they belong to.
 *
 * <p>Crash safety: while the snapshot is verified, it is copied to a temporary file in {@code data/},
 * hashed as it is copied (one read for the checksum and the copy) and fsynced; only once it has
 * passed every check is the original moved aside and the copy renamed into place. The restored
 * file's sha256 is then the one the verified snapshot matched, so its chain and Merkle results are
 * the verification's; the file itself gets an O(1) check that it opens with the verified size,
 * chain head and tree head. A kill at any
 * moment leaves the original in place or moved aside, and running the restore again finishes the
 * job: stale temporaries are removed, a missing {@code data/colibri.db} next to a moved-aside file is
 * not moved again, a copy already in place (same sha256 as the snapshot) is not copied again, and a
 * restore already complete (its note is in place, the server has not booted yet) is only re-checked.
 *
 * <p>The contract says the stale {@code -wal}/{@code -shm} are removed; they are moved aside
 * instead, because a WAL can hold committed records and nothing under {@code data/} is deleted
 * except by retention.
 */
public final class OfflineRestore {

    private final Workspace workspace;
    private final Clock clock;
    private final RestoreFiles files;

    public OfflineRestore(Workspace workspace, Clock clock) {
        this(workspace, clock, new RestoreFiles());
    }

    OfflineRestore(Workspace workspace, Clock clock, RestoreFiles files) {
        this.workspace = workspace;
        this.clock = clock;
        this.files = files;
    }

    /**
     * Restores from {@code snapshot}, or from the newest snapshot that verifies clean.
     *
     * @throws dev.colibri.workspace.WorkspaceException when a server holds the workspace or the key is missing
     * @throws IllegalArgumentException when {@code snapshot} is not a valid name or names no snapshot
     */
    public Outcome run(Optional<String> snapshot, StepListener listener) throws IOException {
        WorkspaceLock lock = WorkspaceLock.acquire(workspace.lockFile(), "restore");
        try {
            AuditKey key = AuditKey.load(workspace.keyFile(), false);
            return new RestoreRun(workspace, clock, files, new AuditChain(key, clock), new AnchorLog(workspace.anchorLog()),
                    listener).execute(snapshot);
        } finally {
            lock.close();
        }
    }
}
