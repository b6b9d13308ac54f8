package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("colibri.db");
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The live file's bytes, read through the database's own page reader: opening and closing another
     * descriptor of the file would drop the writer's locks.
     */
    private static byte[] bytesOf(Database db) {
        try {
            PageFile pages = db.pages();
            int count = (int) pages.pageCount();
            ByteBuffer all = ByteBuffer.allocate(count * pages.pageSize());
            pages.read(all, 1, count);
            return Arrays.copyOf(all.array(), all.position());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long rows(Database db, String table) {
        return db.read(c -> count(c, table));
    }

    private static Void putMeta(Connection c, String key, String value) throws SQLException {
        Meta.put(c, key, value);
        return null;
    }

    private static List<String> tables(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    void writerRunsInWalModeWithForeignKeysAndFullSync() {
        try (Database db = Database.open(file())) {
            assertEquals("wal", db.write(c -> pragma(c, "journal_mode")));
            assertEquals("1", db.write(c -> pragma(c, "foreign_keys")));
            assertEquals("2", db.write(c -> pragma(c, "synchronous")));
            assertEquals("wal", db.read(c -> pragma(c, "journal_mode")));
            assertEquals(file(), db.file());
        }
    }

    @Test
    void foreignKeyViolationIsRefusedAsAnOrdinaryWriteFailure() {
        try (Database db = Database.open(file())) {
            DatabaseException e = assertThrows(DatabaseException.class, () -> db.write(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO task_deps(task_id, depends_on) VALUES('ghost', 'phantom')");
                }
                return null;
            }));

            assertTrue(e.getMessage().startsWith("write failed on " + file() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("FOREIGN KEY"), e.getMessage());
            assertFalse(e.corrupt());
            assertNull(db.corruption());
            assertEquals(0L, rows(db, "task_deps"));
        }
    }

    @Test
    void migrationSetsUserVersionAndCreatesTheSchema() {
        try (Database db = Database.open(file())) {
            assertEquals(Schema.VERSION, db.read(Schema::version));
            assertEquals(List.of("merkle_nodes", "meta", "rounds", "task_deps", "tasks", "thought_records",
                    "tree_heads"), db.read(DatabaseTest::tables));
            assertEquals(1, db.writesSinceOpen(), "the boot migration is the first write");
        }
    }

    @Test
    void migrationsAreIdempotentAcrossReopenAndKeepData() {
        try (Database db = Database.open(file())) {
            db.write(c -> putMeta(c, "k", "v"));
        }
        try (Database db = Database.open(file())) {
            assertEquals(Schema.VERSION, db.read(Schema::version));
            assertEquals("v", db.read(c -> Meta.get(c, "k")).orElseThrow());
        }
        try (Database db = Database.open(file())) {
            assertEquals(Schema.VERSION, db.read(Schema::version));
            assertTrue(db.read(DatabaseTest::tables).containsAll(Schema.LOAD_BEARING_TABLES));
        }
    }

    @Test
    void databaseFromANewerBuildIsRefusedAndLeftUntouched() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }

        DatabaseException e = assertThrows(DatabaseException.class, () -> Database.open(file()));

        assertEquals("the database has schema version 99 but this build knows only up to " + Schema.VERSION
                + "; run a newer Colibri", e.getMessage());
        assertFalse(e.corrupt());
        try (Connection c = Sqlite.openReadOnly(file())) {
            assertEquals(99, Schema.version(c));
            assertEquals(List.of(), tables(c));
        }
    }

    @Test
    void runtimeExceptionInsideWriteRollsBackAndIsRethrownAsIs() {
        try (Database db = Database.open(file())) {
            IllegalStateException boom = new IllegalStateException("boom");

            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> db.write(c -> {
                putMeta(c, "half", "done");
                throw boom;
            }));

            assertSame(boom, thrown);
            assertTrue(db.read(c -> Meta.get(c, "half")).isEmpty(), "the insert must be rolled back");
            assertNull(db.corruption());
            db.write(c -> putMeta(c, "after", "ok"));
            assertEquals("ok", db.read(c -> Meta.get(c, "after")).orElseThrow(), "the writer is usable afterwards");
        }
    }

    @Test
    void sqlExceptionInsideWriteRollsBackAndIsReportedAsAWriteFailure() {
        try (Database db = Database.open(file())) {
            DatabaseException e = assertThrows(DatabaseException.class, () -> db.write(c -> {
                putMeta(c, "half", "done");
                throw new SQLException("simulated failure");
            }));

            assertEquals("write failed on " + file() + ": simulated failure", e.getMessage());
            assertFalse(e.corrupt());
            assertTrue(db.read(c -> Meta.get(c, "half")).isEmpty());
        }
    }

    /**
     * Regression: any exception whose message contained "malformed" or "not a database" counted as
     * SQLite corruption, so a refused argument that echoes user input (a status, a dep, a task id)
     * latched the whole database read-only.
     */
    @Test
    void userInputEchoedInAnErrorMessageDoesNotLatchCorruption() {
        try (Database db = Database.open(file())) {
            IllegalArgumentException bad = new IllegalArgumentException(
                    "status must be one of [...]; got \"malformed not a database SQLITE_CORRUPT\"");

            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> db.write(c -> {
                throw bad;
            }));

            assertSame(bad, thrown);
            assertNull(db.corruption());
            db.write(c -> putMeta(c, "still", "writable"));
        }
    }

    @Test
    void markCorruptRefusesWritesPointingToRestorePlanWhileReadsWork() {
        try (Database db = Database.open(file())) {
            db.write(c -> putMeta(c, "k", "v"));

            db.markCorrupt("PRAGMA quick_check at boot: *** in database main ***");
            db.markCorrupt("a later reason does not replace the first");

            DatabaseException e = assertThrows(DatabaseException.class, () -> db.write(c -> putMeta(c, "k", "w")));
            assertEquals("writes are refused: the live database " + file() + " is damaged (PRAGMA quick_check at boot:"
                    + " *** in database main ***). Do not keep writing; call restore_plan, then stop the server and run"
                    + " `java -jar colibri.jar restore --yes`", e.getMessage());
            assertTrue(e.corrupt());
            assertEquals("PRAGMA quick_check at boot: *** in database main ***", db.corruption());
            assertEquals("v", db.read(c -> Meta.get(c, "k")).orElseThrow());
        }
    }

    @Test
    void fileOfRandomBytesOpensLatchedReadOnlyAndIsNotModified() throws IOException {
        byte[] junk = new byte[8192];
        new Random(7).nextBytes(junk);
        Files.write(file(), junk);

        try (Database db = Database.open(file())) {
            assertTrue(db.corruption().startsWith("opening it failed: "), db.corruption());
            DatabaseException write = assertThrows(DatabaseException.class, () -> db.write(c -> putMeta(c, "k", "v")));
            assertTrue(write.corrupt());
            assertTrue(write.getMessage().contains("call restore_plan"), write.getMessage());
            DatabaseException read = assertThrows(DatabaseException.class, () -> db.read(c -> Meta.get(c, "k")));
            assertTrue(read.corrupt(), read.getMessage());
        }
        assertArrayEquals(junk, Files.readAllBytes(file()));
    }

    @Test
    void damagedPageFoundByAWriteLatchesWritesButReadsStillWork() throws IOException {
        try (Database db = Database.open(file())) {
            db.write(c -> {
                for (int i = 0; i < 2000; i++) {
                    putMeta(c, "k" + i, "v".repeat(100) + i);
                }
                return null;
            });
        }
        byte[] junk = new byte[20 * 4096];
        new Random(3).nextBytes(junk);
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(junk), 10 * 4096);
        }

        try (Database db = Database.open(file())) {
            assertNull(db.corruption(), "the header is intact, so the boot migration succeeds");

            DatabaseException first = assertThrows(DatabaseException.class, () -> db.write(c -> putMeta(c, "k5", "x")));
            assertTrue(first.corrupt());
            assertTrue(first.getMessage().startsWith("the database " + file() + " is damaged ("), first.getMessage());
            assertTrue(first.getMessage().endsWith("); writes are stopped. Call restore_plan and restore from a clean"
                    + " snapshot"), first.getMessage());
            assertTrue(db.corruption() != null);

            DatabaseException next = assertThrows(DatabaseException.class, () -> db.write(c -> putMeta(c, "x", "y")));
            assertTrue(next.getMessage().startsWith("writes are refused: the live database " + file() + " is damaged ("),
                    next.getMessage());
            assertEquals(Schema.VERSION, db.read(Schema::version));
        }
    }

    @Test
    void concurrentWritersNeverSeeBusyAndLoseNothing() throws Exception {
        int threads = 8;
        int writesEach = 200;
        try (Database db = Database.open(file())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            try {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < writesEach; i++) {
                            String key = "t" + thread + "-" + i;
                            db.write(c -> putMeta(c, key, key));
                            if (i % 25 == 0) {
                                db.read(c -> count(c, "meta"));
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<Void> f : results) {
                    f.get(); // rethrows any DatabaseException (SQLITE_BUSY included)
                }
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
            }

            assertEquals((long) threads * writesEach, rows(db, "meta"));
            assertEquals(1 + threads * writesEach, db.writesSinceOpen());
            assertNull(db.corruption());
        }
    }

    @Test
    void readConnectionsAreReadOnly() {
        try (Database db = Database.open(file())) {
            DatabaseException e = assertThrows(DatabaseException.class, () -> db.read(c -> putMeta(c, "k", "v")));

            assertTrue(e.getMessage().startsWith("read failed on " + file() + ": "), e.getMessage());
            assertFalse(e.corrupt());
            assertNull(db.corruption());
        }
    }

    @Test
    void whileWritesPausedHoldsWritersBackUntilTheActionEnds() throws Exception {
        try (Database db = Database.open(file())) {
            Thread[] writer = new Thread[1];
            String inside = db.whileWritesPaused(() -> {
                writer[0] = new Thread(() -> db.write(c -> putMeta(c, "late", "write")), "late-writer");
                writer[0].start();
                while (writer[0].getState() != Thread.State.WAITING) {
                    Thread.onSpinWait(); // parked on the write lock
                }
                return db.read(c -> Meta.get(c, "late")).orElse("absent");
            });
            writer[0].join();

            assertEquals("absent", inside);
            assertEquals("write", db.read(c -> Meta.get(c, "late")).orElseThrow());
        }
    }

    /** Regression: the boot-time quick_check held the WAL, so the first backup fell back to the slow backup API. */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void backupPauseInterruptsAReadGivingWaySoTheCheckpointCompletes() throws Exception {
        try (Database db = Database.open(file())) {
            db.write(c -> putMeta(c, "k", "v")); // frames in the WAL: a reader started now pins them
            CountDownLatch started = new CountDownLatch(1);
            ExecutorService background = Executors.newSingleThreadExecutor();
            Future<Optional<Long>> read = background.submit(() -> db.readGivingWay(c -> {
                started.countDown();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("WITH RECURSIVE n(i) AS"
                        + " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000000)"
                        + " SELECT count(*) FROM meta, n")) {
                    rs.next();
                    return rs.getLong(1);
                }
            }));
            started.await();
            Thread.sleep(300); // let the statement start: an interrupt between statements is a no-op

            int busy = db.whileWritesPaused(() -> db.checkpoint("TRUNCATE"));

            assertEquals(0, busy);
            assertEquals(Optional.empty(), read.get(10, TimeUnit.SECONDS));
            assertEquals(0L, Files.size(dir.resolve("colibri.db-wal")));
            assertNull(db.corruption());
            background.shutdown();
        }
    }

    /**
     * Regression (review): sqlite3_interrupt only stops a statement already running, so a read whose
     * query started just after the interrupt (registered, but between statements) ran to its end.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anInterruptThatComesBeforeTheStatementStartsStillStopsIt() throws Exception {
        try (Database db = Database.open(file())) {
            CountDownLatch registered = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService background = Executors.newSingleThreadExecutor();
            Future<Optional<Long>> read = background.submit(() -> db.readGivingWay(c -> {
                registered.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("WITH RECURSIVE n(i) AS"
                        + " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000000) SELECT count(*) FROM n")) {
                    rs.next();
                    return rs.getLong(1);
                }
            }));
            registered.await();

            db.stopReadsGivingWay(); // no statement is running on the reader yet
            go.countDown();

            assertEquals(Optional.empty(), read.get(10, TimeUnit.SECONDS), "the read ran on after the interrupt");
            assertEquals(Optional.empty(), db.readGivingWay(c -> "read"), "a read after the stop started anyway");
            assertNull(db.corruption());
            background.shutdown();
        }
    }

    /** Regression: a read registering just after the backup's interrupt went out was never interrupted. */
    @Test
    void readGivingWayDoesNotStartWhileABackupHasWritesPaused() throws Exception {
        try (Database db = Database.open(file())) {
            boolean[] ran = new boolean[1];

            Optional<String> inside = db.whileWritesPaused(() -> db.readGivingWay(c -> {
                ran[0] = true;
                return "read";
            }));

            assertEquals(Optional.empty(), inside);
            assertFalse(ran[0]);
            assertEquals(Optional.of("read"), db.readGivingWay(c -> "read"));
        }
    }

    @Test
    void readGivingWayReturnsItsResultWhenNoBackupComes() {
        try (Database db = Database.open(file())) {
            db.write(c -> putMeta(c, "k", "v"));

            assertEquals(Optional.of("v"), db.readGivingWay(c -> Meta.get(c, "k").orElseThrow()));
        }
    }

    @Test
    void closeCheckpointsSoTheMainFileAloneHoldsEveryCommit() throws IOException, SQLException {
        try (Database db = Database.open(file())) {
            db.write(c -> putMeta(c, "k", "v"));
            assertEquals(0, db.checkpoint("PASSIVE"));
        }
        Path copy = Files.copy(file(), dir.resolve("copy.db"));

        try (Connection c = Sqlite.openReadOnly(copy)) {
            assertEquals("v", Meta.get(c, "k").orElseThrow());
        }
        assertTrue(!Files.exists(dir.resolve("colibri.db-wal")) || Files.size(dir.resolve("colibri.db-wal")) == 0);
    }

    /**
     * The live chain walk reads the file's pages only under a read that began on an empty log: SQLite
     * backfills nothing into the file while such a read is held, however much is written meanwhile.
     */
    @Test
    void aReadFromTheEmptyLogBeginsAfterACheckpointAndTheFileDoesNotChangeWhileItIsHeld() throws Exception {
        Path wal = dir.resolve("colibri.db-wal");
        try (Database db = Database.open(file())) {
            for (int i = 0; i < 5; i++) {
                db.write(c -> putMeta(c, "before", "v"));
            }
            assertTrue(Files.size(wal) > 0, "precondition: frames in the log");
            long[] walDuringSetUp = new long[1];
            byte[][] fileDuringSetUp = new byte[1][];

            long[] seen = db.readFromEmptyLog(c -> {
                walDuringSetUp[0] = sizeOf(wal);
                fileDuringSetUp[0] = bytesOf(db);
                return c;
            }, c -> {
                long rowsAtStart = count(c, "meta");
                db.write(cw -> putMeta(cw, "during", "v")); // writes go on meanwhile
                db.checkpoint("PASSIVE"); // backfills nothing while the read is held
                try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file());
                        Statement s = other.createStatement()) { // nor does anyone else's
                    s.execute("PRAGMA wal_autocheckpoint = 1");
                    s.execute("INSERT INTO meta (key, value) VALUES ('other', 'v')");
                    s.execute("PRAGMA busy_timeout = 50");
                    s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
                assertArrayEquals(fileDuringSetUp[0], bytesOf(db), "the file changed under the read");
                return new long[] {rowsAtStart, count(c, "meta")};
            });

            assertEquals(0, walDuringSetUp[0], "the log was emptied before the read began");
            assertEquals(seen[0], seen[1], "the read's view moved");
            assertEquals(seen[0] + 2, rows(db, "meta"));
            db.checkpoint("PASSIVE");
            assertFalse(Arrays.equals(fileDuringSetUp[0], bytesOf(db)), "once the read is over, the write is backfilled");
        }
    }

    @Test
    void aCheckpointBlockedByAnotherReaderLeavesTheLogAsItIsAndTheReadStillRuns() throws Exception {
        Path wal = dir.resolve("colibri.db-wal");
        try (Database db = Database.open(file()); Connection other = Sqlite.openReadOnly(file())) {
            db.write(c -> putMeta(c, "k", "v"));
            other.setAutoCommit(false);
            assertEquals(1, count(other, "meta")); // holds frames of the log

            long[] walDuringSetUp = new long[1];
            long rowsSeen = db.readFromEmptyLog(c -> {
                walDuringSetUp[0] = sizeOf(wal);
                return count(c, "meta");
            }, rowsAtStart -> rowsAtStart);

            assertTrue(walDuringSetUp[0] > 0, "the log was emptied under another reader");
            assertEquals(1, rowsSeen);
            assertEquals("10000", db.write(c -> pragma(c, "busy_timeout")), "the writer's busy timeout is restored");
            other.rollback();
        }
    }

    /** Unlike a backup's pause, a read from the empty log lets the boot's quick_check finish. */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aReadFromTheEmptyLogDoesNotInterruptAReadGivingWay() throws Exception {
        try (Database db = Database.open(file())) {
            db.write(c -> putMeta(c, "k", "v"));
            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            ExecutorService background = Executors.newSingleThreadExecutor();
            Future<Optional<Long>> check = background.submit(() -> db.readGivingWay(c -> {
                long rows = count(c, "meta");
                reading.countDown();
                try {
                    finish.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return rows + count(c, "meta");
            }));
            reading.await();

            try {
                long rows = db.readFromEmptyLog(c -> count(c, "meta"), n -> n);
                finish.countDown();

                assertEquals(1, rows);
                assertEquals(Optional.of(2L), check.get(10, TimeUnit.SECONDS));
            } finally {
                finish.countDown();
                background.shutdown();
            }
        }
    }

    @Test
    void aSetUpThatFailsLetsTheWritesGoOnAndItsFailureThrough() throws Exception {
        try (Database db = Database.open(file())) {
            db.write(c -> putMeta(c, "k", "v"));

            DatabaseException e = assertThrows(DatabaseException.class, () -> db.readFromEmptyLog(c -> {
                throw new SQLException("no such table: missing");
            }, started -> started));

            assertEquals("read failed on " + file() + ": no such table: missing", e.getMessage());
            db.write(c -> putMeta(c, "after", "v")); // the writer was let go
            assertEquals("v", db.read(c -> Meta.get(c, "after")).orElseThrow());
        }
    }

    @Test
    void aReadFromTheEmptyLogInsideAWriteIsRefused() {
        try (Database db = Database.open(file())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> db.write(c -> db.readFromEmptyLog(r -> 1, n -> n)));

            assertEquals("a read from the emptied log of " + file() + " was asked inside a write, where the log"
                    + " cannot be checkpointed", e.getMessage());
        }
    }
}
