package dev.colibri.cli;

import dev.colibri.Colibri;
import dev.colibri.mcp.LocalTools;
import dev.colibri.workspace.Workspace;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that opens the workspace (taking the writer lock, so it refuses while a server holds
 * it) and calls one tool in-process. {@code --json} prints exactly the tool's structured result;
 * otherwise the result is printed for people. Exit code: 0, 1 for a failed check, 2 for a call
 * that could not be carried out.
 */
abstract class ToolCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the structured result as JSON: exactly what the matching MCP tool"
            + " returns.")
    boolean json;

    /** The tool this command calls. */
    abstract String tool();

    /** Its arguments, from the command's options. */
    abstract Map<String, Object> arguments();

    /** The arguments of a tool whose only argument is an optional snapshot name. */
    static Map<String, Object> snapshotArgument(String snapshot) {
        Map<String, Object> args = new java.util.LinkedHashMap<>();
        if (snapshot != null) {
            args.put("snapshot", snapshot);
        }
        return args;
    }

    /** Prints a result (complete, also for a failed check) for people. */
    abstract void human(Map<String, Object> result, PrintWriter out);

    /** Whether the call can take long enough to show progress on a console. */
    boolean showsProgress() {
        return false;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ConsoleProgress progress = showsProgress() ? ConsoleProgress.onConsole(err) : new ConsoleProgress(err, false);
        LocalTools.Outcome outcome;
        try (Colibri colibri = Colibri.openForOneCommand(Workspace.fromSystem(), Clock.systemUTC())) {
            outcome = new LocalTools(colibri).call(tool(), arguments(), progress);
            progress.finish();
            return print(outcome);
        }
    }

    /** Prints an outcome and returns the exit code for it. */
    int print(LocalTools.Outcome outcome) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (outcome.structured() == null) {
            err.println("colibri: " + outcome.text());
            err.flush();
            return Exit.USAGE;
        }
        if (json) {
            out.println(Json.pretty(outcome.structured()));
        } else {
            human(outcome.structured(), out);
        }
        out.flush();
        if (outcome.error()) {
            err.println("colibri: " + outcome.text());
            err.flush();
            return Exit.CHECK_FAILED;
        }
        return Exit.OK;
    }
}
