package dev.colibri.bench;

import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotName;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The files a benchmark leaves behind, and their removal: the snapshots it takes (1 GB each at the
 * default size, never kept), the files a restore moves aside, and its temporary folders.
 */
final class BenchFiles {

    private BenchFiles() {
    }

    /** The names of the snapshot files in {@code dir} (none when it does not exist). */
    static Set<String> snapshotsIn(Path dir) throws IOException {
        return list(dir, "colibri-*.db");
    }

    /** The names of the files in {@code dir} matching {@code glob}, sorted (none when it does not exist). */
    static Set<String> list(Path dir, String glob) throws IOException {
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path p : files) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    /** Deletes a snapshot and its manifest. */
    static void deleteSnapshot(Snapshot s) throws IOException {
        Files.deleteIfExists(s.path());
        Files.deleteIfExists(s.path().resolveSibling(SnapshotName.manifestOf(s.name())));
    }

    /**
     * Removes the snapshots (and manifests) the benchmark made, keeping whatever was there
     * {@code before} and the snapshots named in {@code keep} (may be null); a failure is logged.
     */
    static void cleanBackups(Path dir, Set<String> before, List<String> keep, PrintStream log) {
        try {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path p : files) {
                    String name = p.getFileName().toString();
                    String db = name.endsWith(".manifest.json") ? name.substring(0, name.length() - 14) : name;
                    if (name.startsWith("colibri-") && !before.contains(db) && (keep == null || !keep.contains(db))) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            log.println("bench: cannot clean " + dir + ": " + e.getMessage());
        }
    }

    /** Deletes {@code root} and everything under it, as far as it can. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    /** Reads {@code file} once from end to end and drops the bytes (to bring it into the page cache). */
    static void readThrough(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.clear();
            }
        }
    }
}
