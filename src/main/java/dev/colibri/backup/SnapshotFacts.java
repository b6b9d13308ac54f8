package dev.colibri.backup;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.ThoughtRecord;
import dev.colibri.merkle.MerkleLog;
import dev.colibri.merkle.TreeHead;
import dev.colibri.workspace.Meta;
import dev.colibri.workspace.Schema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a database file holds, read through one connection: the facts a manifest records. */
record SnapshotFacts(int schemaVersion, String workspaceId, String auditKeyId, long chainLength, String chainHead,
        long merkleSize, String merkleRoot) {

    static SnapshotFacts read(Connection c) throws SQLException {
        Optional<ThoughtRecord> head = AuditChain.head(c);
        Optional<TreeHead> tree = MerkleLog.latestHead(c);
        return new SnapshotFacts(Schema.version(c), Meta.get(c, Meta.WORKSPACE_ID).orElse(null),
                Meta.get(c, Meta.KEY_ID).orElse(null), AuditChain.count(c),
                head.map(ThoughtRecord::hash).orElse("0".repeat(64)), tree.map(TreeHead::size).orElse(0L),
                tree.map(TreeHead::root).orElse(null));
    }

    /** {@code PRAGMA integrity_check}: the single row "ok", or the first problems SQLite lists. */
    static String integrityCheck(Connection c) throws SQLException {
        return pragmaRows(c, "PRAGMA integrity_check(20)");
    }

    /** {@code PRAGMA foreign_key_check}: empty when no row violates a foreign key. */
    static List<String> foreignKeyViolations(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA foreign_key_check")) {
            while (rs.next() && rows.size() < 20) {
                rows.add(rs.getString(1) + " rowid " + rs.getLong(2) + " -> " + rs.getString(3));
            }
        }
        return rows;
    }

    /** Row counts of the load-bearing tables; a missing table maps to -1. */
    static Map<String, Long> loadBearingCounts(Connection c) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : Schema.LOAD_BEARING_TABLES) {
            boolean present;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '"
                            + table + "'")) {
                present = rs.next() && rs.getLong(1) == 1;
            }
            if (!present) {
                counts.put(table, -1L);
                continue;
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                counts.put(table, rs.next() ? rs.getLong(1) : -1L);
            }
        }
        return counts;
    }

    private static String pragmaRows(Connection c, String sql) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                if (out.length() > 0) {
                    out.append("; ");
                }
                out.append(rs.getString(1));
            }
        }
        return out.length() == 0 ? "no result" : out.toString();
    }
}
