package dev.colibri.mcp;

import dev.colibri.audit.ChainVerification;
import dev.colibri.backup.SnapshotInspector;

/** {@code audit_verify_chain}: walk the audit chain of the live database or of a snapshot. */
final class AuditVerifyChainTool implements Tool {

    static final Definition DEFINITION = new Definition("audit_verify_chain", "Verify the audit chain",
            "Recomputes every thought record's HMAC link, in constant memory, on the live database or on a named"
            + " snapshot. Returns ok, or broken with break_at, the 0-based position of the first bad record.",
            Hints.READ);

    private final SnapshotInspector inspector;

    AuditVerifyChainTool(SnapshotInspector inspector) {
        this.inspector = inspector;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) throws Exception {
        String snapshot = args.optionalString("snapshot").orElse(null);
        ChainVerification v = inspector.verifyChain(snapshot);
        String target = snapshot == null ? "live database" : snapshot;
        var fields = Fields.of().put("status", v.status()).put("length", v.length()).put("head_hash", v.headHash())
                .put("break_at", v.breakAt()).put("reason", v.reason()).put("target", target).map();
        if (v.ok()) {
            return ToolResult.ok(fields, "audit chain of " + target + " ok: " + v.length() + " records");
        }
        return ToolResult.failed(fields, "audit chain of " + target + " BROKEN at position " + v.breakAt() + ": "
                + v.reason() + ". Do not trust records from there on; call restore_plan");
    }
}
