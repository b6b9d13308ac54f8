package dev.colibri.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code colibri demo}: a round recorded, sealed, snapshotted and verified, on a scratch workspace. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Watch the runbook happen: starts a server on a scratch workspace and runs the round-seal example"
                + " (tasks, thought records, Merkle finalize, round seal, anchor and audit checks, snapshot"
                + " verification), one line per step. The workspace is kept so you can look at it.")
final class DemoCommand implements Callable<Integer> {

    static final String SCRIPT = "/examples/round-seal.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--workspace", paramLabel = "DIR", description = "Run on this workspace (default: a fresh"
            + " temporary one, printed, with its own audit key).")
    Path workspace;

    @Override
    public Integer call() throws IOException, Script.Invalid {
        PrintWriter out = spec.commandLine().getOut();
        Script script;
        try (InputStream in = DemoCommand.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("the demo script " + SCRIPT + " is missing from the jar; rebuild it");
            }
            script = Script.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        ScratchWorkspace ws = workspace == null ? ScratchWorkspace.temporary() : ScratchWorkspace.at(workspace);
        out.println("Colibri demo: a server is started on a scratch workspace and driven over MCP, one line per step.");
        int code = ScriptCommand.run(script, "round-seal", ws, null, true, out, spec.commandLine().getErr());
        if (code == Exit.OK) {
            nextSteps(ws, out);
        }
        return code;
    }

    private static void nextSteps(ScratchWorkspace ws, PrintWriter out) {
        out.println();
        out.println("Look around " + ws.home() + ": data/backups/ (the snapshot and its manifest),"
                + " docs/rounds/r1-seal.md (the seal naming the root), docs/anchors.jsonl (the anchor log).");
        out.println("Then try the commands on it:");
        StringBuilder export = new StringBuilder("  export");
        for (Map.Entry<String, String> e : ws.env().entrySet()) {
            export.append(' ').append(e.getKey()).append('=').append(e.getValue());
        }
        out.println(export);
        Launcher self = Launcher.current();
        String colibri = Files.isRegularFile(Path.of(self.classPath())) ? "java -jar " + self.classPath() : "colibri";
        out.println("  " + colibri + " backup list");
        out.println("  " + colibri + " audit verify");
        out.println("  " + colibri + " restore            # prints the restore plan; changes nothing");
        out.flush();
    }
}
