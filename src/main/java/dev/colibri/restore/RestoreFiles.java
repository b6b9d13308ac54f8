package dev.colibri.restore;

import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file operations of a restore and the names of moved-aside databases. The operations that
 * touch the disk are instance methods so that a test can interrupt a run at a file boundary.
 */
class RestoreFiles {

    static final String BROKEN_PREFIX = "colibri.db.broken-";
    private static final Pattern BROKEN = Pattern.compile("colibri\\.db\\.broken-([0-9]{8}-[0-9]{6})(?:-([0-9]+))?");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int COPY_BUFFER = 8 << 20;
    private static final int HEADER = 100;

    /**
     * The first free name {@code colibri.db.broken-<YYYYMMDD-HHMMSS>} (UTC, like snapshot names),
     * with {@code -2}, {@code -3}... added when that name or one of its sidecars is taken.
     */
    static String brokenName(Path dataDir, Instant at) {
        String base = BROKEN_PREFIX + STAMP.format(LocalDateTime.ofInstant(at, ZoneOffset.UTC));
        for (int n = 1; ; n++) {
            String name = n == 1 ? base : base + "-" + n;
            if (!taken(dataDir, name) && RestoredFile.SIDECARS.stream().noneMatch(s -> taken(dataDir, name + "-" + s))) {
                return name;
            }
        }
    }

    /** The free name for a moved-aside sidecar: {@code <broken>-wal} and so on, numbered if taken. */
    static String sidecarName(Path dataDir, String broken, String suffix) {
        String name = broken + "-" + suffix;
        for (int n = 2; taken(dataDir, name); n++) {
            name = broken + "-" + suffix + "-" + n;
        }
        return name;
    }

    private static boolean taken(Path dir, String name) {
        return Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    /** The most recently moved-aside database (the main file, not its WAL), if any. */
    static Optional<Path> newestBroken(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return Optional.empty();
        }
        Path newest = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir, BROKEN_PREFIX + "*")) {
            for (Path p : files) {
                if (BROKEN.matcher(p.getFileName().toString()).matches()
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && (newest == null || ORDER.compare(p, newest) > 0)) {
                    newest = p;
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    private static final Comparator<Path> ORDER = Comparator
            .comparing((Path p) -> group(p, 1))
            .thenComparingInt(p -> Integer.parseInt(Optional.ofNullable(group(p, 2)).orElse("1")));

    private static String group(Path p, int group) {
        Matcher m = BROKEN.matcher(p.getFileName().toString());
        return m.matches() ? m.group(group) : null;
    }

    /** Removes temporaries an interrupted run left in {@code dir}; returns their names. */
    static java.util.List<String> removeStaleTemporaries(Path dir) throws IOException {
        java.util.List<String> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Durable.TEMP_PREFIX + "*")) {
            for (Path p : files) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                    removed.add(p.getFileName().toString());
                }
            }
        }
        return removed;
    }

    /**
     * What {@link #copyHashing} read and wrote.
     *
     * @param size         the bytes read from the source
     * @param sha256       their hex SHA-256
     * @param writeFailure why the copy could not be written (it was removed, and the rest of the source
     *                     only hashed), or null when the copy holds every byte read
     */
    record Copied(long size, String sha256, IOException writeFailure) {
    }

    /**
     * Reads {@code source} once, hashing every byte and writing it to the new file {@code target}
     * (not yet flushed: see {@link #flush}). A failure to write (a full disk) removes {@code target}
     * and the rest of the source is still hashed, so the verdict on the source does not depend on
     * the room left beside the copy.
     *
     * @throws IOException when the source cannot be read; {@code target} is removed
     */
    Copied copyHashing(Path source, Path target) throws IOException {
        MessageDigest sha = Sha256.digest();
        ByteBuffer buf = ByteBuffer.allocateDirect(COPY_BUFFER);
        IOException writeFailure = null;
        long size = 0;
        FileChannel out = null;
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            try {
                out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                writeFailure = e;
            }
            while (in.read(buf) >= 0) {
                buf.flip();
                size += buf.remaining();
                sha.update(buf);
                if (out != null) {
                    try {
                        buf.rewind();
                        while (buf.hasRemaining()) {
                            out.write(buf);
                        }
                    } catch (IOException e) {
                        writeFailure = e;
                        out = closeAndRemove(out, target);
                    }
                }
                buf.clear();
            }
        } catch (IOException | RuntimeException e) {
            if (out != null) {
                closeAndRemove(out, target);
            }
            throw e;
        }
        if (out != null) {
            out.close();
        }
        return new Copied(size, HexFormat.of().formatHex(sha.digest()), writeFailure);
    }

    private static FileChannel closeAndRemove(FileChannel out, Path target) {
        try {
            out.close();
        } catch (IOException e) {
            // the file is being removed anyway
        }
        try {
            Files.deleteIfExists(target);
        } catch (IOException e) {
            // a temporary left behind is removed by the next run's clean_temporaries
        }
        return null;
    }

    /**
     * Whether two files start with the same SQLite header (first 100 bytes). A cheap test that two
     * files differ: a live database says WAL mode where a snapshot says rollback journal, and a
     * commit on a restored copy changes its file change counter.
     */
    static boolean sameHeader(Path a, Path b) throws IOException {
        return Arrays.equals(header(a), header(b));
    }

    private static byte[] header(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(HEADER);
        }
    }

    /** Flushes a file's content to disk; on failure the file is removed and the failure thrown. */
    void flush(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Renames atomically without ever replacing an existing file, and makes the rename durable. */
    void move(Path source, Path target) throws IOException {
        Durable.moveAtomically(source, target, false);
        Durable.fsyncDirectory(target.getParent());
    }

    /** The hex SHA-256 of a file. */
    String hash(Path file) throws IOException {
        return Sha256.of(file);
    }
}
