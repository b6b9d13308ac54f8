package dev.colibri.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code colibri merkle root}: the {@code merkle_root} tool. */
@Command(name = "merkle", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "The Merkle proof tree and its external anchors.", subcommands = MerkleCommand.Root.class)
final class MerkleCommand {

    @Command(name = "root", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Recompute the root of the latest finalized tree head and compare it with the anchor log."
                    + " Exits 1 on a mismatch.")
    static final class Root extends ToolCommand {

        @Option(names = "--snapshot", paramLabel = "NAME", description = "A snapshot name (default: the live database).")
        String snapshot;

        @Override
        String tool() {
            return "merkle_root";
        }

        @Override
        Map<String, Object> arguments() {
            return snapshotArgument(snapshot);
        }

        @Override
        void human(Map<String, Object> result, PrintWriter out) {
            Map<?, ?> anchor = result.get("anchor") instanceof Map<?, ?> m ? m : Map.of();
            Table.pairs(out,
                    "target", result.getOrDefault("target", snapshot == null ? "live database" : snapshot),
                    "root", result.get("root"),
                    "size", result.get("size"),
                    "anchor", anchor.get("status"),
                    "anchored root", anchor.get("anchored_root"),
                    "detail", result.get("detail"));
        }
    }
}
