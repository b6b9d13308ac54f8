package dev.colibri.retention;

import dev.colibri.Colibri;
import dev.colibri.backup.ProgressListener;
import dev.colibri.backup.Snapshot;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** What the retention tests share: a workspace in a temporary folder, snapshots, and lookups in a listing. */
final class RetentionFixture {

    static final String NEWEST_CLEAN = "newest snapshot that verifies clean: it is kept whatever its age, so"
            + " there is always a snapshot to restore from.";

    private RetentionFixture() {
    }

    /** A workspace under {@code tmp/home}, its key under {@code tmp/keys}, with the cold tier given (or none). */
    static Colibri open(Path tmp, Path coldDir, Clock clock) {
        return Colibri.open(new Workspace(tmp.resolve("home"), coldDir, tmp.resolve("keys").resolve("audit.key")), clock);
    }

    static Snapshot take(Colibri c, String kind, String round) throws IOException {
        return c.backups().create(kind, round, null, ProgressListener.none()).snapshot();
    }

    static List<String> names(List<Decision> ds) {
        return ds.stream().map(d -> d.snapshot().name()).toList();
    }

    static Decision find(List<Decision> ds, String name) {
        return ds.stream().filter(d -> d.snapshot().name().equals(name)).findFirst().orElseThrow();
    }
}
