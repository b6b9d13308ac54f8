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

    /**
     * Lock files this JVM holds, by real path. A second channel must never be opened on a held file:
     * on Linux closing any descriptor of a file drops every POSIX lock the process holds on it (see
     * {@link FileLock}), so a refused acquire or a holder query would silently free the workspace.
     */
    private static final java.util.Set<Path> HELD = new java.util.HashSet<>();

    private final Path file;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private WorkspaceLock(Path file, Path key, FileChannel channel, FileLock lock) {
        this.file = file;
        this.key = key;
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
        synchronized (HELD) {
            return acquireLocked(file, purpose);
        }
    }

    private static WorkspaceLock acquireLocked(Path file, String purpose) {
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            Path key = key(file);
            if (HELD.contains(key)) {
                throw refusal(purpose, String.valueOf(ProcessHandle.current().pid()), file);
            }
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
                throw refusal(purpose, holder, file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            HELD.add(key);
            return new WorkspaceLock(file, key, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new WorkspaceException("cannot open the workspace lock " + file + ": " + e.getMessage(), e);
        }
    }

    /** The pid recorded in a lock file, or empty when nobody holds it. Does not take the lock. */
    public static java.util.OptionalLong holder(Path file) {
        synchronized (HELD) {
            return holderLocked(file);
        }
    }

    private static java.util.OptionalLong holderLocked(Path file) {
        if (!Files.exists(file)) {
            return java.util.OptionalLong.empty();
        }
        try {
            if (HELD.contains(key(file))) {
                return java.util.OptionalLong.of(ProcessHandle.current().pid());
            }
        } catch (IOException e) {
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

    private static WorkspaceException refusal(String purpose, String holder, Path file) {
        return new WorkspaceException("cannot " + purpose + ": the workspace is held by pid " + holder
                + " (lock " + file + "); stop that process first (kill -INT " + holder + ")");
    }

    /** The identity of a lock file: its directory's real path, so aliases of one file agree. */
    private static Path key(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        return abs.getParent().toRealPath().resolve(abs.getFileName().toString());
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
        synchronized (HELD) {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // the OS releases the lock with the process anyway
            } finally {
                HELD.remove(key);
            }
        }
    }
}
