package dev.colibri.workspace;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A SQLite database file opened to read its pages directly (the file format is SQLite's documented
 * and stable on-disk format: https://www.sqlite.org/fileformat2.html), for a scan that SQLite would
 * serve a row at a time through a JNI call per column and a {@code pread} per page. Read-only; the
 * header is checked once, at {@link #open}: a file that is not a SQLite database, or whose text is
 * not stored as UTF-8, is refused, and its reader goes through SQLite instead.
 *
 * <p>What it reads is only meaningful while nobody changes the file: the caller must hold a read
 * transaction that pins it (see {@code AuditChain} for when that holds). Thread-safe: reads are
 * positional on one channel; every {@link TableCursor} has buffers of its own.
 */
public final class PageFile implements Closeable {

    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 100;
    private static final int UTF8 = 1;

    private final Path path;
    private final FileChannel channel;
    private final boolean ownsChannel;
    private final int pageSize;
    private final int usableSize;

    private PageFile(Path path, FileChannel channel, boolean ownsChannel, int pageSize, int usableSize) {
        this.path = path;
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.pageSize = pageSize;
        this.usableSize = usableSize;
    }

    /**
     * Opens {@code file} and checks its header.
     *
     * @throws IOException the file cannot be read, is not a SQLite database, or stores its text in
     *                     another encoding than UTF-8
     */
    public static PageFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return read(file, channel, true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A reader over {@code channel}, a descriptor of {@code file} its caller keeps open and closes
     * itself ({@link #close()} leaves it open): the header is checked now, and a refusal leaves the
     * channel open too.
     *
     * @throws IOException as {@link #open}
     */
    public static PageFile over(FileChannel channel, Path file) throws IOException {
        return read(file, channel, false);
    }

    private static PageFile read(Path file, FileChannel channel, boolean owns) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(channel, header, 0, file);
        byte[] h = header.array();
        if (!Arrays.equals(h, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(file + " is not a SQLite database (no \"SQLite format 3\" header)");
        }
        int raw = ((h[16] & 0xff) << 8) | (h[17] & 0xff);
        int pageSize = raw == 1 ? 65_536 : raw;
        if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
            throw new IOException(file + " has a page size of " + raw + " in its header; SQLite's are 512 to 65536");
        }
        int usable = pageSize - (h[20] & 0xff);
        if (usable < 480) {
            throw new IOException(file + " reserves " + (h[20] & 0xff) + " bytes of each " + pageSize
                    + "-byte page; at most " + (pageSize - 480) + " leave SQLite a usable page");
        }
        int encoding = ((h[56] & 0xff) << 24) | ((h[57] & 0xff) << 16) | ((h[58] & 0xff) << 8) | (h[59] & 0xff);
        if (encoding != UTF8) {
            throw new IOException(file + " stores text in encoding " + encoding + "; only UTF-8 (1) is read directly");
        }
        return new PageFile(file, channel, owns, pageSize, usable);
    }

    public Path path() {
        return path;
    }

    public int pageSize() {
        return pageSize;
    }

    /** The bytes of a page that hold content: the page size less the bytes reserved at its end. */
    public int usableSize() {
        return usableSize;
    }

    /**
     * The number of whole pages in the file now (a file that SQLite writes grows; the page size,
     * reserved bytes and text encoding read at {@link #open} never change once a database exists).
     */
    public long pageCount() throws IOException {
        return channel.size() / pageSize;
    }

    /**
     * Reads {@code pages} whole pages from page number {@code first} (1-based) into {@code into}
     * from its position 0; fewer when the file ends first.
     *
     * @return the number of pages read (at least 1)
     * @throws IOException a read fails, or {@code first} is not a page of the file
     */
    int read(ByteBuffer into, long first, int pages) throws IOException {
        into.clear().limit(pages * pageSize);
        long at = (first - 1) * pageSize;
        while (first >= 1 && into.hasRemaining()) { // the file's end stops the read: no size asked per read
            int n = channel.read(into, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        int read = into.position() / pageSize;
        if (read == 0) {
            throw new IOException("page " + first + " is outside " + path + " (pages 1 to " + pageCount() + ")");
        }
        return read;
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position, Path file) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new EOFException(file + " ends at byte " + at + " where " + into.remaining() + " more were expected");
            }
            at += n;
        }
    }

    /** Closes the channel if {@link #open} opened it; one given to {@link #over} stays open. */
    @Override
    public void close() throws IOException {
        if (ownsChannel) {
            channel.close();
        }
    }
}
