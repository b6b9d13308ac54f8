package dev.colibri.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code colibri backup list}: the {@code backup_list} tool. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List the snapshots, newest first, with their tier, age and retention verdict.")
final class BackupListCommand extends ToolCommand {

    @Option(names = "--tier", paramLabel = "T", description = "Only this tier: hot, warm or cold.")
    String tier;

    @Override
    String tool() {
        return "backup_list";
    }

    @Override
    Map<String, Object> arguments() {
        return tier == null ? Map.of() : Map.of("tier", tier);
    }

    @Override
    void human(Map<String, Object> result, PrintWriter out) {
        Table table = new Table("NAME", "KIND", "ROUND", "TIER", "AGE", "SIZE", "RETENTION", "REASON");
        if (result.get("snapshots") instanceof List<?> snapshots) {
            for (Object o : snapshots) {
                if (o instanceof Map<?, ?> s) {
                    table.row(s.get("name"), s.get("kind"), s.get("round"), s.get("tier"), Table.days(s.get("age_days")),
                            Table.bytes(s.get("size_bytes")), s.get("retention"), s.get("reason"));
                }
            }
        }
        if (table.isEmpty()) {
            out.println("no snapshots" + (tier == null ? "" : " in the " + tier + " tier"));
        } else {
            table.print(out);
        }
        if (result.get("cold_tier") != null) {
            out.println("cold tier: " + result.get("cold_tier"));
        }
    }
}
