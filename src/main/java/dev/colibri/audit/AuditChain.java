package dev.colibri.audit;

import dev.colibri.workspace.Sqlite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;

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
     * <p>A long chain is cut into contiguous ranges of positions, one per processor, each walked by
     * its own thread on its own read-only connection to the same file (reading the rows costs more
     * than hashing them, so both have to be spread). Every record's HMAC depends only on its own
     * stored {@code prev_hash}, which the link check ties to the record before it, so the ranges are
     * independent except for the link across each boundary, checked here once both sides are read.
     * The result is exactly what a sequential walk reports: the first bad position and its reason.
     * The chain's end is fixed when the walk starts: records appended meanwhile are not walked.
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
        long end = end(c);
        Path file = fileOf(c);
        int ranges = file == null ? 1 : (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(),
                end / MIN_RANGE_RECORDS));
        return verify(c, ranges, leaves, taskIds);
    }

    /** Records below which a range is not worth a thread and a connection of its own. */
    static final long MIN_RANGE_RECORDS = 50_000;

    /** {@link #verify(Connection)} with the chain cut into {@code ranges} ranges (tests use this directly). */
    ChainVerification verify(Connection c, int ranges) throws SQLException {
        return verify(c, ranges, LeafSink.NONE, TaskIdSink.NONE);
    }

    ChainVerification verify(Connection c, int ranges, LeafSink leaves, TaskIdSink taskIds) throws SQLException {
        long first = first(c);
        if (first < 0) { // the ranges start at 0: a record stored below it would never be read
            return broken(c, GENESIS, 0, "unexpected position " + first + " where 0 was expected");
        }
        long end = end(c);
        AtomicLong firstBad = new AtomicLong(Long.MAX_VALUE);
        long[] bounds = new long[ranges + 1];
        for (int i = 0; i <= ranges; i++) {
            bounds[i] = end * i / ranges;
        }
        List<ChainSegment> segments = new ArrayList<>();
        for (int i = 0; i < ranges; i++) {
            segments.add(new ChainSegment(bounds[i], bounds[i + 1], key.newMac(), firstBad,
                    leaves.range(bounds[i], bounds[i + 1]), taskIds.range(bounds[i], bounds[i + 1])));
        }
        List<FutureTask<ChainSegment.Result>> others = new ArrayList<>();
        Path file = ranges > 1 ? fileOf(c) : null;
        for (int i = 1; i < ranges; i++) {
            ChainSegment segment = segments.get(i);
            FutureTask<ChainSegment.Result> task = new FutureTask<>(() -> {
                try (Connection own = Sqlite.openReadOnly(file)) {
                    return segment.walk(own, GENESIS);
                }
            });
            Thread t = new Thread(task, "colibri-chain-" + i);
            t.setDaemon(true);
            t.start();
            others.add(task);
        }
        List<ChainSegment.Result> results = new ArrayList<>();
        SQLException failure = null;
        try {
            results.add(segments.get(0).walk(c, GENESIS));
        } catch (SQLException | RuntimeException e) {
            firstBad.set(-1); // stop the others
            throw e;
        } finally {
            for (FutureTask<ChainSegment.Result> task : others) {
                try {
                    results.add(task.get());
                } catch (ExecutionException e) {
                    firstBad.accumulateAndGet(-1, Math::min);
                    results.add(null);
                    if (failure == null) {
                        failure = e.getCause() instanceof SQLException se ? se
                                : new SQLException("cannot verify the audit chain: " + e.getCause().getMessage(),
                                        e.getCause());
                    }
                } catch (InterruptedException e) {
                    firstBad.set(-1); // stop the other ranges: nobody will wait for them
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while verifying the audit chain", e);
                }
            }
        }
        return join(c, bounds, results, failure);
    }

    /** Links the ranges in order: the first problem wins, a link across a boundary before the range's own. */
    private static ChainVerification join(Connection c, long[] bounds, List<ChainSegment.Result> results,
            SQLException failure) throws SQLException {
        byte[] before = GENESIS;
        for (int i = 0; i < results.size(); i++) {
            ChainSegment.Result r = results.get(i);
            if (r == null) {
                throw failure; // this range could not be read, and nothing before it was bad
            }
            long from = bounds[i];
            if (i > 0 && r.firstRead() && (r.firstPrev() == null || !AuditKey.same(r.firstPrev(), before))) {
                return broken(c, before, from, "prev_hash of record " + from + " does not equal the hash of record "
                        + (from - 1));
            }
            if (!r.clean()) {
                return broken(c, r.hashBeforeBad() != null ? r.hashBeforeBad() : before, r.badAt(), r.problem());
            }
            before = r.lastHash() != null ? r.lastHash() : before;
        }
        return new ChainVerification(true, bounds[bounds.length - 1], HEX.formatHex(before), null, null);
    }

    private static ChainVerification broken(Connection c, byte[] headHash, long at, String problem)
            throws SQLException {
        return new ChainVerification(false, count(c), HEX.formatHex(headHash), at, problem);
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
