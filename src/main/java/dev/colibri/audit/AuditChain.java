package dev.colibri.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;

/**
 * The HMAC-linked chain of thought records: appending a link and walking the chain to prove it.
 * Works on a connection the caller provides, so appends join the caller's transaction and
 * verification works the same on the live database and on a snapshot.
 */
public final class AuditChain {

    /** The {@code prev_hash} of position 0. */
    private static final byte[] GENESIS = new byte[32];

    /** The {@code prev_hash} of position 0: 32 zero bytes (a copy; the constant itself is never handed out). */
    public static byte[] genesis() {
        return GENESIS.clone();
    }

    static final int MAX_KIND_CHARS = 64;
    static final int MAX_CONTENT_BYTES = 1 << 20;
    private static final HexFormat HEX = HexFormat.of();

    private final AuditKey key;
    private final Clock clock;

    public AuditChain(AuditKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /**
     * Appends a record at the end of the chain (inside the caller's write transaction).
     *
     * @throws IllegalArgumentException when kind or content are empty or too large, or task_id names no task
     */
    public ThoughtRecord append(Connection c, String kind, String content, String taskId) throws SQLException {
        validate(c, kind, content, taskId);
        long position = 0;
        byte[] prev = GENESIS;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT position, hash FROM thought_records ORDER BY position DESC LIMIT 1")) {
            if (rs.next()) {
                position = rs.getLong(1) + 1;
                prev = rs.getBytes(2);
            }
        }
        String createdAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        byte[] hash = mac(key.newMac(), prev, CanonicalRecord.encode(position, kind, content, taskId, createdAt));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO thought_records(position, kind, content, task_id,"
                + " created_at, prev_hash, hash) VALUES(?,?,?,?,?,?,?)")) {
            ps.setLong(1, position);
            ps.setString(2, kind);
            ps.setString(3, content);
            ps.setString(4, taskId);
            ps.setString(5, createdAt);
            ps.setBytes(6, prev);
            ps.setBytes(7, hash);
            ps.executeUpdate();
        }
        return new ThoughtRecord(position, kind, content, taskId, createdAt, HEX.formatHex(prev), HEX.formatHex(hash));
    }

    private static void validate(Connection c, String kind, String content, String taskId) throws SQLException {
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("kind must be a non-empty string, e.g. \"decision\"");
        }
        if (kind.length() > MAX_KIND_CHARS) {
            throw new IllegalArgumentException("kind has " + kind.length() + " characters; at most " + MAX_KIND_CHARS);
        }
        if (content == null || content.isEmpty()) {
            throw new IllegalArgumentException("content must be a non-empty string");
        }
        int bytes = content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_CONTENT_BYTES) {
            throw new IllegalArgumentException("content has " + bytes + " bytes; at most " + MAX_CONTENT_BYTES);
        }
        if (taskId != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tasks WHERE id = ?")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("task_id \"" + taskId + "\" names no task; create it with"
                                + " task_upsert first or omit task_id");
                    }
                }
            }
        }
    }

    /**
     * Walks every record in position order in constant memory and reports the first one that does
     * not link to its predecessor or does not authenticate under the key.
     *
     * <p>The walk is a two-stage pipeline: this thread reads the rows (the connection stays on it),
     * checks positions and links and builds each record's canonical bytes, while a second thread
     * computes the HMACs, so that reading and hashing overlap on two cores. Every record's HMAC
     * depends only on its own stored {@code prev_hash}, which the link check ties to the previous
     * record, so the records can be authenticated in any grouping; the stages exchange bounded
     * batches, keeping memory constant. The first bad position is the smaller of the two stages'
     * first findings, exactly as a sequential walk would report it.
     */
    public ChainVerification verify(Connection c) throws SQLException {
        byte[] expectedPrev = GENESIS;
        long expected = 0;
        String problem = null;
        try (Authenticator macs = new Authenticator(key.newMac());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT position, kind, content, task_id, created_at, prev_hash, hash"
                        + " FROM thought_records ORDER BY position")) {
            while (rs.next() && !macs.failed()) {
                long position = rs.getLong(1);
                problem = link(rs, position, expected, expectedPrev);
                if (problem != null) {
                    break;
                }
                byte[] prev = rs.getBytes(6);
                byte[] hash = rs.getBytes(7);
                // The stored UTF-8 bytes are what append() hashed (it encodes the same strings to UTF-8).
                macs.submit(position, prev, hash, rs.getBytes(2), rs.getBytes(3), rs.getBytes(4), rs.getBytes(5));
                expectedPrev = hash;
                expected++;
            }
            Authenticator.Failure bad = macs.finish();
            if (bad != null) { // every record it saw comes before a link problem, if there is one
                return new ChainVerification(false, count(c), HEX.formatHex(bad.prev()), bad.position(),
                        "hash of record " + bad.position()
                                + " does not authenticate its content (edited, reordered or forged)");
            }
        }
        if (problem != null) {
            return new ChainVerification(false, count(c), HEX.formatHex(expectedPrev), expected, problem);
        }
        return new ChainVerification(true, expected, HEX.formatHex(expectedPrev), null, null);
    }

    /** The position and link checks of one row (the HMAC is the authenticator's). */
    private static String link(ResultSet rs, long position, long expected, byte[] expectedPrev) throws SQLException {
        if (position != expected) {
            return position > expected
                    ? "record " + expected + " is missing (the next stored position is " + position + ")"
                    : "unexpected position " + position + " where " + expected + " was expected";
        }
        byte[] prev = rs.getBytes(6);
        if (prev == null || !AuditKey.same(prev, expectedPrev)) {
            return "prev_hash of record " + position + " does not equal the hash of record " + (position - 1);
        }
        if (rs.getBytes(7) == null) {
            return "hash of record " + position + " does not authenticate its content (edited, reordered or forged)";
        }
        return null;
    }

    /** The last record, if any. */
    public static Optional<ThoughtRecord> head(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT position, kind, content, task_id, created_at, prev_hash, hash"
                        + " FROM thought_records ORDER BY position DESC LIMIT 1")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new ThoughtRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), HEX.formatHex(rs.getBytes(6)), HEX.formatHex(rs.getBytes(7))));
        }
    }

    /** Whether the key authenticates the head record (an O(1) start-up check). */
    public boolean authenticatesHead(Connection c) throws SQLException {
        Optional<ThoughtRecord> head = head(c);
        if (head.isEmpty()) {
            return true;
        }
        ThoughtRecord r = head.get();
        byte[] expected = mac(key.newMac(), HEX.parseHex(r.prevHash()),
                CanonicalRecord.encode(r.position(), r.kind(), r.content(), r.taskId(), r.createdAt()));
        return AuditKey.same(expected, HEX.parseHex(r.hash()));
    }

    /** The number of stored records. */
    public static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM thought_records")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static byte[] mac(Mac mac, byte[] prev, byte[] canonical) {
        mac.update(prev);
        return mac.doFinal(canonical);
    }
}
