package dev.colibri.cli;

import dev.colibri.backup.SnapshotName;
import dev.colibri.workspace.Durable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The faults a drill injects: flipped bytes in a workspace file, and snapshots made to look older.
 * Both stay inside the workspace: a path that leaves it, even through a symbolic link, is refused.
 */
final class Faults {

    private final Path home;
    private final Path backups;

    Faults(ScratchWorkspace ws) {
        this.home = ws.home();
        this.backups = ws.workspace().backupsDir();
    }

    /**
     * Inverts {@code bytes} bytes of {@code file} (relative to the workspace) from {@code offset} on.
     *
     * @return what was done, for the step's line
     * @throws IllegalStateException when the file is outside the workspace, missing or too short
     */
    String corrupt(String file, long offset, int bytes) throws IOException {
        if (!StepReader.insideWorkspace(file)) {
            throw new IllegalStateException(file + " is not a relative path inside the workspace; refusing to touch it");
        }
        Path target = home.resolve(file).normalize();
        if (!target.startsWith(home) || !Files.isRegularFile(target)) {
            throw new IllegalStateException("no file " + file + " in the workspace " + home);
        }
        if (!target.toRealPath().startsWith(home.toRealPath())) {
            throw new IllegalStateException(file + " leads outside the workspace (a symbolic link); refusing to touch it");
        }
        try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
            if (f.length() < offset + bytes) {
                throw new IllegalStateException(file + " has " + f.length() + " bytes; cannot flip " + bytes
                        + " bytes at offset " + offset);
            }
            byte[] buf = new byte[bytes];
            f.seek(offset);
            f.readFully(buf);
            for (int i = 0; i < buf.length; i++) {
                buf[i] = (byte) ~buf[i];
            }
            f.seek(offset);
            f.write(buf);
            f.getFD().sync();
        }
        return "flipped " + bytes + " bytes at offset " + offset;
    }

    /**
     * Moves a snapshot's {@code created_at} (in its manifest) and its file times {@code days} back.
     *
     * @return the new creation time, for the step's line
     * @throws IllegalStateException when there is no such snapshot in {@code data/backups}
     */
    String age(String snapshot, double days) throws IOException {
        String name;
        try {
            name = SnapshotName.requireValid(snapshot);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Path file = backups.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("no snapshot " + name + " in " + backups);
        }
        Duration shift = Duration.ofMillis(Math.round(days * 86_400_000d));
        Path manifest = backups.resolve(SnapshotName.manifestOf(name));
        String createdAt = null;
        if (Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            createdAt = shiftManifest(manifest, shift);
            shiftTime(manifest, shift);
        }
        Instant fileTime = shiftTime(file, shift);
        return name + " created_at " + (createdAt != null ? createdAt : fileTime.toString()) + " ("
                + (days == Math.rint(days) ? String.valueOf((long) days) : String.valueOf(days)) + " days earlier)";
    }

    private static String shiftManifest(Path manifest, Duration shift) throws IOException {
        Object parsed = Json.parse(Files.readString(manifest));
        if (!(parsed instanceof Map<?, ?> raw) || !(raw.get("created_at") instanceof String created)) {
            throw new IllegalStateException("the manifest " + manifest.getFileName() + " has no created_at");
        }
        Instant moved;
        try {
            moved = Instant.parse(created).minus(shift);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("the manifest " + manifest.getFileName() + " has a created_at that is not"
                    + " an instant: " + created, e);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        raw.forEach((k, v) -> copy.put(String.valueOf(k), v));
        copy.put("created_at", moved.toString());
        Durable.writeAtomically(manifest, (Json.pretty(copy) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return moved.toString();
    }

    private static Instant shiftTime(Path file, Duration shift) throws IOException {
        Instant moved = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant().minus(shift);
        Files.setLastModifiedTime(file, FileTime.from(moved));
        return moved;
    }
}
