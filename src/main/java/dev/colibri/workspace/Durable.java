package dev.colibri.workspace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file writes: a temporary file in the same directory, fsynced, renamed into place,
 * then the directory fsynced, so that after a crash a reader sees the old state or the new one.
 */
public final class Durable {

    /** Prefix of every temporary file Colibri writes; stale ones are removed at the next start. */
    public static final String TEMP_PREFIX = ".colibri-tmp-";

    private Durable() {
    }

    /** Writes {@code content} to {@code target} atomically, replacing any previous version. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = tempSibling(target);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.wrap(content));
                ch.force(true);
            }
            moveAtomically(temp, target, true);
        } finally {
            Files.deleteIfExists(temp);
        }
        fsyncDirectory(target.getParent());
    }

    /** A fresh temporary name beside {@code target}, recognisable by {@link #TEMP_PREFIX}. */
    public static Path tempSibling(Path target) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + System.nanoTime());
    }

    /**
     * Renames {@code source} to {@code target} atomically.
     *
     * @param replace whether an existing target may be replaced; when false an existing target is
     *                refused with {@link FileAlreadyExistsException}, so nothing is ever overwritten:
     *                the new name is made as a hard link, which the kernel refuses atomically when the
     *                name exists (a rename would silently replace it), then the old name is removed
     */
    public static void moveAtomically(Path source, Path target, boolean replace) throws IOException {
        if (!replace) {
            try {
                Files.createLink(target, source);
                Files.delete(source);
                return;
            } catch (FileAlreadyExistsException e) {
                throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite an existing file");
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    throw e;
                }
                // no hard links on this file system: fall back to check-then-rename
            }
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite an existing file");
            }
        }
        try {
            if (replace) {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + source + " to " + target
                    + " atomically (different file systems?); keep both in one directory", e);
        }
    }

    /** Appends one line and fsyncs the file before returning. */
    public static void appendLine(Path file, String line) throws IOException {
        boolean created = !Files.exists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            writeFully(ch, ByteBuffer.wrap((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            ch.force(true);
        }
        if (created) {
            fsyncDirectory(file.getParent());
        }
    }

    /** Flushes a file's content and metadata to the device. */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Flushes a directory entry table, making a rename or create in it durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open directories for sync; the rename itself already happened.
            if (!(e instanceof java.nio.file.AccessDeniedException)) {
                throw e;
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
