package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageFileTest {

    @TempDir
    Path dir;

    private Path database(String name, String... statements) throws SQLException {
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
        return file;
    }

    @Test
    void readsTheHeaderOfAUtf8Database() throws Exception {
        Path file = database("a.db", "PRAGMA page_size = 8192", "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
        try (PageFile pages = PageFile.open(file)) {
            assertEquals(8192, pages.pageSize());
            assertEquals(8192, pages.usableSize());
            assertEquals(Files.size(file) / 8192, pages.pageCount());
            ByteBuffer buffer = ByteBuffer.allocate(3 * 8192);
            assertEquals(2, pages.read(buffer, 1, 3), "only as many pages as the file has");
            assertEquals('S', buffer.get(0));
            IOException e = assertThrows(IOException.class, () -> pages.read(buffer, 3, 1));
            assertEquals("page 3 is outside " + file + " (pages 1 to 2)", e.getMessage());
        }
    }

    @Test
    void refusesAFileThatIsNotASqliteDatabase() throws Exception {
        Path file = Files.write(dir.resolve("x.db"), new byte[4096]);
        IOException e = assertThrows(IOException.class, () -> PageFile.open(file));
        assertEquals(file + " is not a SQLite database (no \"SQLite format 3\" header)", e.getMessage());
    }

    @Test
    void refusesADatabaseWhoseTextIsNotUtf8() throws Exception {
        Path file = database("u.db", "PRAGMA encoding = 'UTF-16le'", "CREATE TABLE t (x)");
        IOException e = assertThrows(IOException.class, () -> PageFile.open(file));
        assertEquals(file + " stores text in encoding 2; only UTF-8 (1) is read directly", e.getMessage());
    }

    @Test
    void refusesAFileShorterThanAHeader() throws Exception {
        Path file = Files.write(dir.resolve("short.db"), "SQLite format 3\0".getBytes());
        IOException e = assertThrows(IOException.class, () -> PageFile.open(file));
        assertEquals(file + " ends at byte 16 where 84 more were expected", e.getMessage());
    }
}
