package dev.colibri.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code colibri backup verify NAME}: the {@code backup_verify} tool. */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Run every check on a snapshot (integrity, foreign keys, load-bearing tables, checksum, audit"
                + " chain, Merkle root against the anchor log). Exits 1 when it is not safe to restore.")
final class BackupVerifyCommand extends ToolCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "A snapshot name as listed by 'backup list'.")
    String name;

    @Override
    String tool() {
        return "backup_verify";
    }

    @Override
    Map<String, Object> arguments() {
        return Map.of("snapshot", name);
    }

    @Override
    boolean showsProgress() {
        return true;
    }

    @Override
    void human(Map<String, Object> result, PrintWriter out) {
        boolean safe = Boolean.TRUE.equals(result.get("safe_to_restore"));
        out.println(result.get("snapshot") + ": " + (safe ? "safe to restore" : "NOT safe to restore"));
        Table table = new Table("CHECK", "STATUS", "DETAIL");
        if (result.get("checks") instanceof List<?> checks) {
            for (Object c : checks) {
                if (c instanceof Map<?, ?> check) {
                    table.row(check.get("name"), check.get("status"), check.get("detail"));
                }
            }
        }
        table.print(out);
    }
}
