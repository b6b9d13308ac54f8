package dev.colibri.reliability;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.testing.TestWorkspace;
import dev.colibri.workspace.Durable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Building workspaces through the product, and looking at what lies on disk. */
final class Fixtures {

    static final Pattern SNAPSHOT = Pattern.compile("colibri-.*\\.db");

    private Fixtures() {
    }

    /**
     * Fills a workspace through the product in-process: {@link Colibri#open} (which creates the key),
     * {@code records} HMAC-linked thought records appended in large transactions, one finalized and
     * anchored tree head, then {@link Colibri#close()}, which also takes the end-of-session snapshot.
     *
     * @param keepSessionSnapshot false removes that snapshot (and its manifest) again
     */
    static void load(TestWorkspace ws, int records, int contentBytes, String round, long seed,
            boolean keepSessionSnapshot) {
        Random rnd = new Random(seed);
        try (Colibri colibri = Colibri.open(ws.workspace(), Clock.systemUTC())) {
            AuditChain chain = colibri.audit().chain();
            colibri.tasks().upsert(new dev.colibri.task.TaskChange("T1", "reliability load", "in_progress", 10, null));
            int batch = 2000;
            for (int start = 0; start < records; start += batch) {
                int from = start;
                int to = Math.min(records, start + batch);
                colibri.database().write(c -> {
                    for (int i = from; i < to; i++) {
                        chain.append(c, i % 7 == 0 ? "decision" : "note", content(rnd, i, contentBytes),
                                i % 5 == 0 ? "T1" : null);
                    }
                    return null;
                });
            }
            if (records > 0) {
                colibri.merkle().finalizeAndAnchor(round);
            }
        }
        if (!keepSessionSnapshot) {
            for (Path p : finalSnapshots(ws.workspace().backupsDir())) {
                delete(p);
            }
        }
    }

    static String content(Random rnd, int i, int bytes) {
        StringBuilder b = new StringBuilder(bytes + 16).append("record ").append(i).append(' ');
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-";
        while (b.length() < bytes) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** Files in {@code dir} under a final snapshot name ({@code colibri-*.db}), not following links. */
    static List<Path> finalSnapshots(Path dir) {
        return list(dir, p -> SNAPSHOT.matcher(p.getFileName().toString()).matches()
                && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Colibri's temporaries ({@code .colibri-tmp-*}) in {@code dir}. */
    static List<Path> temporaries(Path dir) {
        return list(dir, p -> p.getFileName().toString().startsWith(Durable.TEMP_PREFIX));
    }

    /** Manifests whose snapshot is absent. */
    static List<Path> orphanManifests(Path dir) {
        return list(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith("colibri-") && n.endsWith(".db.manifest.json")
                    && !Files.exists(p.resolveSibling(n.substring(0, n.length() - ".manifest.json".length())),
                            LinkOption.NOFOLLOW_LINKS);
        });
    }

    static List<Path> list(Path dir, java.util.function.Predicate<Path> filter) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (filter.test(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /** Deletes a snapshot and its manifest. */
    static void delete(Path snapshot) {
        try {
            Files.deleteIfExists(snapshot);
            Files.deleteIfExists(snapshot.resolveSibling(snapshot.getFileName() + ".manifest.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Path, size, mtime and sha256 of every entry below {@code root} (links described, not followed). */
    static TreeMap<String, String> fingerprint(Path root) {
        TreeMap<String, String> out = new TreeMap<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    out.put(rel, Files.size(p) + " bytes, mtime " + Files.getLastModifiedTime(p) + ", sha256 "
                            + sha256(p));
                } else {
                    out.put(rel, "dir, mtime " + Files.getLastModifiedTime(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A single-value query on a database file, read-only. */
    static long queryLong(Path db, String sql) {
        try (Connection c = dev.colibri.workspace.Sqlite.openReadOnly(db);
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + db + ": " + e.getMessage(), e);
        }
    }

    /** A read-write connection to a live database file with a generous busy timeout. */
    static Connection connect(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 20000");
        }
        return c;
    }

    static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
