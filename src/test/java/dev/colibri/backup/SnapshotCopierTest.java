package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colibri.backup.SnapshotCopy.Method;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** Real SQLite files in a temporary directory; the only stand-in is a failing channel for fault injection. */
class SnapshotCopierTest {

    private static final int SNAPSHOTS_UNDER_LOAD = 20;

    @TempDir
    Path dir;

    private Path liveDb;
    private Path snapshots;

    @BeforeEach
    void directories() throws IOException {
        liveDb = Files.createDirectories(dir.resolve("live")).resolve("app.db");
        snapshots = Files.createDirectories(dir.resolve("snapshots"));
    }

    @Test
    void snapshotOfPendingWalFramesHoldsEveryCommittedRowAndOpensOnItsOwn() throws Exception {
        try (Connection app = LiveDb.create(liveDb, 3_000)) {
            assertTrue(Files.size(LiveDb.wal(liveDb)) > 0, "the rows must still be WAL frames");
            List<long[]> progress = new ArrayList<>();
            Path target = snapshots.resolve("snap.tmp");

            SnapshotCopy copy = new SnapshotCopier(liveDb, WriteGate.none())
                    .copy(target, (done, total) -> progress.add(new long[] {done, total}));

            assertEquals(Method.FILE_COPY, copy.method());
            assertEquals(1, copy.attempts());
            assertEquals(target, copy.path());
            assertEquals(Files.size(target), copy.sizeBytes());
            assertEquals(sha256(target), copy.sha256Hex());
            assertHeaderSaysRollbackJournal(target);
            assertEquals(List.of(target), listing(snapshots), "the copier writes nothing but the target");
            assertArrayEquals(new long[] {copy.sizeBytes(), copy.sizeBytes()}, progress.get(progress.size() - 1));
            assertEquals(3_000, SnapshotFile.verify(target, 3_000));

            LiveDb.insertRows(app, 10);
            assertEquals(3_010, LiveDb.count(liveDb), "the live database keeps working after a snapshot");
        }
    }

    @Test
    void foreignWriterCommittingContinuouslyNeverSpoilsASnapshot() throws Exception {
        LiveDb.create(liveDb, 500).close();
        Map<Method, Integer> methods = new EnumMap<>(Method.class);
        try (ForeignWriter foreign = ForeignWriter.start(liveDb, null)) {
            long firstCommit = foreign.awaitCommits(20);
            long started = System.nanoTime();
            for (int i = 0; i < SNAPSHOTS_UNDER_LOAD; i++) {
                long committedBefore = foreign.lastCommitted();
                SnapshotCopy copy = new SnapshotCopier(liveDb, WriteGate.none())
                        .copy(snapshots.resolve("snap-" + i + ".tmp"), ProgressListener.none());
                assertEquals(committedBefore, SnapshotFile.verify(copy.path(), committedBefore),
                        "snapshot " + i + " lacks rows committed before copy() was called");
                assertEquals(sha256(copy.path()), copy.sha256Hex());
                methods.merge(copy.method(), 1, Integer::sum);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long commits = foreign.lastCommitted() - firstCommit;
            System.out.printf("foreign writer: %d commits in %.2f s (%.0f/s) during %d snapshots; methods %s%n",
                    commits, seconds, commits / seconds, SNAPSHOTS_UNDER_LOAD, methods);
            assertTrue(commits > SNAPSHOTS_UNDER_LOAD, "the foreign writer must keep committing: " + commits);
        }
    }

    @Test
    void gatePausingTheWriterMakesEveryAttemptAFileCopy() throws Exception {
        LiveDb.create(liveDb, 500).close();
        ReentrantLock writerLock = new ReentrantLock();
        WriteGate gate = lockGate(writerLock);
        try (ForeignWriter writer = ForeignWriter.start(liveDb, writerLock)) {
            writer.awaitCommits(20);
            for (int i = 0; i < SNAPSHOTS_UNDER_LOAD; i++) {
                long committedBefore = writer.lastCommitted();
                SnapshotCopy copy = new SnapshotCopier(liveDb, gate)
                        .copy(snapshots.resolve("snap-" + i + ".tmp"), ProgressListener.none());
                assertEquals(Method.FILE_COPY, copy.method(), "snapshot " + i);
                assertEquals(1, copy.attempts(), "snapshot " + i);
                assertEquals(committedBefore, SnapshotFile.verify(copy.path(), committedBefore));
            }
        }
    }

    @Test
    void databaseReachedThroughASymlinkStillTakesTheFileCopyRoute() throws Exception {
        try (Connection app = LiveDb.create(liveDb, 100)) {
            Path link = Files.createSymbolicLink(dir.resolve("current.db"), liveDb);
            LiveDb.insertRows(app, 1);

            SnapshotCopy copy = new SnapshotCopier(link, WriteGate.none()).copy(snapshots.resolve("snap.tmp"), ProgressListener.none());

            assertEquals(Method.FILE_COPY, copy.method(), "SQLite names -wal after the link's target");
            assertEquals(101, SnapshotFile.verify(copy.path()));
        }
    }

    @Test
    void existingTargetIsRefusedAndLeftUntouched() throws Exception {
        LiveDb.create(liveDb, 10).close();
        Path target = Files.writeString(snapshots.resolve("taken.tmp"), "somebody else's file");

        FileAlreadyExistsException refused = assertThrows(FileAlreadyExistsException.class,
                () -> new SnapshotCopier(liveDb, WriteGate.none()).copy(target, ProgressListener.none()));

        assertEquals(target + ": refusing to overwrite an existing file; pass a new temporary name for the snapshot",
                refused.getMessage());
        assertEquals("somebody else's file", Files.readString(target));
    }

    @Test
    void failedWriteLeavesNoPartialFile() throws Exception {
        LiveDb.create(liveDb, 500).close();
        Path target = snapshots.resolve("snap.tmp");
        ChannelOpener failWrites = faultyTarget(target, real -> FaultyChannel.failingWrites(real, 0));

        IOException failure = assertThrows(IOException.class, () -> new SnapshotCopier(liveDb, WriteGate.none(),
                failWrites, LiveFileCopier.forThisPlatform()).copy(target, ProgressListener.none()));

        assertTrue(failure.getMessage().contains(target.toString()), failure.getMessage());
        assertTrue(failure.getMessage().contains("No space left on device (injected)"), failure.getMessage());
        assertEquals(List.of(), listing(snapshots), "no partial file may be left");
        assertEquals(Method.FILE_COPY, new SnapshotCopier(liveDb, WriteGate.none())
                .copy(target, ProgressListener.none()).method(), "the next snapshot is unaffected");
    }

    @Test
    void failedFsyncLeavesNoFile() throws Exception {
        LiveDb.create(liveDb, 500).close();
        Path target = snapshots.resolve("snap.tmp");
        ChannelOpener failForce = faultyTarget(target, FaultyChannel::failingForce);

        IOException failure = assertThrows(IOException.class, () -> new SnapshotCopier(liveDb, WriteGate.none(),
                failForce, LiveFileCopier.forThisPlatform()).copy(target, ProgressListener.none()));

        assertTrue(failure.getMessage().contains("fsync of " + target), failure.getMessage());
        assertEquals(List.of(), listing(snapshots));
    }

    /**
     * The heart of the design: once the read is pinned, no checkpoint can write into the database file, even
     * when another process commits and checkpoints the instant our writer resumes, before the file is copied.
     */
    @Test
    @SuppressWarnings("try") // app stays open, as the application's connection would
    void checkpointAfterThePinCannotTouchTheFileBeingCopied() throws Exception {
        try (Connection app = LiveDb.create(liveDb, 3_000); Connection foreign = LiveDb.open(liveDb)) {
            WriteGate foreignCheckpointOnResume = new WriteGate() {
                @Override
                public <T> T paused(Callable<T> action) throws Exception {
                    T pinned = action.call();
                    LiveDb.insertRows(foreign, 2_000);
                    LiveDb.execute(foreign, "PRAGMA wal_checkpoint(PASSIVE)");
                    return pinned;
                }
            };

            SnapshotCopy copy = new SnapshotCopier(liveDb, foreignCheckpointOnResume)
                    .copy(snapshots.resolve("snap.tmp"), ProgressListener.none());

            assertEquals(Method.FILE_COPY, copy.method());
            assertEquals(3_000, SnapshotFile.verify(copy.path()), "exactly the rows committed before copy()");
            assertEquals(5_000, LiveDb.count(liveDb), "the foreign commits themselves are kept in the WAL");
        }
    }

    @Test
    void longRunningForeignReaderForcesTheBackupApiWhichIsEquallyUsable() throws Exception {
        try (Connection app = LiveDb.create(liveDb, 3_000); Connection report = LiveDb.open(liveDb)) {
            report.setAutoCommit(false);
            LiveDb.queryString(report, "SELECT count(*) FROM t"); // holds a WAL snapshot: TRUNCATE cannot finish
            LiveDb.insertRows(app, 100);
            Path target = snapshots.resolve("snap.tmp");

            SnapshotCopy copy = new SnapshotCopier(liveDb, WriteGate.none()).copy(target, ProgressListener.none());

            assertEquals(Method.BACKUP_API, copy.method());
            assertEquals(SnapshotCopier.FILE_COPY_ATTEMPTS + 1, copy.attempts());
            assertEquals(sha256(target), copy.sha256Hex());
            assertEquals(Files.size(target), copy.sizeBytes());
            assertHeaderSaysRollbackJournal(target);
            assertEquals(List.of(target), listing(snapshots), "no -journal or other file beside the target");
            assertEquals(3_100, SnapshotFile.verify(target));
            report.rollback();
        }
    }

    @Test
    void withoutCpTheBackupApiStillDeliversTheSnapshot() throws Exception {
        try (Connection app = LiveDb.create(liveDb, 1_000)) {
            LiveFileCopier noCp = new LiveFileCopier(dir.resolve("no-such-cp").toString());

            SnapshotCopy copy = new SnapshotCopier(liveDb, WriteGate.none(), ChannelOpener.standard(), noCp)
                    .copy(snapshots.resolve("snap.tmp"), ProgressListener.none());

            assertEquals(Method.BACKUP_API, copy.method());
            assertEquals(2, copy.attempts());
            assertEquals(sha256(copy.path()), copy.sha256Hex());
            assertEquals(1_000, SnapshotFile.verify(copy.path()));
            LiveDb.insertRows(app, 1); // the abandoned pinned read was ended
            assertEquals(1_001, LiveDb.count(liveDb));
        }
    }

    /** Why the checkpoint and the pinned read exist: the bare file lacks everything still in the WAL. */
    @Test
    void naiveFileCopyWithPendingWalFramesLosesCommittedRows() throws Exception {
        try (Connection app = LiveDb.create(liveDb, 1_000)) {
            LiveDb.execute(app, "PRAGMA wal_checkpoint(TRUNCATE)");
            LiveDb.insertRows(app, 1_000); // committed, but only in the WAL
            Path naive = Files.copy(liveDb, snapshots.resolve("naive.db")); // harmless here: no other process
            try (FileChannel channel = FileChannel.open(naive, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                SqliteHeader.markRollbackJournal(channel, naive); // give it every advantage the copier's output has
            }

            assertEquals(1_000, LiveDb.count(naive), "the naive copy silently lost the rows still in the WAL");
            SnapshotCopy copy = new SnapshotCopier(liveDb, WriteGate.none())
                    .copy(snapshots.resolve("snap.tmp"), ProgressListener.none());
            assertEquals(2_000, SnapshotFile.verify(copy.path(), 2_000));
        }
    }

    /**
     * Why {@link LiveFileCopier} exists: had this JVM closed a descriptor of the live file, the sqlite3 process
     * below would believe itself the last connection and delete the WAL our open connection still writes to.
     */
    @Test
    void snapshotKeepsThisProcessesSqliteLocksSoAnotherProcessCannotDeleteTheWal() throws Exception {
        Path sqlite3 = Path.of("/usr/bin/sqlite3");
        assumeTrue(Files.isExecutable(sqlite3), "needs the sqlite3 command-line shell");
        try (Connection app = LiveDb.create(liveDb, 100)) {
            new SnapshotCopier(liveDb, WriteGate.none()).copy(snapshots.resolve("snap.tmp"), ProgressListener.none());

            Process other = new ProcessBuilder(sqlite3.toString(), liveDb.toString(), "SELECT count(*) FROM t;")
                    .redirectErrorStream(true).start();
            assertTrue(other.waitFor(10, TimeUnit.SECONDS));
            assertEquals("100", new String(other.getInputStream().readAllBytes()).strip());
            LiveDb.insertRows(app, 1);

            assertTrue(Files.exists(LiveDb.wal(liveDb)), "another process deleted the WAL under an open connection");
            assertEquals(101, LiveDb.count(liveDb), "a commit went into a deleted WAL");
        }
    }

    @Test
    void databaseNotInWalModeIsRefusedAndTheTargetRemoved() throws Exception {
        try (Connection app = LiveDb.open(liveDb)) {
            LiveDb.execute(app, "CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
            Path target = snapshots.resolve("snap.tmp");

            IOException refused = assertThrows(IOException.class,
                    () -> new SnapshotCopier(liveDb, WriteGate.none()).copy(target, ProgressListener.none()));

            assertTrue(refused.getMessage().contains("journal_mode=delete, not WAL"), refused.getMessage());
            assertFalse(Files.exists(target));
        }
    }

    @Test
    void missingLiveDatabaseIsReportedAndNothingIsCreated() {
        Path target = snapshots.resolve("snap.tmp");

        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> new SnapshotCopier(liveDb, WriteGate.none()).copy(target, ProgressListener.none()));

        assertTrue(missing.getMessage().contains(liveDb.toString()), missing.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(liveDb), "the copier must not create the live database");
    }

    private static WriteGate lockGate(ReentrantLock writerLock) {
        return new WriteGate() {
            @Override
            public <T> T paused(Callable<T> action) throws Exception {
                writerLock.lock();
                try {
                    return action.call();
                } finally {
                    writerLock.unlock();
                }
            }
        };
    }

    /** Opens channels normally, except that the target's is wrapped in {@code fault}. */
    private static ChannelOpener faultyTarget(Path target, UnaryOperator<FileChannel> fault) {
        return (path, options) -> {
            FileChannel real = FileChannel.open(path, options);
            return path.equals(target) ? fault.apply(real) : real;
        };
    }

    private static void assertHeaderSaysRollbackJournal(Path file) throws IOException {
        byte[] header = Arrays.copyOf(Files.readAllBytes(file), SqliteHeader.LENGTH);
        assertEquals(1, header[18], "file format write version");
        assertEquals(1, header[19], "file format read version");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<Path> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        }
    }

    /** A snapshot opened the way a restore would: read-only, on its own, with no -wal or -shm beside it. */
    private static final class SnapshotFile {

        private SnapshotFile() {
        }

        /** Checks integrity and standalone opening; returns how many of the ids 1..maxId it holds. */
        static long verify(Path file, long maxId) throws SQLException {
            SQLiteConfig readOnly = new SQLiteConfig();
            readOnly.setReadOnly(true);
            long present;
            try (Connection connection = readOnly.createConnection("jdbc:sqlite:" + file);
                    PreparedStatement ids = connection.prepareStatement("SELECT count(*) FROM t WHERE id BETWEEN 1 AND ?")) {
                assertEquals("ok", LiveDb.queryString(connection, "PRAGMA integrity_check"), file + " integrity");
                assertEquals("delete", LiveDb.queryString(connection, "PRAGMA journal_mode"));
                ids.setLong(1, maxId);
                try (ResultSet row = ids.executeQuery()) {
                    row.next();
                    present = row.getLong(1);
                }
            }
            assertFalse(Files.exists(Path.of(file + "-wal")), "opening must not need a -wal");
            assertFalse(Files.exists(Path.of(file + "-shm")), "opening must not need a -shm");
            return present;
        }

        /** Checks integrity and standalone opening; returns the number of rows. */
        static long verify(Path file) throws SQLException {
            return verify(file, Long.MAX_VALUE);
        }
    }

    /** Another connection committing one row per transaction, ids increasing, optionally under the app's writer lock. */
    private static final class ForeignWriter implements AutoCloseable {

        private static final long PAUSE_BETWEEN_COMMITS_NANOS = 200_000;

        private final AtomicLong lastCommitted;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        private ForeignWriter(Path db, ReentrantLock writerLock, long maxId) {
            lastCommitted = new AtomicLong(maxId);
            thread = new Thread(() -> run(db, writerLock), "foreign-writer");
            thread.setDaemon(true);
            thread.start();
        }

        /** @param writerLock taken around every commit, or null for a writer nobody can pause */
        static ForeignWriter start(Path db, ReentrantLock writerLock) throws SQLException {
            try (Connection connection = LiveDb.open(db)) {
                return new ForeignWriter(db, writerLock, Long.parseLong(LiveDb.queryString(connection, "SELECT max(id) FROM t")));
            }
        }

        long lastCommitted() {
            return lastCommitted.get();
        }

        /** Waits until {@code commits} more commits are done; returns the last committed id. */
        long awaitCommits(int commits) throws InterruptedException {
            long goal = lastCommitted.get() + commits;
            while (lastCommitted.get() < goal && failure.get() == null) {
                Thread.sleep(5);
            }
            return lastCommitted.get();
        }

        private void run(Path db, ReentrantLock writerLock) {
            try (Connection connection = LiveDb.open(db);
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO t(id, payload) VALUES (?, 'foreign')")) {
                for (long id = lastCommitted.get() + 1; !stop.get(); id++) {
                    commit(insert, id, writerLock);
                    lastCommitted.set(id);
                    LockSupport.parkNanos(PAUSE_BETWEEN_COMMITS_NANOS);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }

        private static void commit(PreparedStatement insert, long id, ReentrantLock writerLock) throws SQLException {
            if (writerLock != null) {
                writerLock.lock();
            }
            try {
                insert.setLong(1, id);
                insert.executeUpdate();
            } finally {
                if (writerLock != null) {
                    writerLock.unlock();
                }
            }
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the foreign writer", e);
            }
            if (failure.get() != null) {
                throw new AssertionError("the foreign writer failed", failure.get());
            }
        }
    }

    /** Builds and queries live databases. */
    static final class LiveDb {

        private LiveDb() {
        }

        /** A WAL database with {@code rows} rows still pending as WAL frames; returns the open writer connection. */
        static Connection create(Path db, int rows) throws SQLException {
            Connection connection = open(db);
            execute(connection, "PRAGMA journal_mode=WAL");
            execute(connection, "PRAGMA wal_autocheckpoint=0");
            execute(connection, "PRAGMA synchronous=OFF"); // setup speed; durability is not under test
            execute(connection, "CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
            insertRows(connection, rows);
            return connection;
        }

        static Connection open(Path db) throws SQLException {
            SQLiteConfig config = new SQLiteConfig();
            config.setBusyTimeout(5_000);
            return config.createConnection("jdbc:sqlite:" + db);
        }

        static Path wal(Path db) {
            return Path.of(db + "-wal");
        }

        /** Inserts rows in transactions of at most 500, each a separate commit. */
        static void insertRows(Connection connection, int rows) throws SQLException {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t(payload) VALUES (?)")) {
                for (int i = 1; i <= rows; i++) {
                    insert.setString(1, "row " + i + " " + "x".repeat(1_000));
                    insert.executeUpdate();
                    if (i % 500 == 0 || i == rows) {
                        connection.commit();
                    }
                }
            } finally {
                connection.setAutoCommit(true);
            }
        }

        static long count(Path db) throws SQLException {
            try (Connection connection = open(db)) {
                return Long.parseLong(queryString(connection, "SELECT count(*) FROM t"));
            }
        }

        static void execute(Connection connection, String sql) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }

        static String queryString(Connection connection, String sql) throws SQLException {
            try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
                row.next();
                return row.getString(1);
            }
        }
    }
}
