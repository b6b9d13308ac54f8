package dev.colibri.mcp;

import dev.colibri.restore.Plan;
import dev.colibri.restore.RestorePlanner;
import java.util.List;
import java.util.Map;

/** {@code restore_plan}: which snapshot to restore from, what it loses, and every step to get there. Changes nothing. */
final class RestorePlanTool implements Tool {

    static final Definition DEFINITION = new Definition("restore_plan", "Plan a restore",
            "Read-only. Picks the snapshot to restore from (the named one, or the newest that passes every"
            + " backup_verify check, walking hot, then warm, then cold), lists the snapshots passed over with their"
            + " failed checks, and returns the ordered steps with exact command lines (run from the workspace home)"
            + " and the thought records the restore would lose. isError when no snapshot is safe.",
            Hints.READ);

    private final RestorePlanner planner;

    RestorePlanTool(RestorePlanner planner) {
        this.planner = planner;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) throws Exception {
        Plan plan = planner.plan(args.optionalString("snapshot"));
        Map<String, Object> fields = fields(plan);
        if (plan.candidate() == null) {
            return ToolResult.failed(fields, "no snapshot is safe to restore from (" + plan.rejected().size()
                    + " rejected): " + plan.steps().get(0).action());
        }
        Long lost = plan.dataLoss().recordsAfterSnapshot();
        return ToolResult.ok(fields, "restore from " + plan.candidate() + " (" + plan.candidateTier() + " tier"
                + (plan.rejected().isEmpty() ? "" : ", " + plan.rejected().size() + " newer snapshot(s) rejected")
                + (Boolean.TRUE.equals(plan.candidateVerdictFromMemory()) ? ", its clean verdict of "
                        + plan.candidateVerifiedAt() + " reused: the file is unchanged" : "") + "); "
                + (lost == null ? "records lost: unknown" : "records after the snapshot: " + lost) + "; "
                + plan.steps().size() + " steps, or with the server stopped: " + plan.offline().command());
    }

    static Map<String, Object> fields(Plan plan) {
        List<Map<String, Object>> rejected = plan.rejected().stream().map(r -> Fields.of().put("name", r.name())
                .put("tier", r.tier()).put("reason", r.reason()).put("verified_at", r.verifiedAt()).map()).toList();
        List<Map<String, Object>> steps = plan.steps().stream().map(s -> Fields.of().put("step", s.step())
                .put("action", s.action()).put("command", s.command()).map()).toList();
        Plan.DataLoss loss = plan.dataLoss();
        Map<String, Object> dataLoss = Fields.of().putNullable("snapshot_created_at", loss.snapshotCreatedAt())
                .putNullable("records_after_snapshot", loss.recordsAfterSnapshot())
                .putNullable("live_records", loss.liveRecords()).putNullable("snapshot_records", loss.snapshotRecords())
                .put("detail", loss.detail()).map();
        Map<String, Object> offline = plan.offline() == null ? null : Fields.of().put("command", plan.offline().command())
                .put("steps", plan.offline().steps()).put("note", plan.offline().note()).map();
        return Fields.of().putNullable("candidate", plan.candidate()).putNullable("candidate_tier", plan.candidateTier())
                .putNullable("candidate_verified_at", plan.candidateVerifiedAt())
                .putNullable("candidate_verdict_from_memory", plan.candidateVerdictFromMemory())
                .put("rejected", rejected).put("steps", steps).put("data_loss", dataLoss)
                .putNullable("server_pid", plan.serverPid()).put("workspace", plan.workspace())
                .putNullable("offline", offline).map();
    }
}
