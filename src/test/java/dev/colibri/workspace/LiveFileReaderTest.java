package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveFileReaderTest {

    @TempDir
    Path dir;

    private static Path database(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x)");
            s.execute("INSERT INTO t VALUES (1)");
        }
        return file;
    }

    @Test
    void theReaderIsOpenedOnceAndRefusedOnceClosed() throws Exception {
        Path file = database(dir.resolve("live.db"));
        LiveFileReader reader = new LiveFileReader(file);

        PageFile first = reader.pages();

        assertSame(first, reader.pages());
        assertEquals(2, first.pageCount());
        reader.close();
        IOException refused = assertThrows(IOException.class, reader::pages);
        assertEquals("the page reader of " + file + " is closed with its database", refused.getMessage());
    }

    /** A new live database's first pages may still be in its WAL: the reader is asked again later. */
    @Test
    void aFileNotYetReadableIsRefusedWithItsNameAndReadOnceItIs() throws Exception {
        Path file = Files.createFile(dir.resolve("live.db"));
        LiveFileReader reader = new LiveFileReader(file);

        IOException refused = assertThrows(IOException.class, reader::pages);

        assertEquals(file + " ends at byte 0 where 100 more were expected", refused.getMessage());
        database(file);
        assertEquals(2, reader.pages().pageCount());
        reader.close();
    }

    /** An interrupted caller must not close the channel (as FileChannel I/O on an interrupted thread would). */
    @Test
    void anInterruptedCallerGetsAnOpenReaderAndKeepsItsInterrupt() throws Exception {
        LiveFileReader reader = new LiveFileReader(database(dir.resolve("live.db")));

        Thread.currentThread().interrupt();
        PageFile pages;
        try {
            pages = reader.pages();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt was swallowed");
        } finally {
            Thread.interrupted();
        }

        assertEquals(2, pages.pageCount());
        reader.close();
    }
}
