package dev.colibri.audit;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One contiguous range of positions {@code [from, to)} of the chain, walked on one connection by
 * one thread: positions, links inside the range and every record's HMAC. The link from the record
 * before {@code from} is checked by {@link ChainWalk} once the previous range is done, from
 * {@link Result#firstPrev()}.
 *
 * <p>Reading the rows is the walk's cost (each column fetched is a call into SQLite), so each row
 * comes as two columns: both hashes followed by the three short fields joined by separators, in one
 * value (only when each hash is 32 bytes: {@code octet_length}, which counts a text's bytes where
 * {@code length} counts its characters), and the content. A record that authenticates that way
 * under the position the walk expects is intact: its HMAC covers its position, its link and all its
 * fields. Any record that does not (or whose short fields contain a separator, so that the join
 * cannot be split unambiguously) is read again column by column and judged exactly as the
 * sequential walk judges it, so the reported position and reason never depend on the shortcut. The
 * quick read does not see where a row is stored, so a record moved into the gap it left would pass
 * for the missing one: a problem found with a gap before it in the range sends the whole range to
 * the column-by-column read, which reports the gap. A {@code task_id} that is neither NULL nor text
 * also takes the column-by-column read, so the quick way tells {@link TaskIdSink} the stored class
 * of every task id it hands over.
 *
 * <p>When the walk's transaction pins the database file ({@link RecordPages}), the quick pass
 * reads the rows from the file's pages instead, position by position (each row's rowid is seen, so
 * no gap can hide), and every row that does not authenticate there is read and judged column by
 * column through SQLite as above.
 *
 * <p>A range stops early once a record before it is known to be bad ({@code firstBad}): nothing
 * after the first bad record is reported.
 */
final class ChainSegment {

    private static final Logger LOG = LoggerFactory.getLogger(ChainSegment.class);

    /**
     * What a range established: its first bad position and why (or none), the hash of the record
     * before that position when the range itself read it, whether it read the record at {@code from}
     * and that record's stored {@code prev_hash}, and the hash of its last good record.
     */
    record Result(long badAt, String problem, byte[] hashBeforeBad, boolean firstRead, byte[] firstPrev,
            byte[] lastHash) {

        boolean clean() {
            return problem == null;
        }
    }

    /** The bytes of {@code prev_hash} and {@code hash} at the start of the joined column: 32 each. */
    private static final int HASHES = 64;
    private static final byte FIELD_SEPARATOR = 0x1f;
    private static final byte PRESENT = 0x1e;
    private static final String ROWS = "SELECT CASE WHEN octet_length(prev_hash) = 32 AND octet_length(hash) = 32"
            + " THEN prev_hash || hash || kind || char(31) || created_at || char(31)"
            + " || CASE WHEN task_id IS NULL THEN '' WHEN typeof(task_id) = 'text' THEN char(30) || task_id END END,"
            + " content FROM thought_records NOT INDEXED WHERE position >= ? AND position < ? ORDER BY position";
    private static final String ONE_ROW = "SELECT position, kind, content, task_id, created_at, prev_hash, hash"
            + " FROM thought_records WHERE position >= ? ORDER BY position LIMIT 1";

    private final long from;
    private final long to;
    private final HmacSha256 mac;
    private final AtomicLong firstBad;
    private final Consumer<byte[]> leaves;
    private final TaskIdSink.Range taskIds;
    private final CanonicalRecord.Writer canonical;
    private final RecordPages pages;

    // Where a walk is (reset by each, carried over when a read of the pages hands over to SQLite): the
    // next position expected, the hash it must link to (null at the start of a later range), and
    // whether the record at {@code from} was read, with its stored prev_hash.
    private long expected;
    private byte[] expectedPrev;
    private boolean firstRead;
    private byte[] firstPrev;

    /**
     * @param firstBad the smallest bad position any range has found so far (shared by all ranges;
     *                 {@link Long#MAX_VALUE} while none)
     * @param leaves   receives the hash of every record that passed, in position order
     * @param taskIds  receives the task id of every record that passed, in position order
     * @param mac      and {@code canonical}: the walking thread's own, reused from range to range
     * @param pages    the walking thread's reader of the table's pages, when the database file is
     *                 pinned (null: every row is read through SQLite)
     */
    ChainSegment(long from, long to, HmacSha256 mac, CanonicalRecord.Writer canonical, AtomicLong firstBad,
            Consumer<byte[]> leaves, TaskIdSink.Range taskIds, RecordPages pages) {
        this.pages = pages;
        this.from = from;
        this.to = to;
        this.mac = mac;
        this.canonical = canonical;
        this.firstBad = firstBad;
        this.leaves = leaves;
        this.taskIds = taskIds;
    }

    /** Walks the range; {@code genesis} is the expected {@code prev_hash} of position 0 (only for the first range). */
    Result walk(Connection c, byte[] genesis) throws SQLException {
        start(genesis);
        Result quick = pages == null ? null : walkPages(c);
        if (quick == null) { // no pages to read, or they handed over to SQLite at position `expected`
            quick = walk(c, true);
        }
        if (quick.clean() || !gapBefore(c, quick.badAt())) {
            return quick;
        }
        // The quick read does not see where a row is stored: with a gap before the problem it found, a
        // record moved into that gap passed for the missing one. The first problem is in the gap.
        start(genesis);
        return walk(c, false);
    }

    private void start(byte[] genesis) {
        expected = from;
        expectedPrev = from == 0 ? genesis : null;
        firstRead = false;
        firstPrev = null;
    }

    /** Whether a position in {@code [from, at)} holds no record (a range count: only after a problem). */
    private boolean gapBefore(Connection c, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM thought_records WHERE position >= ? AND position < ?")) {
            ps.setLong(1, from);
            ps.setLong(2, at);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) < at - from;
            }
        }
    }

    /**
     * The walk through SQLite from position {@link #expected} (the range's start, or where a read of
     * the pages handed over); with {@code quick} false every record is read column by column (and
     * judged by where it is stored), and nothing more goes to the sinks, which the quick pass fed
     * already.
     */
    private Result walk(Connection c, boolean quick) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ROWS); PreparedStatement one = c.prepareStatement(ONE_ROW)) {
            ps.setLong(1, expected);
            ps.setLong(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (expected > firstBad.get()) {
                        return moot();
                    }
                    byte[] joined = rs.getBytes(1);
                    if (quick && intact(expected, expectedPrev, joined, rs.getBytes(2))) {
                        passed(Arrays.copyOfRange(joined, 0, HASHES / 2), Arrays.copyOfRange(joined, HASHES / 2, HASHES),
                                true);
                    } else {
                        Result stop = readExactly(one, quick);
                        if (stop != null) {
                            return stop;
                        }
                    }
                }
            }
        }
        if (expected < to) {
            return bad(expected, "record " + expected + " is missing (the next stored position is " + next(c, to) + ")",
                    expectedPrev, firstRead, firstPrev);
        }
        return walkedToTheEnd();
    }

    /**
     * The quick pass over the pinned pages ({@link RecordPages}): each position in turn, from the row
     * the pages hold at it when that row authenticates, otherwise read column by column through
     * SQLite and judged exactly as {@link #walk(Connection, boolean)} judges it, so a row the pages
     * show differently from SQLite costs time, never a verdict. Null when the pages cannot be read
     * past some position (a malformed page, an I/O error; logged): the walk through SQLite then goes
     * on from there.
     */
    private Result walkPages(Connection c) throws SQLException {
        try (PreparedStatement one = c.prepareStatement(ONE_ROW)) {
            boolean row;
            try {
                pages.seek(from);
                row = pages.next();
            } catch (IOException e) {
                return handOver(e);
            }
            while (expected < to) {
                if (expected > firstBad.get()) {
                    return moot();
                }
                boolean authentic;
                try {
                    authentic = row && pages.rowid() == expected && pages.authentic(expected, expectedPrev, mac, canonical);
                } catch (IOException e) {
                    return handOver(e);
                }
                if (authentic) {
                    taskIds.text(pages.taskId());
                    passed(pages.prev(), pages.hash(), true);
                } else {
                    Result stop = readExactly(one, true);
                    if (stop != null) {
                        return stop;
                    }
                }
                try {
                    while (row && pages.rowid() < expected) {
                        row = pages.next();
                    }
                } catch (IOException e) {
                    return handOver(e);
                }
            }
        }
        return walkedToTheEnd();
    }

    private Result handOver(IOException e) {
        LOG.warn("audit chain walk: reading positions {} to {} through SQLite: {}", expected, to - 1, e.getMessage());
        return null;
    }

    /**
     * The record at {@link #expected} read column by column and judged: null when it is sound (the
     * walk has moved past it, feeding the sinks if {@code feed}), otherwise the range's result.
     */
    private Result readExactly(PreparedStatement one, boolean feed) throws SQLException {
        Stored row = Stored.read(one, expected);
        String problem = judge(row, expected, expectedPrev);
        if (expected == from && expectedPrev == null && row != null && row.position() == expected) {
            firstRead = true;
            firstPrev = row.prev();
        }
        if (problem != null) {
            return bad(expected, problem, expectedPrev, firstRead, firstPrev);
        }
        if (feed) {
            taskIds.unclassified(expected);
        }
        passed(row.prev(), row.hash(), feed);
        return null;
    }

    /** Moves past a sound record. */
    private void passed(byte[] prev, byte[] hash, boolean feed) {
        if (expected == from && expectedPrev == null) {
            firstRead = true;
            firstPrev = prev; // linked to the previous range by ChainWalk
        }
        if (feed) {
            leaves.accept(hash);
        }
        expectedPrev = hash;
        expected++;
    }

    /** The range walked to its end with no problem. */
    private Result walkedToTheEnd() {
        return new Result(Long.MAX_VALUE, null, null, firstRead, firstPrev, expectedPrev);
    }

    private Result moot() {
        return new Result(Long.MAX_VALUE, null, null, firstRead, firstPrev, null); // never consulted
    }

    /**
     * Whether a row read the quick way authenticates as the record at {@code position}; if it does,
     * its task id (text, or none) goes to {@link #taskIds}.
     */
    private boolean intact(long position, byte[] expectedPrev, byte[] joined, byte[] content) {
        if (joined == null || joined.length < HASHES + 2 || content == null) { // 2: the separators at least
            return false;
        }
        if (expectedPrev != null && !Arrays.equals(joined, 0, HASHES / 2, expectedPrev, 0, expectedPrev.length)) {
            return false;
        }
        int first = indexOf(joined, HASHES);
        int second = first < 0 ? -1 : indexOf(joined, first + 1);
        if (second < 0 || indexOf(joined, second + 1) >= 0) {
            return false; // not exactly two separators: let the column-by-column read decide
        }
        byte[] taskId = null;
        if (second + 1 < joined.length) {
            if (joined[second + 1] != PRESENT) {
                return false;
            }
            taskId = Arrays.copyOfRange(joined, second + 2, joined.length);
        }
        int n = canonical.encode(position, Arrays.copyOfRange(joined, HASHES, first), content, taskId,
                Arrays.copyOfRange(joined, first + 1, second));
        mac.update(joined, 0, HASHES / 2);
        mac.update(canonical.buffer(), 0, n);
        if (!Arrays.equals(joined, HASHES / 2, HASHES, mac.doFinal(), 0, HmacSha256.LENGTH)) {
            return false;
        }
        taskIds.text(taskId);
        return true;
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == FIELD_SEPARATOR) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The sequential walk's verdict on the first stored record at or after {@code expected}: a gap,
     * a broken link (unless this is the first record of a later range, linked by ChainWalk), a
     * missing hash or one that does not authenticate; null when the record is sound.
     */
    private String judge(Stored row, long expected, byte[] expectedPrev) {
        if (row == null || row.position() != expected) {
            // row == null: the record read a moment ago is gone, which a read transaction rules out
            return "record " + expected + " is missing (the next stored position is "
                    + (row == null ? "none" : row.position()) + ")";
        }
        long position = row.position();
        if (expectedPrev != null && (row.prev() == null || !AuditKey.same(row.prev(), expectedPrev))) {
            return "prev_hash of record " + position + " does not equal the hash of record " + (position - 1);
        }
        if (row.hash() == null || row.prev() == null || !authentic(row)) {
            return "hash of record " + position + " does not authenticate its content (edited, reordered or forged)";
        }
        return null;
    }

    private boolean authentic(Stored row) {
        // The stored UTF-8 bytes are what append() hashed (it encodes the same strings to UTF-8).
        int n = canonical.encode(row.position(), row.kind(), row.content(), row.taskId(), row.createdAt());
        mac.update(row.prev());
        mac.update(canonical.buffer(), 0, n);
        return AuditKey.same(row.hash(), mac.doFinal());
    }

    private Result bad(long position, String problem, byte[] hashBefore, boolean firstRead, byte[] firstPrev) {
        firstBad.accumulateAndGet(position, Math::min);
        return new Result(position, problem, hashBefore, firstRead, firstPrev, null);
    }

    /** The first stored position at or after {@code at} (where a gap at the end of this range ends). */
    private static long next(Connection c, long at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT position FROM thought_records WHERE position >= ? ORDER BY position LIMIT 1")) {
            ps.setLong(1, at);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : at;
            }
        }
    }

    /** A record read column by column, its text fields as their stored UTF-8 bytes. */
    private record Stored(long position, byte[] kind, byte[] content, byte[] taskId, byte[] createdAt, byte[] prev,
            byte[] hash) {

        /** The first stored record at or after {@code position}, or null. */
        static Stored read(PreparedStatement one, long position) throws SQLException {
            one.setLong(1, position);
            try (ResultSet rs = one.executeQuery()) {
                return rs.next() ? new Stored(rs.getLong(1), rs.getBytes(2), rs.getBytes(3), rs.getBytes(4),
                        rs.getBytes(5), rs.getBytes(6), rs.getBytes(7)) : null;
            }
        }
    }
}
