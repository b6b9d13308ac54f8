package dev.colibri.cli;

import dev.colibri.mcp.LocalTools;
import dev.colibri.restore.OfflineRestore;
import dev.colibri.restore.Outcome;
import dev.colibri.restore.RestorePlanner;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code colibri restore}: without {@code --yes}, the {@code restore_plan} tool's plan (read-only,
 * no lock taken, so it also works while the server runs); with {@code --yes}, the offline restore.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Without --yes: print the restore plan (which snapshot, which were passed over and why, the"
                + " steps with their commands, the records it would lose). Changes nothing.",
            "With --yes: carry it out offline. The server must be stopped (the command refuses, naming its pid, while"
                + " one holds the workspace). It verifies the snapshot, moves data/colibri.db and its -wal/-shm aside as"
                + " data/colibri.db.broken-<YYYYMMDD-HHMMSS> (nothing is deleted), puts the snapshot in place"
                + " atomically, re-checks it and reports the audit chain and the Merkle anchor status."})
final class RestoreCommand extends ToolCommand {

    @Option(names = "--snapshot", paramLabel = "NAME", description = "Restore from this snapshot (default: the newest"
            + " that verifies clean, walking hot, then warm, then cold).")
    String snapshot;

    @Option(names = "--yes", description = "Really restore (default: only print the plan).")
    boolean yes;

    @Override
    String tool() {
        return "restore_plan";
    }

    @Override
    Map<String, Object> arguments() {
        return snapshotArgument(snapshot);
    }

    @Override
    public Integer call() {
        Workspace workspace = Workspace.fromSystem();
        if (!yes) {
            LocalTools planner = LocalTools.offline(RestorePlanner.offline(workspace, Clock.systemUTC()));
            return print(planner.call(tool(), arguments(), (done, total, message) -> { }));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConsoleProgress progress = ConsoleProgress.onConsole(err);
        Outcome outcome;
        try {
            outcome = new OfflineRestore(workspace, Clock.systemUTC()).run(Optional.ofNullable(snapshot),
                    step -> progress.note("restore: " + step.name() + " " + step.status()));
        } catch (IOException e) {
            err.println("colibri: the restore could not run: " + e.getMessage());
            return Exit.CHECK_FAILED;
        } finally {
            progress.finish();
        }
        if (json) {
            out.println(Json.pretty(RestoreReport.fields(outcome)));
        } else {
            RestoreReport.human(outcome, out);
        }
        out.flush();
        if (outcome.ok()) {
            return Exit.OK;
        }
        err.println("colibri: " + RestoreReport.problem(outcome));
        err.flush();
        return Exit.CHECK_FAILED;
    }

    @Override
    void human(Map<String, Object> plan, PrintWriter out) {
        Object candidate = plan.get("candidate");
        out.println(candidate == null ? "no snapshot is safe to restore from"
                : "restore from " + candidate + " (" + plan.get("candidate_tier") + " tier)");
        if (plan.get("data_loss") instanceof Map<?, ?> loss && loss.get("detail") != null) {
            out.println("data loss: " + loss.get("detail"));
        }
        if (plan.get("server_pid") != null) {
            out.println("the workspace is held by pid " + plan.get("server_pid") + " (the server must stop first)");
        }
        List<?> rejected = plan.get("rejected") instanceof List<?> l ? l : List.of();
        if (!rejected.isEmpty()) {
            out.println();
            out.println("passed over:");
            Table table = new Table("NAME", "TIER", "REASON");
            rejected.stream().filter(Map.class::isInstance).map(Map.class::cast)
                    .forEach(r -> table.row(r.get("name"), r.get("tier"), r.get("reason")));
            table.print(out);
        }
        out.println();
        out.println("steps (run from " + plan.get("workspace") + "):");
        if (plan.get("steps") instanceof List<?> steps) {
            for (Object o : steps) {
                if (o instanceof Map<?, ?> s) {
                    out.println(String.format("%3s. %s", s.get("step"), s.get("action")));
                    if (s.get("command") instanceof String c && !c.isEmpty()) {
                        out.println("     $ " + c);
                    }
                }
            }
        }
        if (plan.get("offline") instanceof Map<?, ?> offline) {
            out.println();
            out.println("or, with the server stopped: " + offline.get("command"));
        }
    }
}
