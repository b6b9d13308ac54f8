package dev.colibri.cli;

import picocli.CommandLine.Command;

/** {@code colibri}: the command tree. */
@Command(name = "colibri", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Colibri backup server: MCP over stdio (serve) and the backup/restore runbook as commands.",
        subcommands = {ServeCommand.class, BackupCommand.class, RestoreCommand.class, AuditCommand.class,
            MerkleCommand.class, ScriptCommand.class, DemoCommand.class, BenchCommand.class})
final class RootCommand {
}
