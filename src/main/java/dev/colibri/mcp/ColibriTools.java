package dev.colibri.mcp;

import dev.colibri.Colibri;
import java.util.List;
import java.util.function.Function;

/** Every tool the server offers: its definition, and how it is wired to the services of an open workspace. */
final class ColibriTools {

    /** A tool's definition and the adapter that carries it out on an open workspace. */
    private record Binding(Tool.Definition definition, Function<Colibri, Tool> adapter) {
    }

    private static final List<Binding> BINDINGS = List.of(
            new Binding(TaskUpsertTool.DEFINITION, c -> new TaskUpsertTool(c.tasks())),
            new Binding(ThoughtRecordAppendTool.DEFINITION, c -> new ThoughtRecordAppendTool(c.audit())),
            new Binding(AuditVerifyChainTool.DEFINITION, c -> new AuditVerifyChainTool(c.inspector())),
            new Binding(MerkleFinalizeTool.DEFINITION, c -> new MerkleFinalizeTool(c.merkle())),
            new Binding(MerkleRootTool.DEFINITION, c -> new MerkleRootTool(c.inspector())),
            new Binding(RoundSealTool.DEFINITION, c -> new RoundSealTool(c.sealer(), c.workspace().home())),
            new Binding(BackupCreateTool.DEFINITION, c -> new BackupCreateTool(c.backups())),
            new Binding(BackupVerifyTool.DEFINITION,
                    c -> new BackupVerifyTool(c.catalog(), c.verifier(), c.verdicts())),
            new Binding(RestorePlanTool.DEFINITION, c -> new RestorePlanTool(c.restorePlanner())),
            new Binding(BackupListTool.DEFINITION, c -> new BackupListTool(c.retention())),
            new Binding(BackupPruneTool.DEFINITION, c -> new BackupPruneTool(c.retention())));

    private ColibriTools() {
    }

    /** The definitions of {@link #all}, in the same order; they need no workspace. */
    static List<Tool.Definition> definitions() {
        return BINDINGS.stream().map(Binding::definition).toList();
    }

    static List<Tool> all(Colibri colibri) {
        return BINDINGS.stream().map(b -> b.adapter().apply(colibri)).toList();
    }
}
