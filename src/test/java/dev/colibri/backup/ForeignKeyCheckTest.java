package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.audit.ChainVerification;
import dev.colibri.merkle.ChainRoot;
import dev.colibri.task.TaskChange;
import dev.colibri.testing.MutableClock;
import dev.colibri.workspace.Workspace;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foreign-key check of a snapshot, over real snapshots edited with SQLite itself: the walk may
 * only ever vouch for "no violations", and every other answer is {@code PRAGMA foreign_key_check}'s.
 */
class ForeignKeyCheckTest {

    private static final String BY_THE_WALK = "no violations (thought_records' task ids looked up during the chain walk)";

    @TempDir
    Path tmp;

    private Colibri open() {
        return Colibri.open(new Workspace(tmp.resolve("ws"), null, tmp.resolve("keys").resolve("audit.key")),
                new MutableClock(Instant.parse("2026-05-01T09:00:00Z")));
    }

    /** Tasks T1 and T2 (T2 depends on T1), records naming T1, T2 and none, then a snapshot; its file. */
    private static Snapshot snapshot(Colibri c) throws Exception {
        c.tasks().upsert(new TaskChange("T1", "first", "in_progress", 10, null));
        c.tasks().upsert(new TaskChange("T2", "second", "pending", 0, List.of("T1")));
        for (int i = 0; i < 6; i++) {
            c.audit().append("decision", "decision " + i, i % 3 == 0 ? null : i % 3 == 1 ? "T1" : "T2");
        }
        c.merkle().finalizeAndAnchor("r1");
        return c.backups().create("round", "r1", null, ProgressListener.none()).snapshot();
    }

    /** Edits a snapshot file the way a damaged or hand-edited copy would be: foreign keys off. */
    private static void edit(Path file, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA foreign_keys = OFF");
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static Check check(Verification v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void cleanSnapshotIsVouchedForByTheWalk() throws Exception {
        try (Colibri c = open()) {
            Verification v = c.verifier().verify(snapshot(c));
            assertTrue(v.safeToRestore(), v.failures());
            assertEquals(BY_THE_WALK, check(v, "foreign_key_check").detail());
        }
    }

    @Test
    void deletedTaskIsReportedBySqliteWhileTheChainStillVerifies() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            edit(s.path(), "DELETE FROM task_deps", "DELETE FROM tasks WHERE id = 'T2'");
            Verification v = c.verifier().verify(s);
            assertEquals("ok", check(v, "audit_chain").status());
            Check fk = check(v, "foreign_key_check");
            assertEquals("fail", fk.status());
            assertEquals("2 violation(s): thought_records rowid 2 -> tasks, thought_records rowid 5 -> tasks",
                    fk.detail());
        }
    }

    /**
     * A task id stored as a blob carries the same bytes as the text it replaced, so the record still
     * authenticates, but SQLite never matches a blob with a text key: it is a violation, and the
     * walk must not vouch for it.
     */
    @Test
    void blobTaskIdIsAViolationAsSqliteSaysThoughTheChainVerifies() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            edit(s.path(), "UPDATE thought_records SET task_id = CAST(task_id AS BLOB) WHERE position = 1");
            Verification v = c.verifier().verify(s);
            assertEquals("ok", check(v, "audit_chain").status());
            assertEquals("1 violation(s): thought_records rowid 1 -> tasks", check(v, "foreign_key_check").detail());
        }
    }

    @Test
    void violationInAnotherTableIsReportedBySqlite() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            edit(s.path(), "INSERT INTO task_deps(task_id, depends_on) VALUES ('T1', 'T9')");
            Check fk = check(c.verifier().verify(s), "foreign_key_check");
            assertEquals("fail", fk.status());
            assertTrue(fk.detail().startsWith("1 violation(s): task_deps rowid "), fk.detail());
        }
    }

    @Test
    void tableDeclaredOtherwiseIsLeftToSqlite() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            edit(s.path(), "PRAGMA writable_schema = ON",
                    "UPDATE sqlite_schema SET sql = replace(sql, 'title      TEXT', 'title TEXT') WHERE name = 'tasks'");
            Verification v = c.verifier().verify(s);
            assertEquals("ok", check(v, "integrity_check").status(), v.failures());
            assertEquals("no violations", check(v, "foreign_key_check").detail());
        }
    }

    @Test
    void tooManyTasksToHoldAreLeftToSqlite() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            edit(s.path(), "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < "
                    + ForeignKeyCheck.MAX_TASKS + ") INSERT INTO tasks(id, status, progress, created_at, updated_at)"
                    + " SELECT 'X' || k, 'pending', 0, 'now', 'now' FROM n");
            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path())) {
                f.setAutoCommit(false);
                ForeignKeyCheck.Walk walk = ForeignKeyCheck.prepare(f);
                ChainVerification chain = c.audit().chain().verify(f, new ChainRoot(0), walk);
                assertTrue(chain.ok());
                assertFalse(walk.resolved());
            }
            assertEquals("no violations", check(c.verifier().verify(s), "foreign_key_check").detail());
        }
    }

    @Test
    void walkThatDoesNotResolveEveryTaskIdSaysSo() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path())) {
                f.setAutoCommit(false);
                ForeignKeyCheck.Walk walk = ForeignKeyCheck.prepare(f);
                assertTrue(c.audit().chain().verify(f, new ChainRoot(0), walk).ok());
                assertTrue(walk.resolved());
                f.rollback();
            }
            edit(s.path(), "DELETE FROM tasks WHERE id = 'T1'");
            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path())) {
                f.setAutoCommit(false);
                ForeignKeyCheck.Walk walk = ForeignKeyCheck.prepare(f);
                assertTrue(c.audit().chain().verify(f, new ChainRoot(0), walk).ok());
                assertFalse(walk.resolved());
            }
        }
    }

    /** The walk stops at a forged record, so it never reads the records after it: it vouches for nothing. */
    @Test
    void brokenChainLeavesTheCheckToSqlite() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            edit(s.path(), "DELETE FROM task_deps", "DELETE FROM tasks WHERE id = 'T2'",
                    "UPDATE thought_records SET content = 'forged' WHERE position = 1");
            Verification v = c.verifier().verify(s);
            assertEquals("fail", check(v, "audit_chain").status());
            assertEquals("2 violation(s): thought_records rowid 2 -> tasks, thought_records rowid 5 -> tasks",
                    check(v, "foreign_key_check").detail());
        }
    }

    /** A file integrity_check finds unsound may answer other queries wrongly: SQLite decides. */
    @Test
    void unsoundFileLeavesTheCheckToSqlite() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            try (RandomAccessFile f = new RandomAccessFile(s.path().toFile(), "rw")) {
                f.seek(36); // the header's count of freelist pages
                int free = f.readInt();
                f.seek(36);
                f.writeInt(free + 1);
            }
            Verification v = c.verifier().verify(s);
            assertEquals("fail", check(v, "integrity_check").status());
            assertEquals("ok", check(v, "audit_chain").status());
            assertEquals("no violations", check(v, "foreign_key_check").detail());
        }
    }

    @Test
    void walkOverTasksThatCannotBeReadNeverResolves() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            Connection closed = DriverManager.getConnection("jdbc:sqlite:" + s.path());
            closed.close();
            ForeignKeyCheck.Walk walk = ForeignKeyCheck.prepare(closed);
            walk.range(0, 6).text(null);
            assertFalse(walk.resolved());
        }
    }

    @Test
    void earlyAnswerIsSqlitesUnlessTheWalkMaySettleIt() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path())) {
                assertNull(ForeignKeyCheck.early(f));
            }
            edit(s.path(), "DELETE FROM tasks WHERE id = 'T1'");
            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path())) {
                List<String> rows = ForeignKeyCheck.early(f); // SQLite's rows, all tables (task_deps is WITHOUT ROWID: 0)
                assertEquals(List.of("task_deps rowid 0 -> tasks", "thought_records rowid 1 -> tasks",
                        "thought_records rowid 4 -> tasks"), rows.stream().sorted().toList());
            }
        }
    }

    @Test
    void otherTablesCleanLooksAtEveryTableButThoughtRecords() throws Exception {
        try (Colibri c = open()) {
            Snapshot s = snapshot(c);
            edit(s.path(), "DELETE FROM task_deps", "DELETE FROM tasks WHERE id = 'T2'");
            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path())) {
                assertTrue(ForeignKeyCheck.otherTablesClean(f)); // only records name T2 now
            }
            edit(s.path(), "INSERT INTO task_deps(task_id, depends_on) VALUES ('T1', 'T2')");
            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path())) {
                assertFalse(ForeignKeyCheck.otherTablesClean(f)); // a dependency on the deleted T2
            }
        }
    }
}
