package dev.colibri.backup;

import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Sha256;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The off-host cold tier ({@code COLIBRI_COLD_DIR}): phase snapshots are copied there, fsynced,
 * and the copy's checksum compared with the manifest before it gets its final name.
 */
final class ColdTier {

    static final String NOT_CONFIGURED = "not_configured";
    static final String COPIED = "copied";

    private final Workspace workspace;

    ColdTier(Workspace workspace) {
        this.workspace = workspace;
    }

    /** Copies a snapshot and its manifest to the cold directory; returns the outcome as a word or sentence. */
    String copy(Path snapshot, Manifest manifest) {
        if (workspace.cold().isEmpty()) {
            return NOT_CONFIGURED;
        }
        Path dir = workspace.cold().get();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            return "failed: the cold directory " + dir + " is not a writable directory (is the drive mounted?);"
                    + " the snapshot is kept in data/backups, copy it there when the cold tier is back";
        }
        Path target = dir.resolve(manifest.name());
        if (Files.exists(target)) {
            return "failed: " + target + " already exists in the cold tier; it was not overwritten";
        }
        Path temp = dir.resolve(Durable.TEMP_PREFIX + manifest.name() + "-" + System.nanoTime());
        try {
            String sha = copyHashing(snapshot, temp);
            if (!sha.equals(manifest.sha256())) {
                return "failed: the cold copy's sha256 " + sha + " differs from the manifest's " + manifest.sha256()
                        + "; the copy was discarded, check the cold drive";
            }
            manifest.write(dir.resolve(SnapshotName.manifestOf(manifest.name())));
            Durable.moveAtomically(temp, target, false);
            Durable.fsyncDirectory(dir);
            return COPIED;
        } catch (IOException e) {
            return "failed: copying to the cold directory " + dir + " failed (" + e.getMessage()
                    + "); the snapshot is kept in data/backups";
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: a stale temporary in the cold tier is harmless and recognisable by its prefix
            }
        }
    }

    private static String copyHashing(Path source, Path target) throws IOException {
        try (InputStream in = Files.newInputStream(source);
                FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            in.transferTo(out);
            out.flush();
            ch.force(true);
        }
        // re-read what landed on the cold drive, so a bad write is caught now, not at restore time
        return Sha256.of(target);
    }
}
