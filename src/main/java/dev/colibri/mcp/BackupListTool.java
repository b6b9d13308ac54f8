package dev.colibri.mcp;

import dev.colibri.backup.Verdict;
import dev.colibri.retention.ColdTierStatus;
import dev.colibri.retention.Decision;
import dev.colibri.retention.RetentionReport;
import dev.colibri.retention.RetentionService;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** {@code backup_list}: every snapshot with its tier and what retention will do with it. */
final class BackupListTool implements Tool {

    static final Definition DEFINITION = new Definition("backup_list", "List snapshots",
            "Lists the snapshots in data/backups (hot under 7 days, warm after) and in the cold tier"
            + " (COLIBRI_COLD_DIR), newest first, each with keep or prune and the reason. Optional tier filter:"
            + " hot, warm or cold. Changes nothing; backup_prune removes what is marked prune. Snapshots checked to"
            + " find the newest clean one carry safe_to_restore, verified_at and verdict_from_memory: an unchanged"
            + " file's earlier verdict is reused; backup_verify always checks in full.",
            Hints.READ);

    private final RetentionService retention;

    BackupListTool(RetentionService retention) {
        this.retention = retention;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) {
        RetentionReport report;
        try {
            report = retention.report(args.optionalString("tier"));
        } catch (IOException e) {
            return ToolResult.error(e.getMessage());
        }
        List<Map<String, Object>> snapshots = report.decisions().stream().map(BackupListTool::entry).toList();
        ColdTierStatus cold = report.coldTier();
        Fields fields = Fields.of().put("snapshots", snapshots).put("cold_tier", cold.describe())
                .put("cold_tier_status", cold.state()).put("cold_tier_detail", cold.detail());
        String text = snapshots.size() + " snapshot(s), " + report.pruneCount() + " marked prune; cold tier: "
                + cold.describe() + (cold.isUnreachable() ? ". Warning: " + cold.detail() : "") + remembered(report);
        return ToolResult.ok(fields.map(), text);
    }

    /** Says when the listing relied on verdicts it did not verify again; empty when it verified everything it used. */
    static String remembered(RetentionReport report) {
        List<Verdict> reused = report.decisions().stream().map(Decision::verdict)
                .filter(v -> v != null && v.fromMemory()).toList();
        if (reused.isEmpty()) {
            return "";
        }
        return "; " + reused.size() + " verdict(s) reused from an earlier full verification of the unchanged file"
                + " (verified_at; backup_verify checks a snapshot in full)";
    }

    static Map<String, Object> entry(Decision d) {
        var s = d.snapshot();
        return Fields.of().put("name", s.name()).put("kind", s.kind()).putNullable("round", s.round())
                .put("created_at", s.createdAt()).put("age_days", Math.round(s.ageDays() * 1000) / 1000.0)
                .put("size_bytes", s.sizeBytes()).put("tier", s.tier()).put("retention", d.retention())
                .put("reason", d.reason()).put("path", s.path().toString()).putAll(verdict(d.verdict())).map();
    }

    /** The verdict a listing relied on: whether it was safe, when it was made, and whether it was reused. */
    static Map<String, Object> verdict(Verdict v) {
        if (v == null) {
            return Map.of();
        }
        return Fields.of().put("safe_to_restore", v.safeToRestore()).put("verified_at", v.verifiedAt().toString())
                .put("verdict_from_memory", v.fromMemory()).map();
    }
}
