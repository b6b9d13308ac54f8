package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {

    @TempDir
    Path dir;

    private static String plan(Connection c, String query) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + query)) {
            while (rs.next()) {
                plan.append(rs.getString("detail")).append('\n');
            }
        }
        return plan.toString();
    }

    private static long scalar(Connection c, String query) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void createSqlIsWhatAMigratedDatabaseStores() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = c.createStatement()) {
            Schema.migrate(c);
            for (String table : List.of("meta", "tasks", "task_deps", "thought_records", "merkle_nodes", "tree_heads",
                    "rounds")) {
                try (ResultSet rs = s.executeQuery("SELECT sql FROM sqlite_schema WHERE name = '" + table + "'")) {
                    assertTrue(rs.next(), table);
                    assertEquals(rs.getString(1), Schema.createSql(table), table);
                }
            }
        }
        assertNull(Schema.createSql("thought"));
        assertNull(Schema.createSql("nothing"));
    }

    @Test
    void versionOneDatabaseGainsTheCoveringIndexAndKeepsItsRecords() throws Exception {
        Path file = dir.resolve("colibri.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            Schema.migrate(c);
            s.execute("DROP INDEX thought_records_position_hash");
            s.execute("PRAGMA user_version = 1");
            s.execute("INSERT INTO thought_records(position, kind, content, created_at, prev_hash, hash)"
                    + " VALUES(0, 'note', 'kept', 'x', zeroblob(32), zeroblob(32))");
            c.commit();
        }

        try (Database db = Database.open(file)) {
            assertEquals(2, db.read(Schema::version));
            assertEquals((Long) 1L, db.read(c -> scalar(c, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                    + " AND name = 'thought_records_position_hash'")));
            assertEquals((Long) 1L, db.read(c -> scalar(c, "SELECT count(*) FROM thought_records WHERE content = 'kept'")));
        }
    }

    @Test
    void merkleScanAndCountReadTheCoveringIndexNotTheRecords() throws Exception {
        try (Database db = Database.open(dir.resolve("colibri.db"))) {
            String recompute = db.read(c -> plan(c, "SELECT hash FROM thought_records ORDER BY position LIMIT 10"));
            String count = db.read(c -> plan(c, "SELECT count(*) FROM thought_records"));

            assertTrue(recompute.contains("USING COVERING INDEX thought_records_position_hash"), recompute);
            assertTrue(count.contains("USING COVERING INDEX thought_records_position_hash"), count);
        }
    }
}
