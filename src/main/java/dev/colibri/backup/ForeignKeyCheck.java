package dev.colibri.backup;

import dev.colibri.audit.TaskIdSink;
import dev.colibri.workspace.Schema;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A snapshot's {@code foreign_key_check} without a third scan of its biggest table. SQLite's check
 * of {@code thought_records} reads every row (about as long as the chain walk's own read) only to
 * look each {@code task_id} up in {@code tasks}; the chain walk reads every task id anyway. So the
 * check is split: SQLite checks every other table ({@link #early}), and the walk hands each
 * record's task id to a {@link Walk}, which looks it up among the task ids read beforehand.
 *
 * <p>This can only ever conclude that there are no violations, and only when it is exactly what
 * SQLite would say: the two tables are declared as this build declares them ({@code task_id TEXT
 * REFERENCES tasks(id)}, {@code id TEXT PRIMARY KEY}), the walk read every record, every task id it
 * saw is NULL or a text equal byte for byte to a text id in {@code tasks} (the parent key's BINARY
 * collation; a value of another class never matches a text key), and no other table has a
 * violation. In every other case (a broken chain, a record read column by column, an unknown or
 * non-text task id, more than {@link #MAX_TASKS} tasks, another schema, a violation elsewhere) the
 * caller runs {@code PRAGMA foreign_key_check} itself, so every reported violation is SQLite's; when
 * that is known before the walk (another schema, too many tasks, a violation elsewhere), {@link
 * #early} runs it at once, beside the walk, as the verifier always did.
 */
final class ForeignKeyCheck {

    /** The most task ids held in memory for the lookups (about 100 bytes each). */
    static final int MAX_TASKS = 100_000;

    private ForeignKeyCheck() {
    }

    /**
     * What can be known before the walk, on a connection of its own: the rows {@code PRAGMA
     * foreign_key_check} returns (as {@link SnapshotFacts#foreignKeyViolations} reports them) when
     * the walk cannot settle the check, or null when it may: the file is declared as this build
     * declares it, holds at most {@link #MAX_TASKS} tasks, and every table but {@code thought_records}
     * is clean.
     */
    static List<String> early(Connection c) throws SQLException {
        if (applies(c) && otherTablesClean(c)) {
            return null;
        }
        return SnapshotFacts.foreignKeyViolations(c);
    }

    private static boolean applies(Connection c) throws SQLException {
        if (!declaredAsBuilt(c, "tasks") || !declaredAsBuilt(c, "thought_records")) {
            return false;
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT 1 FROM tasks LIMIT " + (MAX_TASKS + 1) + ")")) {
            return rs.next() && rs.getLong(1) <= MAX_TASKS;
        }
    }

    /** Whether {@code PRAGMA foreign_key_check} finds nothing in any table but {@code thought_records}. */
    static boolean otherTablesClean(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'thought_records'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String table : tables) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("PRAGMA foreign_key_check(\"" + table.replace("\"", "\"\"") + "\")")) {
                if (rs.next()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Reads what the walk will look task ids up in, on the walk's connection and in its read
     * transaction; the returned walk never resolves when the shortcut does not apply to this file,
     * or when reading the tasks fails (that is the foreign-key check's to report, not the chain's).
     */
    static Walk prepare(Connection c) {
        try {
            if (!declaredAsBuilt(c, "tasks") || !declaredAsBuilt(c, "thought_records")) {
                return new Walk(null);
            }
            Set<ByteBuffer> ids = new HashSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT id FROM tasks WHERE typeof(id) = 'text' LIMIT " + (MAX_TASKS + 1))) {
                while (rs.next()) {
                    ids.add(ByteBuffer.wrap(rs.getBytes(1)));
                }
            }
            return new Walk(ids.size() > MAX_TASKS ? null : ids);
        } catch (SQLException e) {
            return new Walk(null);
        }
    }

    private static boolean declaredAsBuilt(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = '" + table + "'")) {
            return rs.next() && Schema.createSql(table).equals(rs.getString(1)) && !rs.next();
        }
    }

    /** The task ids of one chain walk, looked up as the walk reads them. */
    static final class Walk implements TaskIdSink {

        private final Set<ByteBuffer> ids;
        private final List<Lookups> ranges = new ArrayList<>();

        private Walk(Set<ByteBuffer> ids) {
            this.ids = ids;
        }

        @Override
        public Range range(long from, long to) {
            Lookups range = new Lookups(ids);
            ranges.add(range);
            return range;
        }

        /**
         * True when every task id the walk handed over names a task; meaningful only after a walk
         * that verified, and so read every record.
         */
        boolean resolved() {
            return ids != null && ranges.stream().allMatch(r -> r.resolved);
        }
    }

    /** One range's lookups, on the thread that walks it. */
    private static final class Lookups implements TaskIdSink.Range {

        private final Set<ByteBuffer> ids;
        private boolean resolved;

        Lookups(Set<ByteBuffer> ids) {
            this.ids = ids;
            this.resolved = ids != null;
        }

        @Override
        public void text(byte[] taskId) {
            if (resolved && taskId != null && !ids.contains(ByteBuffer.wrap(taskId))) {
                resolved = false;
            }
        }

        @Override
        public void unclassified(long position) {
            resolved = false;
        }
    }
}
