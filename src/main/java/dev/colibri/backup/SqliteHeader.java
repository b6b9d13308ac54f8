package dev.colibri.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The 100-byte SQLite database header, and the one change a snapshot needs in it.
 *
 * <p>Bytes 18 and 19 (file format write and read version) are 2 in a WAL database and 1 in a rollback-journal
 * one. A copy that still says 2 can only be opened by a connection that may create {@code -wal} and
 * {@code -shm} beside it, so a read-only open of the bare file fails. Setting both to 1 makes the snapshot a
 * self-contained file; the first writer to open it can switch it back to WAL.
 */
final class SqliteHeader {

    static final int LENGTH = 100;
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int WRITE_VERSION = 18;
    private static final int READ_VERSION = 19;
    private static final byte ROLLBACK_JOURNAL = 1;
    private static final byte WAL = 2;

    private SqliteHeader() {
    }

    /**
     * Marks the database in {@code file} as rollback-journal mode, in place.
     *
     * @throws IOException if {@code file} does not start with a SQLite 3 header, or the write fails
     */
    static void markRollbackJournal(FileChannel channel, Path file) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(LENGTH);
        while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
            // positional reads until the header is complete or the file ends
        }
        byte[] bytes = header.array();
        requireSqliteHeader(bytes, header.position(), file);
        bytes[WRITE_VERSION] = ROLLBACK_JOURNAL;
        bytes[READ_VERSION] = ROLLBACK_JOURNAL;
        ByteBuffer versions = ByteBuffer.wrap(bytes, WRITE_VERSION, 2);
        try {
            while (versions.hasRemaining()) {
                channel.write(versions, versions.position());
            }
        } catch (IOException e) {
            throw new IOException("Writing the header of " + file + " failed: " + e.getMessage()
                    + "; check free space and permissions in " + file.toAbsolutePath().getParent(), e);
        }
    }

    private static void requireSqliteHeader(byte[] header, int length, Path file) throws IOException {
        if (length < LENGTH || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(file + " does not start with a SQLite 3 header (" + length
                    + " bytes read); refusing to seal it as a snapshot");
        }
        for (int index : new int[] {WRITE_VERSION, READ_VERSION}) {
            if (header[index] != ROLLBACK_JOURNAL && header[index] != WAL) {
                throw new IOException(file + " has file format version " + header[index] + " at header byte " + index
                        + "; only 1 (rollback journal) and 2 (WAL) are known");
            }
        }
    }
}
