package dev.colibri.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code colibri audit verify}: the {@code audit_verify_chain} tool. */
@Command(name = "audit", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "The audit chain of thought records.", subcommands = AuditCommand.Verify.class)
final class AuditCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Recompute every record's HMAC link, on the live database or a snapshot. Exits 1 when the"
                    + " chain is broken, naming the first bad position.")
    static final class Verify extends ToolCommand {

        @Option(names = "--snapshot", paramLabel = "NAME", description = "A snapshot name (default: the live database).")
        String snapshot;

        @Override
        String tool() {
            return "audit_verify_chain";
        }

        @Override
        Map<String, Object> arguments() {
            return snapshotArgument(snapshot);
        }

        @Override
        void human(Map<String, Object> result, PrintWriter out) {
            Object target = result.getOrDefault("target", snapshot == null ? "live database" : snapshot);
            if ("ok".equals(result.get("status"))) {
                out.println("audit chain of " + target + ": ok");
            } else {
                out.println("audit chain of " + target + ": BROKEN at position " + result.get("break_at"));
            }
            if (result.get("reason") == null) {
                Table.pairs(out, "length", result.get("length"), "head", result.get("head_hash"));
            } else {
                Table.pairs(out, "length", result.get("length"), "head", result.get("head_hash"),
                        "reason", result.get("reason"));
            }
        }
    }
}
