package dev.colibri.backup;

import dev.colibri.workspace.Database;
import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Meta;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Taking snapshots of the live database while it keeps serving: a consistent copy under a temporary
 * name, fsynced, {@code PRAGMA integrity_check}ed, its manifest written, then renamed into place.
 * A crash at any moment leaves no snapshot or a whole one. One backup runs at a time, so two never
 * pick the same name.
 */
public final class BackupService {

    private final Workspace workspace;
    private final Database db;
    private final BackupCatalog catalog;
    private final Clock clock;
    private final ColdTier cold;
    private final ReentrantLock oneAtATime = new ReentrantLock();
    private final WriteGate gate = new WriteGate() {
        @Override
        public <T> T paused(java.util.concurrent.Callable<T> action) throws Exception {
            return db.whileWritesPaused(action);
        }
    };

    public BackupService(Workspace workspace, Database db, BackupCatalog catalog, Clock clock) {
        this.workspace = workspace;
        this.db = db;
        this.catalog = catalog;
        this.clock = clock;
        this.cold = new ColdTier(workspace);
    }

    /**
     * Takes a snapshot.
     *
     * @param kind  round, session, phase or premigrate
     * @param round the round slug (required for round and phase; otherwise the current round)
     */
    public BackupResult create(String kind, String round, String label, ProgressListener progress)
            throws IOException {
        if (!SnapshotName.KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind must be one of round, session, phase, premigrate; got \"" + kind + "\"");
        }
        if (("round".equals(kind) || "phase".equals(kind)) && round == null) {
            throw new IllegalArgumentException("a " + kind + " snapshot needs a round, e.g. \"r75\"");
        }
        if (round != null) {
            SnapshotName.requireRound(round);
        }
        if (label != null && label.length() > 200) {
            throw new IllegalArgumentException("label has " + label.length() + " characters; at most 200");
        }
        String effectiveRound = round != null ? round : currentRound();
        oneAtATime.lock();
        try {
            return take(kind, effectiveRound, label, progress);
        } finally {
            oneAtATime.unlock();
        }
    }

    private BackupResult take(String kind, String round, String label, ProgressListener progress) throws IOException {
        long start = System.nanoTime();
        Path dir = workspace.backupsDir();
        requireWritable(dir);
        String slug = "premigrate".equals(kind) ? "premigrate" : round;
        String name = freeName(dir, slug);
        Path temp = dir.resolve(Durable.TEMP_PREFIX + name + "-" + System.nanoTime());
        try {
            SnapshotCopy copy = copyOrExplain(temp, dir, progress);
            Checked checked = check(temp, name);
            String createdAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
            Manifest manifest = new Manifest(Manifest.FORMAT, name, kind, round, label, createdAt, copy.sizeBytes(),
                    copy.sha256Hex(), checked.facts().schemaVersion(), checked.facts().workspaceId(),
                    checked.facts().auditKeyId(), checked.facts().chainLength(), checked.facts().chainHead(),
                    checked.facts().merkleSize(), checked.facts().merkleRoot(), copy.method().name().toLowerCase(),
                    checked.sqliteVersion());
            Path target = dir.resolve(name);
            manifest.write(dir.resolve(SnapshotName.manifestOf(name)));
            Durable.moveAtomically(temp, target, false);
            Durable.fsyncDirectory(dir);
            progress.progress(copy.sizeBytes(), copy.sizeBytes());
            String coldStatus = "phase".equals(kind) ? cold.copy(target, manifest) : "not_requested";
            Snapshot snapshot = catalog.resolve(name);
            return new BackupResult(snapshot, "ok", (System.nanoTime() - start) / 1_000_000,
                    copy.method().name().toLowerCase(), coldStatus);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Copies the live database, turning a full disk into a message that says what to do. */
    private SnapshotCopy copyOrExplain(Path temp, Path dir, ProgressListener progress) throws IOException {
        try {
            return new SnapshotCopier(db.file(), gate).copy(temp, (done, total) -> progress.progress(done * 8 / 10, total));
        } catch (IOException e) {
            String text = String.valueOf(e.getMessage());
            if (text.contains("No space left") || text.contains("SQLITE_FULL") || text.contains("disk is full")) {
                throw new IOException("no space left in " + dir + " for a snapshot of " + Files.size(db.file())
                        + " bytes (" + text + "); nothing was kept and the live database is untouched. Free space there"
                        + " (backup_prune removes what retention marks prune) and retry", e);
            }
            throw e;
        }
    }

    private record Checked(SnapshotFacts facts, String sqliteVersion) {
    }

    private static Checked check(Path temp, String name) throws IOException {
        try {
            return SnapshotInspector.onFile(temp, c -> {
                String integrity = SnapshotFacts.integrityCheck(c);
                if (!"ok".equals(integrity)) {
                    throw new SQLException("integrity_check of the new snapshot " + name + " returned: " + integrity);
                }
                return new Checked(SnapshotFacts.read(c), sqliteVersion(c));
            });
        } catch (IllegalStateException e) {
            throw new IOException("the new snapshot failed its check and was discarded: " + e.getMessage()
                    + ". The live database is untouched; retry, and if it fails again call restore_plan", e);
        }
    }

    private static String sqliteVersion(Connection c) throws SQLException {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT sqlite_version()")) {
            return rs.next() ? rs.getString(1) : "unknown";
        }
    }

    private String freeName(Path dir, String slug) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            for (String candidate : SnapshotName.candidates(slug, now)) {
                if (!Files.exists(dir.resolve(candidate)) && !Files.exists(dir.resolve(SnapshotName.manifestOf(candidate)))) {
                    return candidate;
                }
            }
            try {
                Thread.sleep(1000 - now.getNano() / 1_000_000 + 5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while choosing a snapshot name", e);
            }
        }
        throw new IOException("every candidate name for a " + slug + " snapshot in " + dir + " is taken; try again");
    }

    private static void requireWritable(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IOException("the backups folder " + dir + " is missing and cannot be created (" + e.getMessage()
                        + "); create it or fix the permissions of " + dir.getParent(), e);
            }
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("the backups folder " + dir + " is not writable; fix its permissions (chmod u+w)");
        }
    }

    /** The stored current round; it becomes part of a file name, so it is checked like a client's round. */
    private String currentRound() {
        String stored = db.read(c -> Meta.get(c, Meta.CURRENT_ROUND).orElse("r0"));
        if (!SnapshotName.ROUND.matcher(stored).matches()) {
            throw new IllegalStateException("the current round stored in the database (\""
                    + (stored.length() > 40 ? stored.substring(0, 40) + "..." : stored).replace("\0", "\\0")
                    + "\") is not a round like r75, so it cannot name a snapshot; the database was edited outside"
                    + " Colibri: pass round explicitly (kind round) and check it with audit_verify_chain");
        }
        return stored;
    }

    public BackupCatalog catalog() {
        return catalog;
    }
}
