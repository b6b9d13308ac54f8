package dev.colibri.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code colibri backup prune}: the {@code backup_prune} tool, a dry run unless {@code --yes}. */
@Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Remove the snapshots retention marks prune (snapshot and manifest together). Without --yes it"
                + " only shows what it would remove.")
final class BackupPruneCommand extends ToolCommand {

    @Option(names = "--yes", description = "Really remove them (default: a dry run).")
    boolean yes;

    @Override
    String tool() {
        return "backup_prune";
    }

    @Override
    Map<String, Object> arguments() {
        return Map.of("dry_run", !yes);
    }

    @Override
    void human(Map<String, Object> result, PrintWriter out) {
        boolean dryRun = !Boolean.FALSE.equals(result.get("dry_run"));
        List<?> pruned = result.get("pruned") instanceof List<?> l ? l : List.of();
        String count = pruned.size() + (pruned.size() == 1 ? " snapshot" : " snapshots");
        String freed = Table.bytes(result.get("freed_bytes"));
        out.println(dryRun ? "dry run: would remove " + count + " (" + freed + "), keep " + result.get("kept")
                : "removed " + count + " (" + freed + "), kept " + result.get("kept"));
        if (!pruned.isEmpty()) {
            Table table = new Table("NAME", "TIER", "SIZE", "REASON");
            for (Object o : pruned) {
                if (o instanceof Map<?, ?> p) {
                    table.row(p.get("name"), p.get("tier"), Table.bytes(p.get("size_bytes")), p.get("reason"));
                }
            }
            table.print(out);
        }
        if (dryRun && !pruned.isEmpty()) {
            out.println("run 'colibri backup prune --yes' to remove them");
        }
    }
}
