package dev.colibri.backup;

import dev.colibri.backup.SnapshotCopy.Method;
import dev.colibri.backup.SnapshotSealer.Sealed;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;

/**
 * Writes a consistent, self-contained snapshot of a live WAL-mode SQLite database to a new file, at close to
 * the speed of copying the file.
 *
 * <h2>Why not simply SQLite's backup API</h2>
 * The usual stepwise backup ({@code sqlite3 .backup}, 100 pages per step) starts over whenever another connection
 * commits between two steps, so with two or more commits a second it never finishes. In a single step (one read
 * transaction) it always finishes and stays consistent, and that read transaction does not hold up the WAL
 * writer. But it still moves every page individually through two pagers: measured at about 1.7 s for 1 GB,
 * against about 0.6 s for {@code cp} plus fsync. It remains the fallback below.
 *
 * <h2>The file-copy route</h2>
 * In WAL mode the database file changes only when a checkpoint copies frames back from the WAL, and a
 * checkpointer must first take read-lock 0 exclusively. A read transaction that starts while the WAL is empty
 * holds read-lock 0 in shared mode and reads nothing but the database file. Hence:
 * <ol>
 *   <li>with our own writer paused ({@link WriteGate}), {@code PRAGMA wal_checkpoint(TRUNCATE)} empties the WAL;</li>
 *   <li>still paused, a second connection opens a read transaction and reads, taking read-lock 0;</li>
 *   <li>the writer resumes: its commits land in the WAL, and nothing can checkpoint them into the file;</li>
 *   <li>the database file is copied into the target with large sequential I/O ({@link LiveFileCopier}), and
 *       the read transaction ends as soon as the bytes are in the copy, so checkpoints resume early;</li>
 *   <li>the copy is sealed ({@link SnapshotSealer}): header patched, read back and hashed with SHA-256 while
 *       its fsync runs in parallel.</li>
 * </ol>
 * A passive checkpoint before step 1, with the writer running, keeps the paused part short.
 *
 * <h2>Writers we do not control</h2>
 * Another process may commit between steps 1 and 2. The reader's snapshot then includes WAL frames that the
 * file lacks, so a copy of the file would be wrong. Truncation leaves {@code -wal} 0 bytes long and any commit
 * makes it longer, so after step 2, before our writer resumes, the copier requires an empty {@code -wal} (and a
 * database file exactly {@code page_count * page_size} long). A checkpoint that another process's reader or
 * writer blocks for longer than 0.5 s also fails the attempt, since our writer waits as long as the checkpoint
 * does. After three failed attempts the copier falls back to the backup API in one step, which is always
 * consistent and waits for nobody.
 *
 * <h2>No descriptor on the live file</h2>
 * The copy is made by a child process ({@link LiveFileCopier}): closing a descriptor of the database in this
 * JVM would silently drop the POSIX locks SQLite holds in it, including the application writer's, and let
 * another process delete the WAL under it. Without {@code cp} the backup API is used.
 *
 * <h2>The output</h2>
 * Both routes set header bytes 18 and 19 to 1 (rollback journal), so the snapshot opens on its own, even
 * read-only, with no {@code -wal} or {@code -shm}; the hash covers the patched bytes. The copier creates
 * nothing but {@code target} and deletes it on failure. Integrity check, rename and directory fsync belong to
 * the caller.
 */
public final class SnapshotCopier {

    /** File-copy attempts before falling back to the backup API. */
    static final int FILE_COPY_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCopier.class);
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    /** Our writer is paused while the checkpoint waits, so it waits briefly and the attempt fails instead. */
    private static final int CHECKPOINT_BUSY_TIMEOUT_MILLIS = 500;
    private static final int BACKUP_BUSY_SLEEP_MILLIS = 100;
    private static final int BACKUP_BUSY_RETRIES = 50;
    private static final int ALL_PAGES = -1;
    private static final int SQLITE_OK = 0;

    private final Path liveDb;
    private final Path liveWal;
    private final WriteGate gate;
    private final ChannelOpener opener;
    private final LiveFileCopier liveCopier;

    /**
     * @param liveDb the live database, which must be in WAL mode
     * @param gate pauses this process's writer for the checkpoint and the start of the read transaction
     */
    public SnapshotCopier(Path liveDb, WriteGate gate) {
        this(liveDb, gate, ChannelOpener.standard(), LiveFileCopier.forThisPlatform());
    }

    SnapshotCopier(Path liveDb, WriteGate gate, ChannelOpener opener, LiveFileCopier liveCopier) {
        this.liveDb = realPathIfPresent(liveDb); // SQLite names -wal after the symlink's target
        this.liveWal = this.liveDb.resolveSibling(this.liveDb.getFileName() + "-wal");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.liveCopier = Objects.requireNonNull(liveCopier, "liveCopier");
    }

    /**
     * Writes a snapshot of the live database to {@code target} and fsyncs it.
     *
     * @param target a new file name chosen by the caller; an existing file is never overwritten
     * @param progress told about the bytes copied, once per chunk
     * @return what was written: path, size, SHA-256, route taken, attempts and duration
     * @throws FileAlreadyExistsException if {@code target} exists (it is left untouched)
     * @throws IOException on any other failure, after deleting what was written to {@code target}
     */
    public SnapshotCopy copy(Path target, ProgressListener progress) throws IOException {
        Objects.requireNonNull(progress, "progress");
        long started = System.nanoTime();
        requireLiveDatabase();
        claim(target);
        try {
            SnapshotCopy copy = copyInto(target, progress, started);
            LOG.info("Snapshot of {} written to {}: {} bytes via {} (attempt {}) in {} ms", liveDb, target,
                    copy.sizeBytes(), copy.method(), copy.attempts(), copy.durationMillis());
            return copy;
        } catch (IOException | RuntimeException | Error e) {
            discard(target, e);
            throw e;
        }
    }

    private SnapshotCopy copyInto(Path target, ProgressListener progress, long started) throws IOException {
        try (Connection control = SqliteJdbc.connect(liveDb, false, CHECKPOINT_BUSY_TIMEOUT_MILLIS);
                Connection reader = SqliteJdbc.connect(liveDb, true, BUSY_TIMEOUT_MILLIS)) {
            requireWalMode(control);
            checkpoint(control, "PASSIVE");
            for (int attempt = 1; attempt <= FILE_COPY_ATTEMPTS; attempt++) {
                OptionalLong pinned = pinCheckpointedFile(control, reader);
                if (pinned.isPresent()) {
                    try {
                        copyPinnedFile(target, reader);
                    } catch (LiveFileCopier.Unavailable e) {
                        LOG.warn("{}. Falling back to the SQLite backup API in one step", e.getMessage());
                        return result(target, copyWithBackupApi(target, progress), Method.BACKUP_API, attempt + 1, started);
                    }
                    Sealed sealed = new SnapshotSealer(opener, progress).seal(target, pinned.getAsLong());
                    return result(target, sealed, Method.FILE_COPY, attempt, started);
                }
                LOG.debug("Snapshot attempt {} of {} on {}: checkpoint blocked or WAL written meanwhile", attempt,
                        FILE_COPY_ATTEMPTS, liveDb);
            }
            LOG.warn("Could not pin a checkpointed {} in {} attempts: another process kept committing, or its open "
                    + "read transaction blocked the checkpoint. Falling back to the SQLite backup API in one step",
                    liveDb, FILE_COPY_ATTEMPTS);
            return result(target, copyWithBackupApi(target, progress), Method.BACKUP_API, FILE_COPY_ATTEMPTS + 1, started);
        } catch (SQLException e) {
            throw new IOException("SQLite failed while snapshotting " + liveDb + " into " + target + ": " + e.getMessage()
                    + "; check that the database is readable and not corrupt (PRAGMA integrity_check)", e);
        }
    }

    /**
     * Empties the WAL and starts {@code reader}'s transaction on the bare database file. Returns the number of
     * bytes to copy, leaving the transaction open; or, when another commit got in first, ends it and returns empty.
     * The checks run before the writer resumes, so only a process we cannot pause can make them fail.
     */
    private OptionalLong pinCheckpointedFile(Connection control, Connection reader) throws IOException, SQLException {
        return whilePaused(() -> checkpoint(control, "TRUNCATE") && beginRead(reader)
                ? fileMatchesSnapshot(reader)
                : OptionalLong.empty());
    }

    private OptionalLong fileMatchesSnapshot(Connection reader) throws IOException, SQLException {
        boolean walEmpty = walLength() == 0; // first: each moment lets a foreign commit spoil this check
        long snapshotBytes = snapshotBytes(reader);
        if (walEmpty && Files.size(liveDb) == snapshotBytes) {
            return OptionalLong.of(snapshotBytes);
        }
        endRead(reader);
        return OptionalLong.empty();
    }

    /** Copies the pinned database file into {@code target}, then ends the read: the bytes are safe in the copy. */
    @SuppressWarnings("try") // the read transaction is a resource only so that it ends however the copy goes
    private void copyPinnedFile(Path target, Connection reader) throws IOException, SQLException {
        try (ReadTransaction pinned = () -> endRead(reader)) {
            liveCopier.copy(liveDb, target);
        }
    }

    /**
     * The always-consistent route: SQLite's backup API in one step, i.e. one read transaction. It runs on a
     * connection to the target (the "restore" direction), so the target can go without a rollback journal
     * and without per-page syncs: a torn target is discarded anyway, and it is fsynced once at the end.
     */
    private Sealed copyWithBackupApi(Path target, ProgressListener progress) throws IOException, SQLException {
        try (Connection out = SqliteJdbc.connect(target, false, BUSY_TIMEOUT_MILLIS)) {
            SqliteJdbc.execute(out, "PRAGMA journal_mode=OFF");
            SqliteJdbc.execute(out, "PRAGMA synchronous=OFF");
            int rc = out.unwrap(SQLiteConnection.class).getDatabase().restore("main", liveDb.toString(),
                    (remaining, pageCount) -> { }, BACKUP_BUSY_SLEEP_MILLIS, BACKUP_BUSY_RETRIES, ALL_PAGES);
            if (rc != SQLITE_OK) {
                throw new IOException("SQLite backup API returned result code " + rc + " copying " + liveDb + " into "
                        + target + "; check free space in " + target.toAbsolutePath().getParent()
                        + " and that no process holds an exclusive lock on the database");
            }
        }
        return new SnapshotSealer(opener, progress).seal(target, -1);
    }

    private <T> T whilePaused(Callable<T> action) throws IOException, SQLException {
        try {
            return gate.paused(action);
        } catch (IOException | SQLException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while pausing the writer of " + liveDb);
        } catch (Exception e) {
            throw new IOException("The write gate failed while pausing the writer of " + liveDb + ": " + e, e);
        }
    }

    /** Returns false when SQLite reports the checkpoint as blocked (busy) instead of complete. */
    private static boolean checkpoint(Connection control, String mode) throws SQLException {
        try (Statement statement = control.createStatement();
                ResultSet row = statement.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            return row.next() && row.getInt(1) == 0;
        } catch (SQLException e) {
            if (SqliteJdbc.isBusy(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Starts a read transaction and reads, so that it really holds a WAL read lock. */
    private static boolean beginRead(Connection reader) throws SQLException {
        reader.setAutoCommit(false);
        try (Statement statement = reader.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            return row.next();
        } catch (SQLException e) {
            endRead(reader);
            if (SqliteJdbc.isBusy(e)) {
                return false;
            }
            throw e;
        }
    }

    private static void endRead(Connection reader) throws SQLException {
        if (!reader.getAutoCommit()) {
            reader.setAutoCommit(true);
        }
    }

    private static long snapshotBytes(Connection reader) throws SQLException {
        return SqliteJdbc.queryLong(reader, "PRAGMA page_count") * SqliteJdbc.queryLong(reader, "PRAGMA page_size");
    }

    private long walLength() throws IOException {
        try {
            return Files.size(liveWal); // stat only: no descriptor on the live files
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    private void requireLiveDatabase() throws NoSuchFileException {
        if (!Files.isRegularFile(liveDb)) {
            throw new NoSuchFileException(liveDb.toString(), null, "live database not found; nothing to snapshot");
        }
    }

    private void requireWalMode(Connection control) throws SQLException, IOException {
        String mode = SqliteJdbc.queryString(control, "PRAGMA journal_mode");
        if (!"wal".equalsIgnoreCase(mode)) {
            throw new IOException(liveDb + " is in journal_mode=" + mode + ", not WAL: a snapshot would block its writers"
                    + " for the whole copy. Switch it once with PRAGMA journal_mode=WAL");
        }
    }

    private static Path realPathIfPresent(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize(); // reported as missing by copy()
        }
    }

    private static void claim(Path target) throws IOException {
        try {
            Files.createFile(target);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "refusing to overwrite an existing file; pass a new temporary name for the snapshot");
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(target.toString(), null, "the snapshot's directory does not exist");
        }
    }

    private static void discard(Path target, Throwable failure) {
        try {
            Files.deleteIfExists(target);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Ends the pinned read transaction when the copy is done, in try-with-resources order. */
    @FunctionalInterface
    private interface ReadTransaction extends AutoCloseable {
        @Override
        void close() throws SQLException;
    }

    private static SnapshotCopy result(Path target, Sealed sealed, Method method, int attempts, long startedNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        return new SnapshotCopy(target, sealed.sizeBytes(), sealed.sha256Hex(), method, attempts, millis);
    }
}
