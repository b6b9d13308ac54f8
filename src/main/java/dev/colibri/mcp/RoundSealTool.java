package dev.colibri.mcp;

import dev.colibri.RoundSealer;

/** {@code round_seal}: finalize, anchor, snapshot and write the round's seal document. */
final class RoundSealTool implements Tool {

    static final Definition DEFINITION = new Definition("round_seal", "Seal a round",
            "Seals a round: finalizes the Merkle tree and anchors its root, takes the round snapshot, and writes"
            + " docs/rounds/<round>-seal.md naming the root. A round is sealed once.",
            Hints.APPEND);

    private final RoundSealer sealer;
    private final java.nio.file.Path home;

    RoundSealTool(RoundSealer sealer, java.nio.file.Path home) {
        this.sealer = sealer;
        this.home = home;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) throws Exception {
        RoundSealer.Seal s = sealer.seal(args.string("round"), (done, total) -> progress.report(done, total, "snapshot"));
        var fields = Fields.of().put("round", s.round())
                .put("merkle", Fields.of().put("size", s.head().size()).put("root", s.head().root())
                        .put("anchored", s.head().anchored()).map())
                .put("snapshot", SnapshotFields.of(s.snapshot()))
                .put("seal_document", home.relativize(s.sealDocument()).toString()).map();
        return ToolResult.ok(fields, "sealed " + s.round() + ": root " + s.head().root().substring(0, 16) + "... size "
                + s.head().size() + ", snapshot " + s.snapshot().snapshot().name());
    }
}
