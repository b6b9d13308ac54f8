package dev.colibri.backup;

import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots of a workspace: {@code data/backups} (hot under 7 days, warm after) and the cold
 * directory. Resolves client names to files without ever following a name out of those folders:
 * symbolic links are not snapshots.
 */
public final class BackupCatalog {

    static final double HOT_DAYS = 7;
    private static final Logger LOG = LoggerFactory.getLogger(BackupCatalog.class);

    private final Workspace workspace;
    private final Clock clock;

    public BackupCatalog(Workspace workspace, Clock clock) {
        this.workspace = workspace;
        this.clock = clock;
    }

    public Workspace workspace() {
        return workspace;
    }

    /** Every snapshot, newest first; the local copy of a name comes before its cold copy. */
    public List<Snapshot> list() throws IOException {
        List<Snapshot> all = new ArrayList<>(scan(workspace.backupsDir(), false));
        Optional<Path> cold = workspace.cold();
        if (cold.isPresent() && Files.isDirectory(cold.get())) {
            all.addAll(scan(cold.get(), true));
        }
        all.sort(Comparator.comparing(Snapshot::createdAt).reversed().thenComparing(Snapshot::cold));
        return all;
    }

    /**
     * The snapshot a client named: local first, then cold.
     *
     * @throws IllegalArgumentException for a malformed name or one that names no snapshot
     */
    public Snapshot resolve(String reference) throws IOException {
        String name = SnapshotName.requireValid(reference);
        for (Snapshot s : list()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no snapshot named " + name + " in " + workspace.backupsDir()
                + workspace.cold().map(c -> " or " + c).orElse("") + "; call backup_list to see the snapshots there are");
    }

    private List<Snapshot> scan(Path dir, boolean cold) throws IOException {
        List<Snapshot> found = new ArrayList<>();
        if (!Files.exists(dir)) {
            return found;
        }
        if (!Files.isReadable(dir)) {
            throw new IOException("cannot read " + dir + " (permission denied); fix its permissions so snapshots can be listed");
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "colibri-*.db")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (SnapshotName.matches(name) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    found.add(describe(p, name, cold));
                } else if (Files.isSymbolicLink(p)) {
                    LOG.warn("ignoring {}: a symbolic link is not a snapshot", p);
                }
            }
        }
        return found;
    }

    private Snapshot describe(Path p, String name, boolean cold) throws IOException {
        Manifest manifest = null;
        Path mf = p.resolveSibling(SnapshotName.manifestOf(name));
        if (Files.isRegularFile(mf, LinkOption.NOFOLLOW_LINKS)) {
            try {
                manifest = Manifest.read(mf);
            } catch (IOException e) {
                LOG.warn("{}", e.getMessage());
            }
        }
        Instant created = createdAt(p, manifest);
        double age = Duration.between(created, clock.instant()).toMillis() / 86_400_000.0;
        String tier = cold ? "cold" : age < HOT_DAYS ? "hot" : "warm";
        String slug = SnapshotName.slug(name);
        String kind = manifest != null ? manifest.kind() : "premigrate".equals(slug) ? "premigrate" : "unknown";
        String round = manifest != null ? manifest.round() : "premigrate".equals(slug) ? null : slug;
        long size;
        try {
            size = Files.size(p);
        } catch (NoSuchFileException e) {
            size = 0;
        }
        return new Snapshot(name, p, tier, manifest, size, created.toString(), kind, round, Math.max(0, age));
    }

    private static Instant createdAt(Path p, Manifest manifest) throws IOException {
        if (manifest != null && manifest.createdAt() != null) {
            try {
                return Instant.parse(manifest.createdAt());
            } catch (RuntimeException e) {
                // fall through to the file time
            }
        }
        return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
    }

    /** Removes temporaries a crash left in {@code data/backups} (never a snapshot under its final name). */
    public int cleanStaleTemporaries() {
        int removed = 0;
        Path dir = workspace.backupsDir();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Durable.TEMP_PREFIX + "*")) {
            for (Path p : files) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                    removed++;
                    LOG.info("removed stale temporary {} left by an interrupted backup", p.getFileName());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean temporaries in {}: {}", dir, e.getMessage());
        }
        return removed + removeOrphanManifests(dir);
    }

    /**
     * Removes manifests whose snapshot is absent: a backup writes the manifest just before renaming
     * its snapshot into place, and a prune removes the manifest last, so a crash in either window
     * leaves one behind, holding the name.
     */
    private static int removeOrphanManifests(Path dir) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "colibri-*.db.manifest.json")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                Path snapshot = p.resolveSibling(name.substring(0, name.length() - ".manifest.json".length()));
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(snapshot, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                    removed++;
                    LOG.info("removed {}: its snapshot was never renamed into place (interrupted backup)", name);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean orphan manifests in {}: {}", dir, e.getMessage());
        }
        return removed;
    }
}
