package dev.colibri.audit;

import dev.colibri.workspace.PageFile;
import dev.colibri.workspace.TableCursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One walking thread's reader of {@code thought_records} straight from the database file's pages
 * ({@link TableCursor}), for the quick pass of the chain walk: about a fifth of the CPU SQLite
 * spends handing the same rows over a column at a time (its b-tree steps, a JNI call per column, a
 * {@code pread} per page).
 *
 * <p>Used only when the file cannot change during the walk ({@link #pin}): the walk's own connection
 * holds a read transaction begun while the write-ahead log was empty. Such a reader reads the
 * database file alone, and while it holds its transaction SQLite copies no page of the log into
 * the file (a checkpoint waits for it), whatever other connections write meanwhile; without a WAL,
 * its shared lock keeps writers out of the file altogether. And only where closing a descriptor of
 * the file cannot drop a lock a writer needs (see {@link #pin}). A record is taken from the pages only
 * if it is stored the way {@link AuditChain#append} writes it (seven columns: the rowid alias as
 * NULL, three texts, a text or NULL, two 32-byte blobs), sits at the position expected, links to
 * the record before it and authenticates under the key: its HMAC covers its position, its link and
 * every field, so a misread row cannot pass. Every other row is judged through SQLite, as before.
 */
final class RecordPages {

    private static final Logger LOG = LoggerFactory.getLogger(RecordPages.class);

    /** The columns of {@code thought_records} as stored: position (the rowid, NULL in the record) and these. */
    private static final int COLUMNS = 7;
    private static final int KIND = 1;
    private static final int CONTENT = 2;
    private static final int TASK_ID = 3;
    private static final int CREATED_AT = 4;
    private static final int PREV = 5;
    private static final int HASH = 6;
    private static final long HASH_BLOB = 12 + 2 * HmacSha256.LENGTH; // SQLite's serial type of a 32-byte BLOB

    /**
     * A pinned database file and the root page of its {@code thought_records} table; {@code owned}
     * when the walk opened the file itself and closes it when done.
     */
    record Source(PageFile file, long root, boolean owned) {
    }

    private final TableCursor cursor;
    private final long[] types = new long[COLUMNS];
    private final int[] offsets = new int[COLUMNS];
    private final int[] lengths = new int[COLUMNS];
    private final int[] fieldAt = new int[4];
    private final int[] fieldLength = new int[4];

    RecordPages(Source source) {
        this.cursor = new TableCursor(source.file(), source.root());
    }

    /**
     * The database file behind {@code c} to read directly, when {@code c}'s read transaction pins it
     * ({@code c} is not in auto-commit mode and has read in its transaction already: the caller's
     * queries) and a descriptor of it can be closed safely; null otherwise, and when the file cannot
     * be read directly (logged): the walk then reads through SQLite.
     *
     * <p>Closing a descriptor drops every POSIX lock the process holds on the file, SQLite's
     * included (see {@code LiveFileCopier}), so the walk opens and closes the file itself only when
     * no writer can need those locks: a rollback-journal database (a snapshot, which nobody writes)
     * with no {@code -journal} beside it. A WAL database (the live one) is read only through
     * {@code shared}, a reader its owner keeps open as long as its connections
     * ({@link dev.colibri.workspace.Database#pages()}), and only when its {@code -wal} is empty now,
     * so that the transaction began with nothing in the log: a transaction begun on a log holding
     * frames keeps a read mark above 0, which stops any checkpoint from resetting or truncating the
     * log until it ends, so an empty log now means the transaction began on an empty one (SQLite's
     * read lock 0, which in turn stops every checkpoint from copying into the file).
     */
    static Source pin(Connection c, Path file, PageFile shared) throws SQLException {
        if (file == null || c.getAutoCommit()) {
            return null;
        }
        boolean wal = "wal".equalsIgnoreCase(query(c, "PRAGMA journal_mode"));
        Path sidecar = file.resolveSibling(file.getFileName() + (wal ? "-wal" : "-journal"));
        try {
            if (wal ? shared == null || !Files.isSameFile(shared.path(), file)
                    || Files.exists(sidecar) && Files.size(sidecar) > 0 : Files.exists(sidecar)) {
                return null;
            }
        } catch (IOException e) {
            return null; // gone between the two calls, or unreadable: let SQLite read
        }
        String root = query(c, "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'thought_records'");
        if (root == null) {
            return null;
        }
        if (wal) {
            return new Source(shared, Long.parseLong(root), false);
        }
        try {
            return new Source(PageFile.open(file), Long.parseLong(root), true);
        } catch (IOException e) {
            LOG.info("reading the audit chain through SQLite: {}", e.getMessage());
            return null;
        }
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    void seek(long from) throws IOException {
        cursor.seek(from);
    }

    boolean next() throws IOException {
        return cursor.next();
    }

    long rowid() {
        return cursor.rowid();
    }

    /**
     * Whether the current row is stored as {@link AuditChain#append} stores a record, links to
     * {@code expectedPrev} (unless null) and authenticates as the record at {@code position}.
     *
     * @throws IOException the row's record is malformed
     */
    boolean authentic(long position, byte[] expectedPrev, HmacSha256 mac, CanonicalRecord.Writer canonical)
            throws IOException {
        if (cursor.columns(types, offsets, lengths) != COLUMNS || types[0] != 0 || !text(KIND) || !text(CONTENT)
                || !(types[TASK_ID] == 0 || text(TASK_ID)) || !text(CREATED_AT) || types[PREV] != HASH_BLOB
                || types[HASH] != HASH_BLOB) {
            return false;
        }
        byte[] row = cursor.bytes();
        if (expectedPrev != null
                && !Arrays.equals(row, offsets[PREV], offsets[PREV] + HmacSha256.LENGTH, expectedPrev, 0, expectedPrev.length)) {
            return false;
        }
        for (int i = 0; i < 4; i++) { // kind, content, task_id, created_at: the canonical order
            fieldAt[i] = offsets[KIND + i];
            fieldLength[i] = types[KIND + i] == 0 ? -1 : lengths[KIND + i];
        }
        int n = canonical.encode(position, row, fieldAt, fieldLength);
        mac.update(row, offsets[PREV], HmacSha256.LENGTH);
        mac.update(canonical.buffer(), 0, n);
        return Arrays.equals(row, offsets[HASH], offsets[HASH] + HmacSha256.LENGTH, mac.doFinal(), 0,
                HmacSha256.LENGTH);
    }

    private boolean text(int column) {
        return types[column] >= 13 && (types[column] & 1) == 1;
    }

    /** The current row's prev_hash, once {@link #authentic} said yes. */
    byte[] prev() {
        return Arrays.copyOfRange(cursor.bytes(), offsets[PREV], offsets[PREV] + HmacSha256.LENGTH);
    }

    /** The current row's hash, once {@link #authentic} said yes. */
    byte[] hash() {
        return Arrays.copyOfRange(cursor.bytes(), offsets[HASH], offsets[HASH] + HmacSha256.LENGTH);
    }

    /** The current row's task id as stored (text), or null for NULL, once {@link #authentic} said yes. */
    byte[] taskId() {
        return types[TASK_ID] == 0 ? null
                : Arrays.copyOfRange(cursor.bytes(), offsets[TASK_ID], offsets[TASK_ID] + lengths[TASK_ID]);
    }
}
