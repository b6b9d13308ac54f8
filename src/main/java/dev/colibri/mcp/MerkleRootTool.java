package dev.colibri.mcp;

import dev.colibri.backup.SnapshotInspector;
import dev.colibri.merkle.RootReport;

/** {@code merkle_root}: recompute the Merkle root and compare it with the external anchor. */
final class MerkleRootTool implements Tool {

    static final Definition DEFINITION = new Definition("merkle_root", "Merkle root and anchor check",
            "Recomputes the root of the latest finalized tree head from the thought records (live database or a"
            + " named snapshot) and compares it with the anchor log: match, mismatch or missing.",
            Hints.READ);

    private final SnapshotInspector inspector;

    MerkleRootTool(SnapshotInspector inspector) {
        this.inspector = inspector;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) throws Exception {
        String snapshot = args.optionalString("snapshot").orElse(null);
        RootReport r = inspector.merkleRoot(snapshot);
        var anchor = Fields.of().put("status", r.anchorStatus()).putNullable("anchored_root", r.anchoredRoot())
                .put("log_intact", r.anchorLogIntact()).map();
        var fields = Fields.of().put("root", r.root()).put("size", r.size()).put("anchor", anchor)
                .putNullable("stored_root", r.storedRoot()).put("records", r.recordsPresent())
                .put("pending_records", r.pendingRecords()).put("detail", r.detail())
                .put("target", snapshot == null ? "live database" : snapshot).map();
        String text = "merkle root size " + r.size() + ": anchor " + r.anchorStatus() + " (" + r.detail() + ")";
        return "mismatch".equals(r.anchorStatus()) || !r.anchorLogIntact() ? ToolResult.failed(fields, text)
                : ToolResult.ok(fields, text);
    }
}
