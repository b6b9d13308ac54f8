package dev.colibri.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code colibri backup create}: the {@code backup_create} tool. */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Take a snapshot of the live database into data/backups/, check it with PRAGMA integrity_check"
                + " and write its manifest. The workspace must not be held by a running server (use the backup_create"
                + " tool through the server then).")
final class BackupCreateCommand extends ToolCommand {

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "session",
            description = "round, session, phase or premigrate (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--round", paramLabel = "R", description = "The round slug, like r75 (required for round and phase).")
    String round;

    @Option(names = "--label", paramLabel = "L", description = "A free-text note stored in the manifest.")
    String label;

    @Override
    String tool() {
        return "backup_create";
    }

    @Override
    Map<String, Object> arguments() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("kind", kind);
        if (round != null) {
            args.put("round", round);
        }
        if (label != null) {
            args.put("label", label);
        }
        return args;
    }

    @Override
    boolean showsProgress() {
        return true;
    }

    @Override
    void human(Map<String, Object> result, PrintWriter out) {
        Map<?, ?> s = result.get("snapshot") instanceof Map<?, ?> m ? m : Map.of();
        Table.pairs(out,
                "snapshot", s.get("name"),
                "path", s.get("path"),
                "size", Table.bytes(s.get("size_bytes")),
                "sha256", s.get("sha256"),
                "kind", s.get("kind") + (s.get("round") == null ? "" : " (round " + s.get("round") + ")"),
                "tier", s.get("tier"),
                "integrity", result.get("integrity"),
                "took", result.get("duration_ms") + " ms");
    }
}
