package dev.colibri.mcp;

import dev.colibri.backup.SnapshotName;
import dev.colibri.merkle.FinalizeResult;
import dev.colibri.merkle.MerkleService;

/** {@code merkle_finalize}: seal every record so far into a tree head and anchor it outside the database. */
final class MerkleFinalizeTool implements Tool {

    static final Definition DEFINITION = new Definition("merkle_finalize", "Finalize the Merkle tree",
            "Extends the Merkle proof tree over every thought record so far, records the tree head (size, root)"
            + " and appends it, fsynced, to the external anchor log docs/anchors.jsonl.",
            Hints.UPSERT);

    private final MerkleService merkle;

    MerkleFinalizeTool(MerkleService merkle) {
        this.merkle = merkle;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) {
        String round = args.optionalString("round").map(SnapshotName::requireRound).orElse(null);
        FinalizeResult r = merkle.finalizeAndAnchor(round);
        var fields = Fields.of().put("size", r.size()).put("root", r.root()).put("anchored", r.anchored())
                .put("round", r.round()).put("new_records", r.newRecords()).put("detail", r.detail()).map();
        String text = "tree head size " + r.size() + " root " + r.root().substring(0, 16) + "... "
                + (r.anchored() ? "anchored" : "NOT anchored: " + r.detail());
        return r.anchored() ? ToolResult.ok(fields, text) : ToolResult.failed(fields, text);
    }
}
