package dev.colibri.audit;

import dev.colibri.workspace.PageFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The HMAC-linked chain of thought records: appending a link and walking the chain to prove it.
 * Works on a connection the caller provides, so appends join the caller's transaction and
 * verification works the same on the live database and on a snapshot.
 */
public final class AuditChain {

    /** The {@code prev_hash} of position 0; shared in this package, never written (outside it: {@link #genesis()}). */
    static final byte[] GENESIS = new byte[32];

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
     * <p>A long chain is cut into chunks of positions walked by one thread per processor, each on its
     * own read-only connection to the same file (reading the rows costs more than hashing them, so
     * both have to be spread): see {@link ChainWalk}. When {@code c}'s read transaction pins a
     * snapshot's file, the records are read from its pages ({@link RecordPages}; a live WAL database
     * through {@link #verify(Connection, PageFile)}). The result is exactly what a sequential walk
     * reports: the first bad position and its reason. The chain's end is fixed when the walk starts:
     * records appended meanwhile are not walked.
     */
    public ChainVerification verify(Connection c) throws SQLException {
        return verify(c, LeafSink.NONE);
    }

    /** {@link #verify(Connection)}, handing every record's hash to {@code leaves} as it is read. */
    public ChainVerification verify(Connection c, LeafSink leaves) throws SQLException {
        return verify(c, leaves, TaskIdSink.NONE);
    }

    /**
     * {@link #verify(Connection)}, handing every record's hash to {@code leaves} and its task id to
     * {@code taskIds} as it is read.
     */
    public ChainVerification verify(Connection c, LeafSink leaves, TaskIdSink taskIds) throws SQLException {
        return walk(c, leaves, taskIds).finishOnEveryCore();
    }

    /**
     * Sets up a walk of the chain as it ends now, for the caller to {@link ChainWalk#finish finish}
     * on {@code c} and for other threads to {@link ChainWalk#help help} with meanwhile. A chain of
     * fewer than {@link #MIN_RANGE_RECORDS} records is one chunk, walked by whoever claims it first.
     */
    public ChainWalk walk(Connection c, LeafSink leaves, TaskIdSink taskIds) throws SQLException {
        return walk(c, leaves, taskIds, null);
    }

    /**
     * {@link #verify(Connection)} of a WAL database whose file {@code livePages} reads, a reader
     * the caller keeps open for as long as this process holds connections to the file
     * ({@link dev.colibri.workspace.Database#pages()}): when {@code c}'s transaction began with an
     * empty log, the records are read through it (see {@link RecordPages}).
     */
    public ChainVerification verify(Connection c, PageFile livePages) throws SQLException {
        return walk(c, LeafSink.NONE, TaskIdSink.NONE, livePages).finishOnEveryCore();
    }

    ChainWalk walk(Connection c, LeafSink leaves, TaskIdSink taskIds, PageFile livePages) throws SQLException {
        long end = end(c);
        Path file = fileOf(c);
        return walk(c, file, file == null ? evenly(end, 1) : chunks(end), leaves, taskIds, livePages);
    }

    /** The walk of {@code bounds}' chunks, reading the file's pages if {@code c}'s transaction pins it. */
    private ChainWalk walk(Connection c, Path file, long[] bounds, LeafSink leaves, TaskIdSink taskIds,
            PageFile livePages) throws SQLException {
        long first = first(c);
        RecordPages.Source pages = RecordPages.pin(c, file, livePages);
        try {
            return new ChainWalk(c, file, key, first, bounds, leaves, taskIds, pages);
        } catch (RuntimeException | Error e) { // a sink refused its ranges: the walk never starts
            ChainWalk.closePages(pages);
            throw e;
        }
    }

    /** Records below which a chunk is not worth a thread and a connection of its own. */
    static final long MIN_RANGE_RECORDS = 50_000;

    /**
     * The records of a chunk of a long chain (about 0.05 s of walking here): small enough that the
     * last chunks split evenly over whoever is free, large enough that the statements each prepares
     * cost nothing.
     */
    static final long CHUNK_RECORDS = 25_000;

    /**
     * The first chunks of a long chain are short ({@value #WARM_UP_RECORDS} records, one for each of
     * up to {@value #WARM_UP_CHUNKS} threads): every walking thread then reaches the end of a chunk
     * and starts the next one while the JIT is still profiling the walk. A walk whose first chunk
     * ends only after it was compiled met that path for the first time in compiled code, which the
     * JVM then threw away and compiled again (0.05-0.1 s of a 1.6 s walk in a fresh JVM).
     */
    static final long WARM_UP_RECORDS = 2_000;

    static final int WARM_UP_CHUNKS = 4;

    /** Where the chunks of a chain ending at {@code end} start: see the constants above. */
    static long[] chunks(long end) {
        if (end < 2 * MIN_RANGE_RECORDS) {
            return evenly(end, 1);
        }
        long warm = WARM_UP_CHUNKS * WARM_UP_RECORDS;
        int rest = (int) Math.max(2, (end - warm) / CHUNK_RECORDS);
        long[] bounds = new long[WARM_UP_CHUNKS + rest + 1];
        for (int i = 0; i <= WARM_UP_CHUNKS; i++) {
            bounds[i] = i * WARM_UP_RECORDS;
        }
        for (int i = 1; i <= rest; i++) {
            bounds[WARM_UP_CHUNKS + i] = warm + (end - warm) * i / rest;
        }
        return bounds;
    }

    /** {@code n} chunks of (nearly) equal length from 0 to {@code end}. */
    static long[] evenly(long end, int n) {
        long[] bounds = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            bounds[i] = end * i / n;
        }
        return bounds;
    }

    /** {@link #verify(Connection)} cut into {@code ranges} chunks, each on its own thread (tests use this directly). */
    ChainVerification verify(Connection c, int ranges) throws SQLException {
        return verify(c, ranges, LeafSink.NONE, TaskIdSink.NONE);
    }

    ChainVerification verify(Connection c, int ranges, LeafSink leaves, TaskIdSink taskIds) throws SQLException {
        return walk(c, ranges, leaves, taskIds).finish(ranges - 1);
    }

    /** {@link #walk(Connection, LeafSink, TaskIdSink)} cut into {@code chunks} chunks (tests use this directly). */
    ChainWalk walk(Connection c, int chunks, LeafSink leaves, TaskIdSink taskIds) throws SQLException {
        return walk(c, chunks, leaves, taskIds, null);
    }

    /** {@link #walk(Connection, int, LeafSink, TaskIdSink)} with a live file's reader (tests use this directly). */
    ChainWalk walk(Connection c, int chunks, LeafSink leaves, TaskIdSink taskIds, PageFile livePages)
            throws SQLException {
        return walk(c, fileOf(c), evenly(end(c), chunks), leaves, taskIds, livePages);
    }

    /** The smallest stored position, or 0 when there is none (from the rowid b-tree: O(log n)). */
    private static long first(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MIN(position), 0) FROM thought_records")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** One past the last stored position (from the rowid b-tree: O(log n)). */
    private static long end(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(position) + 1, 0) FROM thought_records")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The file behind a connection, or null for an in-memory database. */
    private static Path fileOf(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA database_list")) {
            while (rs.next()) {
                if ("main".equals(rs.getString(2))) {
                    String file = rs.getString(3);
                    return file == null || file.isEmpty() ? null : Path.of(file);
                }
            }
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

    private static byte[] mac(HmacSha256 mac, byte[] prev, byte[] canonical) {
        mac.update(prev);
        return mac.doFinal(canonical);
    }
}
