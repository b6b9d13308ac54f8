package dev.colibri.mcp;

import dev.colibri.Colibri;
import java.util.ArrayList;
import java.util.List;

/** Every tool the server offers, wired to the services of an open workspace. */
final class ColibriTools {

    private ColibriTools() {
    }

    static List<Tool> all(Colibri colibri) {
        List<Tool> tools = new ArrayList<>();
        tools.add(new TaskUpsertTool(colibri.tasks()));
        tools.add(new ThoughtRecordAppendTool(colibri.audit()));
        tools.add(new AuditVerifyChainTool(colibri.inspector()));
        tools.add(new MerkleFinalizeTool(colibri.merkle()));
        tools.add(new MerkleRootTool(colibri.inspector()));
        tools.add(new RoundSealTool(colibri.sealer(), colibri.workspace().home()));
        tools.add(new BackupCreateTool(colibri.backups()));
        tools.add(new BackupVerifyTool(colibri.catalog(), colibri.verifier()));
        tools.add(new RestorePlanTool(colibri.restorePlanner()));
        tools.add(new BackupListTool(colibri.retention()));
        tools.add(new BackupPruneTool(colibri.retention()));
        return tools;
    }
}
