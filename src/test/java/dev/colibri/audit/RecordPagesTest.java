package dev.colibri.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colibri.workspace.Database;
import dev.colibri.workspace.PageFile;
import dev.colibri.workspace.Sqlite;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordPagesTest {

    private static final int RECORDS = 3_000;

    @TempDir
    Path dir;

    private final AuditChain chain = new AuditChain(AuditKey.of(new byte[32]),
            Clock.fixed(Instant.parse("2024-01-02T03:04:05Z"), ZoneOffset.UTC));

    /** A chain over many pages: every 50th record larger than a page (an overflow chain), some with a task. */
    private Path longChain() {
        Path file = dir.resolve("colibri.db");
        try (Database db = Database.open(file)) {
            db.write(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO tasks(id, title, status, progress, created_at, updated_at)"
                            + " VALUES('T1', 't', 'pending', 0, 'x', 'x')");
                }
                for (int i = 0; i < RECORDS; i++) {
                    chain.append(c, "note", (i % 50 == 0 ? "ü".repeat(9_000) : "content ") + i, i % 7 == 0 ? "T1" : null);
                }
                return null;
            });
            assertEquals(0, db.checkpoint("TRUNCATE"));
        }
        return file;
    }

    /** The verdict, and every hash handed to the leaf sink, from a walk on {@code c} (reading through {@code pages}). */
    private List<String> walk(Connection c, PageFile pages) throws SQLException {
        List<String> seen = new ArrayList<>();
        LeafSink leaves = (from, to) -> hash -> {
            synchronized (seen) {
                seen.add(from + ":" + HexFormat.of().formatHex(hash));
            }
        };
        ChainWalk w = chain.walk(c, leaves, TaskIdSink.NONE, pages);
        ChainVerification v = w.finish(1);
        List<String> result = new ArrayList<>(seen.stream().sorted().toList());
        result.add(0, v.toString());
        return result;
    }

    private List<String> throughSqlite(Path file) throws SQLException {
        try (Connection c = Sqlite.openReadOnly(file)) { // auto-commit: nothing pins the file
            assertNull(RecordPages.pin(c, file, null));
            return walk(c, null);
        }
    }

    /** The walk of a WAL database, through a reader that outlives the connection. */
    private List<String> fromThePages(Path file) throws Exception {
        try (PageFile pages = PageFile.open(file); Connection c = Sqlite.openReadOnly(file)) {
            c.setAutoCommit(false);
            AuditChain.count(c);
            assertNull(RecordPages.pin(c, file, null), "a WAL database is read directly only through its owner's reader");
            RecordPages.Source source = RecordPages.pin(c, file, pages);
            assertNotNull(source, "a read transaction with an empty log pins the file");
            assertFalse(source.owned());
            return walk(c, pages);
        }
    }

    @Test
    void aLongChainReadFromThePagesGivesSqlitesVerdictAndLeaves() throws Exception {
        Path file = longChain();
        List<String> sqlite = throughSqlite(file);
        assertTrue(sqlite.get(0).contains("ok=true"), sqlite.get(0));
        assertEquals(RECORDS + 1, sqlite.size());
        assertEquals(sqlite, fromThePages(file));
    }

    /**
     * With a shared reader the calling thread leaves the pages to threads of its own; when none of
     * them can open a connection (the file is gone from its path), the caller walks what is left
     * through SQLite on its own connection instead of waiting for ever.
     */
    @Test
    void aWalkWhoseHelpersCannotOpenTheFileIsFinishedByTheCaller() throws Exception {
        Path file = longChain();
        String expected = throughSqlite(file).get(0);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (PageFile pages = PageFile.open(file); Connection c = Sqlite.openReadOnly(file)) {
                c.setAutoCommit(false);
                ChainWalk w = chain.walk(c, 4, LeafSink.NONE, TaskIdSink.NONE, pages);
                assertTrue(w.readsPages());
                Files.move(file, dir.resolve("moved.db"));
                assertEquals(expected, w.finish(1).toString());
            }
        });
    }

    @Test
    void aRollbackJournalSnapshotIsOpenedAndClosedByTheWalkItself() throws Exception {
        Path file = longChain();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = DELETE"); // as a sealed snapshot is
        }
        List<String> sqlite = throughSqlite(file);
        try (Connection c = Sqlite.openReadOnly(file)) {
            c.setAutoCommit(false);
            AuditChain.count(c);
            RecordPages.Source source = RecordPages.pin(c, file, null);
            assertNotNull(source);
            assertTrue(source.owned());
            source.file().close();
            ChainWalk w = chain.walk(c, 2, LeafSink.NONE, TaskIdSink.NONE);
            assertTrue(w.readsPages());
            assertEquals(sqlite.get(0), w.finish(1).toString());
            assertEquals(sqlite, walk(c, null));
        }
    }

    @Test
    void theLiveFileIsNotPinnedWhileTheLogHoldsFrames() throws Exception {
        Path file = dir.resolve("colibri.db");
        try (Database db = Database.open(file)) {
            db.write(c -> chain.append(c, "note", "one", null));
            assertEquals(0, db.checkpoint("TRUNCATE"));
            PageFile pages = db.pages();
            db.write(c -> chain.append(c, "note", "two", null));
            assertNull(db.read(c -> RecordPages.pin(c, file, pages)), "the log holds the record");
            assertEquals(0, db.checkpoint("TRUNCATE"));
            RecordPages.Source source = db.read(c -> RecordPages.pin(c, file, pages));
            assertNotNull(source);
            assertFalse(source.owned());
        }
    }

    /**
     * Regression: {@code audit_verify_chain} on a live server read the chain through SQLite whenever
     * the log held a commit, that is nearly always while the server writes (1.3 s against 0.55 s on
     * the benchmark's million records): the verification now empties the log itself before it begins.
     */
    @Test
    void theLiveChainIsReadFromItsPagesAfterTheVerificationEmptiesTheLog() throws Exception {
        Path file = dir.resolve("colibri.db");
        Path wal = dir.resolve("colibri.db-wal");
        try (Database db = liveWithOneRecord(file, true)) {
            AuditService audit = new AuditService(db, chain);
            PageFile pages = db.pages();
            List<String> before = locksOn(file);
            audit.append("note", "two", null);
            assertTrue(Files.size(wal) > 0, "precondition: the log holds a record");
            assertNull(db.read(c -> RecordPages.pin(c, file, pages)), "precondition: a plain read is not pinned");

            boolean direct = db.readFromEmptyLog(c -> chain.walk(c, LeafSink.NONE, TaskIdSink.NONE, pages), w -> {
                w.finishOnEveryCore();
                return w.readsPages();
            });
            audit.append("note", "three", null);
            ChainVerification v = audit.verifyLive();

            assertTrue(direct, "the walk set up on the emptied log reads the pages");
            assertEquals(3, v.length());
            assertTrue(v.ok(), v::toString);
            assertEquals(0, Files.size(wal), "verifyLive emptied the log before its walk");
            assertEquals(before, locksOn(file));
        }
    }

    /**
     * Regression: the first version opened and closed its own descriptor of the live database, and
     * closing it dropped the writer's POSIX locks on the file; the benchmark's next {@code sqlite3}
     * process then took itself for the last connection, checkpointed and deleted the WAL, and the
     * writer's next reads failed with SQLITE_IOERR_SHORT_READ. The locks this process holds on the
     * file must be the same after a verification as before it.
     */
    @Test
    void verifyingTheLiveChainFromItsPagesLeavesTheWritersLocksInPlace() throws Exception {
        Path file = dir.resolve("colibri.db");
        try (Database db = liveWithOneRecord(file, true)) {
            AuditService audit = new AuditService(db, chain);
            List<String> before = locksOn(file);
            assertFalse(before.isEmpty(), "the writer holds a lock on the file");
            assertTrue(audit.verifyLive().ok());
            PageFile pages = db.pages();
            boolean direct = db.read(c -> chain.walk(c, LeafSink.NONE, TaskIdSink.NONE, pages).readsPages());
            assertTrue(direct, "verifyLive reads the pages");
            assertEquals(before, locksOn(file));
            audit.append("note", "two", null); // and the writer still writes
            assertTrue(audit.verifyLive().ok());
        }
    }

    /**
     * Regression (found in review): a thread interrupted while it reads a {@code FileChannel} closes
     * the channel. Had the calling thread of a verification read the live database's shared reader
     * itself, an interrupted tool call would have closed it and dropped the writer's locks; only the
     * walk's own threads read it.
     */
    @Test
    void anInterruptedVerificationLeavesTheSharedReaderOpenAndTheWritersLocksInPlace() throws Exception {
        Path file = dir.resolve("colibri.db");
        try (Database db = liveWithOneRecord(file, true)) {
            AuditService audit = new AuditService(db, chain);
            List<String> before = locksOn(file);
            Thread.currentThread().interrupt();
            try {
                assertThrows(RuntimeException.class, audit::verifyLive);
            } finally {
                Thread.interrupted();
            }
            assertEquals(before, locksOn(file));
            assertTrue(db.pages().pageCount() > 0, "the shared reader is still open");
            assertTrue(audit.verifyLive().ok());
        }
    }

    /**
     * A new database's file may not yet hold a complete header (its first pages are still in the
     * WAL): refusing to read it directly must not close the descriptor either.
     */
    @Test
    void aLiveFileNotYetReadableDirectlyKeepsTheWritersLocksAndIsReadLater() throws Exception {
        Path file = dir.resolve("colibri.db");
        try (Database db = liveWithOneRecord(file, false)) {
            List<String> before = locksOn(file);
            try {
                db.pages();
            } catch (java.io.IOException refused) {
                // the header is not complete in the file yet: the walk reads through SQLite meanwhile
            }
            assertEquals(before, locksOn(file));
            assertEquals(0, db.checkpoint("TRUNCATE"));
            assertTrue(db.pages().pageCount() > 0);
            assertEquals(before, locksOn(file));
        }
    }

    /** A live database (its writer open) holding one record, its WAL emptied; skipped where /proc/locks is missing. */
    private Database liveWithOneRecord(Path file, boolean checkpoint) {
        assumeTrue(Files.isReadable(Path.of("/proc/locks")), "Linux lists POSIX locks in /proc/locks");
        Database db = Database.open(file);
        new AuditService(db, chain).append("note", "one", null);
        if (checkpoint) {
            assertEquals(0, db.checkpoint("TRUNCATE"));
        }
        return db;
    }

    /** The lines of /proc/locks for POSIX locks this process holds on {@code file} (by inode). */
    private static List<String> locksOn(Path file) throws Exception {
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        long pid = ProcessHandle.current().pid();
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .map(l -> l.replaceFirst("^\\d+:\\s*", ""))
                .filter(l -> l.startsWith("POSIX") && l.contains(" " + pid + " ") && l.contains(":" + inode + " "))
                .sorted()
                .toList();
    }

    @Test
    void aPageSqliteCallsMalformedFailsTheWalkBothWays() throws Exception {
        Path file = longChain();
        long leaf;
        try (Connection c = Sqlite.openReadOnly(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT rootpage FROM sqlite_schema WHERE name = 'thought_records'")) {
            leaf = rs.getLong(1) + 40; // a page well inside the table, written while it grew
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek((leaf - 1) * 4096 + 3);
            raf.writeShort(0xffff); // more cells than the page can hold
        }
        SQLException sqlite = assertThrows(SQLException.class, () -> throughSqlite(file));
        SQLException pages = assertThrows(SQLException.class, () -> fromThePages(file));
        assertTrue(Sqlite.isCorruption(sqlite), sqlite.toString());
        assertTrue(Sqlite.isCorruption(pages), "handed over to SQLite, which finds the page malformed: " + pages);
        assertFalse(pages.getMessage().isEmpty());
    }
}
