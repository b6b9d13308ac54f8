package dev.colibri.workspace;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database schema and its migrations. The version lives in {@code PRAGMA user_version}; each
 * migration runs once, in order, inside the boot transaction.
 */
public final class Schema {

    /** Migration {@code i} brings the schema from version {@code i} to {@code i + 1}. */
    private static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE meta (
              key   TEXT PRIMARY KEY,
              value TEXT NOT NULL
            );
            CREATE TABLE tasks (
              id         TEXT PRIMARY KEY,
              title      TEXT,
              status     TEXT NOT NULL CHECK (status IN ('pending','in_progress','blocked','done','cancelled')),
              progress   INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
              created_at TEXT NOT NULL,
              updated_at TEXT NOT NULL
            );
            CREATE TABLE task_deps (
              task_id    TEXT NOT NULL REFERENCES tasks(id),
              depends_on TEXT NOT NULL REFERENCES tasks(id),
              PRIMARY KEY (task_id, depends_on)
            ) WITHOUT ROWID;
            CREATE TABLE thought_records (
              position   INTEGER PRIMARY KEY,
              kind       TEXT NOT NULL,
              content    TEXT NOT NULL,
              task_id    TEXT REFERENCES tasks(id),
              created_at TEXT NOT NULL,
              prev_hash  BLOB NOT NULL,
              hash       BLOB NOT NULL
            );
            CREATE TABLE merkle_nodes (
              level INTEGER NOT NULL,
              idx   INTEGER NOT NULL,
              hash  BLOB NOT NULL,
              PRIMARY KEY (level, idx)
            ) WITHOUT ROWID;
            CREATE TABLE tree_heads (
              size        INTEGER PRIMARY KEY,
              root        BLOB NOT NULL,
              round       TEXT,
              created_at  TEXT NOT NULL,
              anchored_at TEXT
            );
            CREATE TABLE rounds (
              round         TEXT PRIMARY KEY,
              size          INTEGER NOT NULL REFERENCES tree_heads(size),
              sealed_at     TEXT NOT NULL,
              seal_document TEXT NOT NULL
            );
            """,
            // 2: the Merkle recomputation and count(*) read only (position, hash): this index holds
            // them in ~45 bytes a record instead of scanning the whole ~1 KB rows of the table
            """
            CREATE INDEX thought_records_position_hash ON thought_records(position, hash);
            """);

    /** The schema version this build writes. */
    public static final int VERSION = MIGRATIONS.size();

    /** The three tables the runbook calls load-bearing: losing any of them fails a backup. */
    public static final List<String> LOAD_BEARING_TABLES = List.of("tasks", "thought_records", "merkle_nodes");

    private Schema() {
    }

    /** Brings the schema to {@link #VERSION}; refuses a database written by a newer build. */
    static Void migrate(Connection c) throws SQLException {
        int current = version(c);
        if (current > VERSION) {
            throw new DatabaseException("the database has schema version " + current + " but this build knows only up to "
                    + VERSION + "; run a newer Colibri", false, null);
        }
        try (Statement s = c.createStatement()) {
            for (int v = current; v < VERSION; v++) {
                for (String sql : MIGRATIONS.get(v).split(";")) {
                    if (!sql.isBlank()) {
                        s.execute(sql);
                    }
                }
                s.execute("PRAGMA user_version = " + (v + 1));
            }
        }
        return null;
    }

    /**
     * The {@code CREATE TABLE} statement of {@code table} as a database this build migrated stores it
     * in {@code sqlite_schema.sql}, or null when no migration creates that table.
     */
    public static String createSql(String table) {
        String head = "CREATE TABLE " + table + " (";
        for (String migration : MIGRATIONS) {
            for (String sql : migration.split(";")) {
                if (sql.strip().startsWith(head)) {
                    return sql.strip();
                }
            }
        }
        return null;
    }

    /** The schema version recorded in a database. */
    public static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
