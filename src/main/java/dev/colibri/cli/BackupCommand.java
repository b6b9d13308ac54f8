package dev.colibri.cli;

import picocli.CommandLine.Command;

/** {@code colibri backup}: the snapshot commands. */
@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Take, verify, list and prune snapshots of the workspace database.",
        subcommands = {BackupCreateCommand.class, BackupVerifyCommand.class, BackupListCommand.class,
            BackupPruneCommand.class})
final class BackupCommand {
}
