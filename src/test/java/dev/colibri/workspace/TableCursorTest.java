package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableCursorTest {

    @TempDir
    Path dir;

    /** A row as SQLite returns it: rowid, a text, a blob or NULL, an integer. */
    private record Row(long id, String text, byte[] blob, Long number) {
    }

    /**
     * A table of {@code n} rows over several levels of b-tree, some with records larger than a page
     * (overflow chains), every third rowid skipped and a few rows deleted; returns what SQLite reads.
     */
    private List<Row> table(Path file, int n) throws SQLException {
        Random random = new Random(42);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT, blob BLOB, number INTEGER)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    ps.setLong(1, i * 3L + 1);
                    int size = i % 97 == 0 ? 5_000 + random.nextInt(20_000) : random.nextInt(600);
                    ps.setString(2, "é".repeat(size / 2) + i);
                    byte[] blob = new byte[i % 5 == 0 ? 0 : random.nextInt(64)];
                    random.nextBytes(blob);
                    ps.setBytes(3, i % 7 == 0 ? null : blob);
                    ps.setLong(4, random.nextLong() >> random.nextInt(63));
                    ps.executeUpdate();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM t WHERE id % 101 = 0");
            }
            c.commit();
            List<Row> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM t ORDER BY id")) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getLong(4)));
                }
            }
            return rows;
        }
    }

    private static long root(Path file, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT rootpage FROM sqlite_schema WHERE name = '" + table + "'")) {
            return rs.getLong(1);
        }
    }

    private static Row read(TableCursor cursor) throws IOException {
        long[] types = new long[4];
        int[] offsets = new int[4];
        int[] lengths = new int[4];
        assertEquals(4, cursor.columns(types, offsets, lengths));
        byte[] b = cursor.bytes();
        assertEquals(0, types[0], "the rowid alias is stored as NULL");
        String text = new String(b, offsets[1], lengths[1], StandardCharsets.UTF_8);
        byte[] blob = types[2] == 0 ? null : Arrays.copyOfRange(b, offsets[2], offsets[2] + lengths[2]);
        long number = 0;
        for (int i = 0; i < lengths[3]; i++) {
            number = (number << 8) | (b[offsets[3] + i] & 0xff);
        }
        if (lengths[3] > 0 && lengths[3] < 8 && b[offsets[3]] < 0) {
            number -= 1L << (8 * lengths[3]); // big-endian two's complement of 1 to 6 bytes
        }
        if (types[3] == 8 || types[3] == 9) {
            number = types[3] - 8;
        }
        return new Row(cursor.rowid(), text, blob, number);
    }

    /** The cursor's next rows are {@code rows}, column for column. */
    private static void assertRows(List<Row> rows, TableCursor cursor, String context) throws IOException {
        for (Row expected : rows) {
            assertTrue(cursor.next(), "a row for rowid " + expected.id() + ", " + context);
            assertSame(expected, read(cursor));
        }
    }

    private static void assertSame(Row expected, Row actual) {
        assertEquals(expected.id(), actual.id());
        assertEquals(expected.text(), actual.text(), "text of rowid " + expected.id());
        assertArrayEquals(expected.blob(), actual.blob(), "blob of rowid " + expected.id());
        assertEquals(expected.number(), actual.number(), "integer of rowid " + expected.id());
    }

    @Test
    void readsEveryRowAsSqliteDoesInRowidOrderOverflowChainsIncluded() throws Exception {
        Path file = dir.resolve("t.db");
        List<Row> rows = table(file, 6_000);
        try (PageFile pages = PageFile.open(file)) {
            TableCursor cursor = new TableCursor(pages, root(file, "t"));
            assertRows(rows, cursor, "from the start");
            assertFalse(cursor.next());
            assertFalse(cursor.next(), "still at the end");
        }
    }

    @Test
    void seekStartsAtTheFirstRowidAtOrAfterTheOneAsked() throws Exception {
        Path file = dir.resolve("t.db");
        List<Row> rows = table(file, 6_000);
        try (PageFile pages = PageFile.open(file)) {
            TableCursor cursor = new TableCursor(pages, root(file, "t"));
            for (long from : new long[] {Long.MIN_VALUE, 0, 1, 2, 303, 304, 9_000, 17_998, 17_999, 18_000, 99_999}) {
                cursor.seek(from);
                List<Row> after = rows.stream().filter(r -> r.id() >= from).limit(50).toList();
                assertRows(after, cursor, "from " + from);
                if (after.size() < 50) {
                    assertFalse(cursor.next(), "nothing after the last row, from " + from);
                }
            }
        }
    }

    @Test
    void anEmptyTableHasNoRows() throws Exception {
        Path file = dir.resolve("t.db");
        table(file, 0);
        try (PageFile pages = PageFile.open(file)) {
            TableCursor cursor = new TableCursor(pages, root(file, "t"));
            assertFalse(cursor.next());
            cursor.seek(5);
            assertFalse(cursor.next());
        }
    }

    @Test
    void aPageOfTheWrongKindIsReportedWithItsNumberNotRead() throws Exception {
        Path file = dir.resolve("t.db");
        table(file, 10);
        try (PageFile pages = PageFile.open(file)) {
            TableCursor cursor = new TableCursor(pages, 1); // sqlite_schema's root is a table: fine
            assertTrue(cursor.next());
        }
        long root = root(file, "t");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek((root - 1) * 4096);
            raf.write(0x0a); // an index leaf
        }
        try (PageFile pages = PageFile.open(file)) {
            IOException e = assertThrows(IOException.class, () -> new TableCursor(pages, root).next());
            assertEquals("page " + root + " of " + file + " (table rooted at page " + root
                    + ") is neither a table leaf nor an interior table page (type 10)", e.getMessage());
        }
    }

    @Test
    void rowidsThatDoNotIncreaseAreReportedNotReturned() throws Exception {
        Path file = dir.resolve("t.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT, blob BLOB, number INTEGER)");
            s.execute("INSERT INTO t VALUES (1, 'a', NULL, 1), (4, 'b', NULL, 2), (7, 'c', NULL, 3)"); // one leaf
        }
        long root = root(file, "t");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] pointers = new byte[4];
            raf.seek((root - 1) * 4096 + 8);
            raf.readFully(pointers);
            raf.seek((root - 1) * 4096 + 8); // swap the first two cell pointers
            raf.write(new byte[] {pointers[2], pointers[3], pointers[0], pointers[1]});
        }
        try (PageFile pages = PageFile.open(file)) {
            TableCursor cursor = new TableCursor(pages, root);
            assertTrue(cursor.next());
            assertEquals(4, cursor.rowid());
            IOException e = assertThrows(IOException.class, cursor::next);
            assertEquals("page " + root + " of " + file + " (table rooted at page " + root + ") holds rowid 1 after rowid 4",
                    e.getMessage());
        }
    }

    @Test
    void aRecordSizeBeyondTheLimitIsReportedNotAllocated() throws Exception {
        Path file = dir.resolve("t.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT)");
            s.execute("INSERT INTO t VALUES (1, 'a record of some length')");
        }
        long root = root(file, "t");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek((root - 1) * 4096 + 8);
            int cell = raf.readUnsignedShort();
            raf.seek((root - 1) * 4096 + cell);
            raf.write(new byte[] {(byte) 0xa1, (byte) 0x80, (byte) 0x80, 0x00}); // a payload size of 69,206,016
        }
        try (PageFile pages = PageFile.open(file)) {
            IOException e = assertThrows(IOException.class, () -> new TableCursor(pages, root).next());
            assertTrue(e.getMessage().startsWith("page " + root + " of " + file + " (table rooted at page " + root
                    + ") holds a record of rowid "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" of 69206016 bytes, more than the 67108864 read here"), e.getMessage());
        }
    }

    @Test
    void aChildPointerOutsideTheFileIsReported() throws Exception {
        Path file = dir.resolve("t.db");
        table(file, 2_000);
        long root = root(file, "t");
        long pageCount;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            pageCount = raf.length() / 4096;
            raf.seek((root - 1) * 4096);
            assertEquals(0x05, raf.read(), "the root is an interior page");
            raf.seek((root - 1) * 4096 + 8); // its right-most child
            raf.writeInt(1_000_000);
        }
        try (PageFile pages = PageFile.open(file)) {
            TableCursor cursor = new TableCursor(pages, root);
            IOException e = assertThrows(IOException.class, () -> {
                while (cursor.next()) {
                    // read up to the broken pointer
                }
            });
            assertEquals("page 1000000 is outside " + file + " (pages 1 to " + pageCount + ")", e.getMessage());
        }
    }
}
