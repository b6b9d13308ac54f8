package dev.colibri.restore;

import dev.colibri.testing.ByteFlip;
import dev.colibri.testing.MutableClock;

import dev.colibri.Colibri;
import dev.colibri.backup.BackupResult;
import dev.colibri.backup.ProgressListener;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A real workspace in a temporary folder, a clock the test moves, and ways to damage files. */
final class RestoreFixture {

    static final Instant START = Instant.parse("2026-04-01T10:00:00Z");

    final Workspace workspace;
    final MutableClock clock = new MutableClock(START);

    RestoreFixture(Path tmp, boolean cold) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("ws"));
        Path coldDir = cold ? Files.createDirectories(tmp.resolve("cold")) : null;
        workspace = new Workspace(home, coldDir, tmp.resolve("keys").resolve("audit.key"));
    }

    Colibri open() {
        return Colibri.open(workspace, clock);
    }

    static void append(Colibri c, int records) {
        for (int i = 0; i < records; i++) {
            c.audit().append("decision", "decision " + i + " at " + c.clock().instant(), null);
        }
    }

    static String snapshot(Colibri c, String kind, String round) throws IOException {
        BackupResult r = c.backups().create(kind, round, null, ProgressListener.none());
        return r.snapshot().name();
    }

    /**
     * Five records sealed as round r1 with a round snapshot, a minute later three more sealed as r2;
     * returns the round snapshot's name.
     */
    String roundSnapshotThenThreeMore(Colibri c) throws IOException {
        append(c, 5);
        c.merkle().finalizeAndAnchor("r1");
        String round = snapshot(c, "round", "r1");
        clock.advance(java.time.Duration.ofMinutes(1));
        append(c, 3);
        c.merkle().finalizeAndAnchor("r2");
        return round;
    }

    Path backup(String name) {
        return workspace.backupsDir().resolve(name);
    }

    /** Flips one byte in the middle of a file. */
    static void flipMiddleByte(Path file) throws IOException {
        ByteFlip.middleOf(file);
    }

    static void truncateToHalf(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
    }

    /** Overwrites every page from page 2 on with a pattern, keeping the header page intact. */
    static void corruptFromPageTwo(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] junk = new byte[(int) f.length() - 4096];
            for (int i = 0; i < junk.length; i++) {
                junk[i] = (byte) (i * 31 + 7);
            }
            f.seek(4096);
            f.write(junk);
        }
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sha256 of every regular file under {@code dirs}, by path. */
    static Map<Path, String> hashTree(Path... dirs) throws IOException {
        Map<Path, String> hashes = new TreeMap<>();
        for (Path dir : dirs) {
            if (dir == null || !Files.exists(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    hashes.put(p, sha256(p));
                }
            }
        }
        return hashes;
    }
}
