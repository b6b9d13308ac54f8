package dev.colibri.workspace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The single-writer lock of a workspace: an OS file lock on {@code data/colibri.lock} held for the
 * life of the process, with the holder's pid written inside so that a refused process can name it.
 * The OS releases the lock when the process dies, even on {@code kill -9}.
 */
public final class WorkspaceLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private WorkspaceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or fails at once.
     *
     * @param purpose what the caller is about to do, for the refusal message ("serve", "restore")
     * @throws WorkspaceException naming the holder's pid when another process holds the workspace
     */
    public static WorkspaceLock acquire(Path file, String purpose) {
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = readHolder(channel);
                channel.close();
                throw new WorkspaceException("cannot " + purpose + ": the workspace is held by pid " + holder
                        + " (lock " + file + "); stop that process first (kill -INT " + holder + ")");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            return new WorkspaceLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new WorkspaceException("cannot open the workspace lock " + file + ": " + e.getMessage(), e);
        }
    }

    /** The pid recorded in a lock file, or empty when nobody holds it. Does not take the lock. */
    public static java.util.OptionalLong holder(Path file) {
        if (!Files.exists(file)) {
            return java.util.OptionalLong.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return java.util.OptionalLong.of(ProcessHandle.current().pid());
            }
            if (probe != null) {
                probe.release();
                return java.util.OptionalLong.empty();
            }
            String pid = readHolder(channel);
            return pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
                    ? java.util.OptionalLong.of(Long.parseLong(pid)) : java.util.OptionalLong.of(-1);
        } catch (IOException e) {
            return java.util.OptionalLong.empty();
        }
    }

    private static String readHolder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        channel.read(buf, 0);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        return text.isEmpty() ? "unknown" : text;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing; the original error is reported
            }
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS releases the lock with the process anyway
        }
    }
}
