package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTest {

    @TempDir
    Path dir;

    private Path database(int rows) throws SQLException {
        Path file = dir.resolve("t.db");
        try (Connection c = Sqlite.openWriter(file); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
            s.executeUpdate("WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < " + rows
                    + ") INSERT INTO t SELECT k, randomblob(100) FROM n");
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        return file;
    }

    @Test
    void readOnlyRefusesAMissingFileWithItsPath() {
        Path missing = dir.resolve("nothing.db");
        SQLException e = assertThrows(SQLException.class, () -> Sqlite.openReadOnly(missing));
        assertEquals("no database file at " + missing, e.getMessage());
        assertFalse(Files.exists(missing));
    }

    @Test
    void readOnlyCannotWrite() throws Exception {
        Path file = database(10);
        try (Connection c = Sqlite.openReadOnly(file); Statement s = c.createStatement()) {
            assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM t"));
        }
        try (Connection c = Sqlite.openReadOnly(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            assertEquals(10, rs.getLong(1));
        }
    }

    /**
     * The read-only connection opens without SQLite's own mutex, relying on sqlite-jdbc serialising
     * calls on a connection: two threads stepping their own statements on one connection at once
     * must still each read every row exactly.
     */
    @Test
    void readOnlyConnectionSharedByTwoThreadsReadsEveryRow() throws Exception {
        Path file = database(20_000);
        long expected;
        try (Connection c = Sqlite.openReadOnly(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT sum(length(v)) + sum(k) FROM t")) {
            expected = rs.getLong(1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection c = Sqlite.openReadOnly(file)) {
            Callable<Long> walk = () -> {
                long sum = 0;
                for (int pass = 0; pass < 3; pass++) {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT k, v FROM t")) {
                        while (rs.next()) {
                            sum += rs.getLong(1) + rs.getBytes(2).length;
                        }
                    }
                }
                return sum;
            };
            List<Future<Long>> sums = new ArrayList<>();
            sums.add(pool.submit(walk));
            sums.add(pool.submit(walk));
            for (Future<Long> f : sums) {
                assertEquals(3 * expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readOnlyNeverLeavesAJournalBesideASnapshot() throws Exception {
        Path file = database(10);
        try (Connection c = Sqlite.openWriter(file); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=DELETE"); // as a sealed snapshot is
        }
        try (Connection c = Sqlite.openReadOnly(file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            assertEquals("ok", rs.getString(1));
        }
        assertFalse(Files.exists(dir.resolve("t.db-journal")));
        assertFalse(Files.exists(dir.resolve("t.db-wal")));
    }

    @Test
    void corruptionIsRecognisedThroughTheCauseChainOnly() throws Exception {
        Path file = dir.resolve("garbage.db");
        Files.write(file, new byte[8192]);
        Files.write(file, "this is not a database, only text".getBytes(), java.nio.file.StandardOpenOption.WRITE);
        SQLException notADatabase = assertThrows(SQLException.class, () -> {
            try (Connection c = Sqlite.openReadOnly(file); Statement s = c.createStatement()) {
                s.executeQuery("SELECT count(*) FROM sqlite_schema");
            }
        });
        assertTrue(Sqlite.isCorruption(new RuntimeException("wrapped", notADatabase)));
        assertFalse(Sqlite.isCorruption(new IllegalArgumentException("task id 'malformed' is unknown")));
    }
}
