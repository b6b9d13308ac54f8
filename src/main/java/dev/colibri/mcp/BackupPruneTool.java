package dev.colibri.mcp;

import dev.colibri.retention.Decision;
import dev.colibri.retention.PruneResult;
import dev.colibri.retention.RetentionService;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** {@code backup_prune}: removes what {@code backup_list} marks prune; a dry run unless told otherwise. */
final class BackupPruneTool implements Tool {

    /** Deletes snapshots; running it twice removes nothing more. */
    static final Hints HINTS = new Hints(false, true, true, false);

    static final Definition DEFINITION = new Definition("backup_prune", "Prune old snapshots",
            "Applies the retention tiers: removes each snapshot backup_list marks prune, with its manifest, from"
            + " data/backups only (never the cold tier, never the newest snapshot that verifies clean)."
            + " dry_run defaults to true and only reports; pass dry_run false to delete.",
            HINTS);

    private final RetentionService retention;

    BackupPruneTool(RetentionService retention) {
        this.retention = retention;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) {
        boolean dryRun = args.optionalBoolean("dry_run").orElse(true);
        PruneResult r;
        try {
            r = retention.prune(dryRun);
        } catch (IOException e) {
            return ToolResult.error(e.getMessage());
        }
        List<Map<String, Object>> pruned = r.pruned().stream().map(BackupPruneTool::entry).toList();
        List<Map<String, Object>> failed = r.failed().stream()
                .map(f -> Fields.of().put("name", f.name()).put("error", f.error()).map()).toList();
        Map<String, Object> fields = Fields.of().put("dry_run", r.dryRun()).put("pruned", pruned).put("kept", r.kept())
                .put("freed_bytes", r.freedBytes()).put("failed", failed).put("cold_tier", r.coldTier().describe())
                .put("cold_tier_status", r.coldTier().state()).putNullable("newest_clean", newestClean(r.newestClean()))
                .map();
        String text = r.dryRun()
                ? "dry run: " + pruned.size() + " snapshot(s) would be pruned (" + r.freedBytes() + " bytes), " + r.kept()
                        + " kept" + (pruned.isEmpty() ? "" : "; call backup_prune with dry_run false to remove them")
                : "pruned " + pruned.size() + " snapshot(s) with their manifests (" + r.freedBytes() + " bytes freed), "
                        + r.kept() + " kept";
        if (!failed.isEmpty()) {
            return ToolResult.failed(fields, text + "; " + failed.size() + " could not be removed: "
                    + String.join("; ", r.failed().stream().map(f -> f.name() + ": " + f.error()).toList()));
        }
        return ToolResult.ok(fields, text);
    }

    /** The snapshot protected as the newest clean one, and the verdict it was protected on; null when none. */
    private static Map<String, Object> newestClean(Decision d) {
        if (d == null) {
            return null;
        }
        return Fields.of().put("name", d.snapshot().name()).put("tier", d.snapshot().tier())
                .putAll(BackupListTool.verdict(d.verdict())).map();
    }

    private static Map<String, Object> entry(Decision d) {
        return Fields.of().put("name", d.snapshot().name()).put("tier", d.snapshot().tier()).put("reason", d.reason())
                .put("size_bytes", d.snapshot().sizeBytes()).map();
    }
}
