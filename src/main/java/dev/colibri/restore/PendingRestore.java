package dev.colibri.restore;

import dev.colibri.workspace.Meta;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The note an offline restore leaves in the restored database's meta table ({@code pending_restore})
 * for the next boot to turn into a thought record.
 *
 * @param snapshot    the snapshot restored from
 * @param restoredAt  when (ISO-8601 UTC)
 * @param recordsLost records of the replaced database not in the snapshot; null when unknown
 * @param brokenFile  the moved-aside original, relative to the workspace home; null when there was none
 */
record PendingRestore(String snapshot, String restoredAt, Long recordsLost, String brokenFile) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", snapshot);
        m.put("restored_at", restoredAt);
        m.put("records_lost", recordsLost);
        m.put("broken_file", brokenFile);
        return JSON.writeValueAsString(m);
    }

    /** Stores the note and the anchor floor in one transaction of {@code c}. */
    void write(Connection c, long restoreAnchorSeq) throws SQLException {
        c.setAutoCommit(false);
        try {
            Meta.put(c, Meta.PENDING_RESTORE, toJson());
            Meta.put(c, Meta.RESTORE_ANCHOR_SEQ, Long.toString(restoreAnchorSeq));
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Parses the note; a damaged note raises {@link IllegalArgumentException}. */
    static PendingRestore parse(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the pending restore note is not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject() || !n.path("snapshot").isString()) {
            throw new IllegalArgumentException("the pending restore note names no snapshot");
        }
        JsonNode lost = n.path("records_lost");
        return new PendingRestore(n.path("snapshot").asString(), text(n, "restored_at"),
                lost.isIntegralNumber() ? lost.asLong() : null, text(n, "broken_file"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isString() ? v.asString() : null;
    }

    /** The content of the thought record that makes the restore visible in the audit chain. */
    String recordContent() {
        String lost = recordsLost == null ? "the number of records lost is unknown (the replaced database could not be"
                + " read)"
                : recordsLost > 0 ? recordsLost + " thought record(s) written after that snapshot were lost and are not"
                        + " in this chain"
                : recordsLost == 0 ? "no thought records were lost"
                : "no thought records were lost (the replaced database held " + (-recordsLost)
                        + " fewer records than the snapshot)";
        return "restored the database from snapshot " + snapshot + (restoredAt == null ? "" : " at " + restoredAt)
                + "; " + lost + "; the replaced database is kept as "
                + (brokenFile == null ? "nothing (there was no live database)" : brokenFile);
    }
}
