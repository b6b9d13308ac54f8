package dev.colibri.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code colibri script FILE}: a scripted MCP session against a server this command starts. */
@Command(name = "script", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Run a scripted MCP session: start a server on a workspace, run the steps of FILE (tool calls"
                + " with expectations, server stop/start, offline CLI commands, injected faults) and print one line"
                + " per step. Stops at the first failed expectation.",
            "The format is described in examples/README.md."})
final class ScriptCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The script (JSON).")
    Path file;

    @Option(names = "--workspace", paramLabel = "DIR", description = "Run on this workspace (default: a fresh"
            + " temporary one with its own audit key, removed when every step passes).")
    Path workspace;

    @Option(names = "--junit", paramLabel = "FILE", description = "Also write a JUnit XML report, one test case per"
            + " step.")
    Path junit;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            err.println("colibri: cannot read the script " + file + ": " + e.getMessage());
            return Exit.USAGE;
        }
        Script script;
        try {
            script = Script.parse(text);
        } catch (Script.Invalid e) {
            err.println("colibri: invalid script " + file + ": " + e.getMessage());
            return Exit.USAGE;
        }
        String suite = file.getFileName().toString().replaceFirst("\\.json$", "");
        ScratchWorkspace ws = workspace == null ? ScratchWorkspace.temporary() : ScratchWorkspace.at(workspace);
        return run(script, suite, ws, junit, false, spec.commandLine().getOut(), err);
    }

    /**
     * Runs a parsed script on a workspace and returns the exit code.
     *
     * @param keep whether to keep a temporary workspace even when every step passes
     */
    static int run(Script script, String suite, ScratchWorkspace ws, Path junit, boolean keep, PrintWriter out,
            PrintWriter err) throws IOException {
        if (!script.description().isEmpty()) {
            out.println(suite + ": " + script.description());
        }
        out.println("workspace " + ws.home() + (ws.isTemporary() ? " (temporary)" : ""));
        out.flush();
        ScriptRunner.Report report = new ScriptRunner(Launcher.current(), ws, out, err).run(script);
        if (junit != null) {
            JunitReport.write(junit, suite, report.startedAt(), report.results());
        }
        if (ws.isTemporary() && report.passed() && !keep) {
            ws.delete();
        } else if (ws.isTemporary() && !report.passed()) {
            err.println("the workspace is kept for inspection: " + ws.home());
        }
        out.flush();
        err.flush();
        return report.passed() ? Exit.OK : Exit.CHECK_FAILED;
    }
}
