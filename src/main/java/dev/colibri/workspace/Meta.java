package dev.colibri.workspace;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Key/value facts about a workspace kept in its {@code meta} table (workspace id, key id, current round). */
public final class Meta {

    public static final String WORKSPACE_ID = "workspace_id";
    public static final String KEY_ID = "audit_key_id";
    public static final String CREATED_AT = "created_at";
    public static final String CURRENT_ROUND = "current_round";
    public static final String PENDING_RESTORE = "pending_restore";
    public static final String RESTORE_ANCHOR_SEQ = "restore_anchor_seq";

    private Meta() {
    }

    public static Optional<String> get(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public static void put(Connection c, String key, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, key);
            ps.setString(2, value);
            ps.executeUpdate();
        }
    }

    public static void remove(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM meta WHERE key = ?")) {
            ps.setString(1, key);
            ps.executeUpdate();
        }
    }
}
