package dev.colibri.restore;

import dev.colibri.workspace.Durable;
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
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
    private static final int BUFFER = 1 << 20;

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

    /** Copies {@code source} to a new file {@code target}, hashing the bytes as they pass, then fsyncs it. */
    String copyHashing(Path source, Path target) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(source);
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[BUFFER];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                sha.update(buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
            }
            out.force(true);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Renames atomically without ever replacing an existing file, and makes the rename durable. */
    void move(Path source, Path target) throws IOException {
        Durable.moveAtomically(source, target, false);
        Durable.fsyncDirectory(target.getParent());
    }

    /** The hex SHA-256 of a file. */
    String hash(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
