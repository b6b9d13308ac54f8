package dev.colibri.mcp;

import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Check;
import dev.colibri.backup.SnapshotVerifier;
import dev.colibri.backup.Verdict;
import dev.colibri.backup.VerdictMemo;
import dev.colibri.backup.Verification;
import java.util.List;
import java.util.Map;

/**
 * {@code backup_verify}: every check the runbook asks for, on one snapshot, always run in full (never
 * answered from the memo); the verdict then replaces the one listings remember for that file.
 */
final class BackupVerifyTool implements Tool {

    static final Definition DEFINITION = new Definition("backup_verify", "Verify a snapshot",
            "Checks a snapshot by name: integrity_check, foreign_key_check, the three load-bearing tables, its"
            + " sha256 against the manifest, its audit chain and its Merkle root against the anchor log."
            + " safe_to_restore is true only when no check fails.",
            Hints.READ);

    private final BackupCatalog catalog;
    private final SnapshotVerifier verifier;
    private final VerdictMemo verdicts;

    BackupVerifyTool(BackupCatalog catalog, SnapshotVerifier verifier, VerdictMemo verdicts) {
        this.catalog = catalog;
        this.verifier = verifier;
        this.verdicts = verdicts;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) throws Exception {
        Verdict verdict = verdicts.verifyAndRemember(verifier, catalog.resolve(args.string("snapshot")));
        Verification v = verdict.verification();
        List<Map<String, Object>> checks = v.checks().stream().map(BackupVerifyTool::check).toList();
        var fields = Fields.of().put("snapshot", v.snapshot().name()).put("safe_to_restore", v.safeToRestore())
                .put("checks", checks).put("tier", v.snapshot().tier()).put("duration_ms", v.durationMillis())
                .put("verified_at", verdict.verifiedAt().toString()).map();
        if (v.safeToRestore()) {
            return ToolResult.ok(fields, v.snapshot().name() + " is safe to restore (" + checks.size() + " checks)");
        }
        return ToolResult.failed(fields, v.snapshot().name() + " is NOT safe to restore: " + v.failures()
                + ". Pick another snapshot (restore_plan walks them for you)");
    }

    private static Map<String, Object> check(Check c) {
        return Fields.of().put("name", c.name()).put("status", c.status()).put("detail", c.detail()).map();
    }
}
