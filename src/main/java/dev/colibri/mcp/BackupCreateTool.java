package dev.colibri.mcp;

import dev.colibri.backup.BackupResult;
import dev.colibri.backup.BackupService;

/** {@code backup_create}: an online, WAL-aware snapshot of the live database. */
final class BackupCreateTool implements Tool {

    static final Definition DEFINITION = new Definition("backup_create", "Take a snapshot",
            "Takes a consistent snapshot of the live database while the server keeps serving writes, checks it with"
            + " PRAGMA integrity_check, writes its manifest and renames it into data/backups/ atomically. Kinds:"
            + " session (default), round and phase (need round), premigrate. Phase snapshots are also copied to"
            + " the cold tier (COLIBRI_COLD_DIR). Sends progress when given a progress token.",
            Hints.APPEND);

    private final BackupService backups;

    BackupCreateTool(BackupService backups) {
        this.backups = backups;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) throws Exception {
        String kind = args.optionalString("kind").orElse("session");
        BackupResult r = backups.create(kind, args.optionalString("round").orElse(null),
                args.optionalString("label").orElse(null),
                (done, total) -> progress.report(done, total, "copying snapshot"));
        var fields = Fields.of().put("snapshot", SnapshotFields.of(r)).put("integrity", r.integrity())
                .put("duration_ms", r.durationMillis()).map();
        String text = "snapshot " + r.snapshot().name() + " (" + r.snapshot().sizeBytes() + " bytes, " + r.durationMillis()
                + " ms, integrity ok)";
        if (r.cold().startsWith("failed")) {
            return ToolResult.failed(fields, text + " but the cold copy " + r.cold());
        }
        return ToolResult.ok(fields, text + ("copied".equals(r.cold()) ? ", copied to the cold tier" : ""));
    }
}
