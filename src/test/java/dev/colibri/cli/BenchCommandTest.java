package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    private static final String NAMES = "audit_verify_chain, merkle_recompute, snapshot, backup_create, backup_verify,"
            + " merkle_finalize, backup_under_load, offline_restore, cold_start";

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static BenchCommand parsed(String... args) {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs(args);
        return bench;
    }

    /** {@code colibri args...} as {@link Main#run} runs it, with its output captured. */
    private int colibri(String... args) {
        CommandLine cli = new CommandLine(new RootCommand());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void onlyTakesCommaSeparatedNamesAndRepeats() {
        assertNull(parsed().options().only());
        BenchCommand bench = parsed("--only", "merkle_finalize,backup_verify", "--only", "snapshot");
        assertEquals(List.of("merkle_finalize", "backup_verify", "snapshot"), bench.only);
        assertEquals(List.of("snapshot", "backup_verify", "merkle_finalize"), bench.options().only());
    }

    @Test
    void anUnknownNameExitsTwoBeforeAnythingRuns() {
        Path workspace = tmp.resolve("ws");
        int code = colibri("bench", "--records", "10", "--runs", "1", "--workspace", workspace.toString(),
                "--only", "merkle_finalize,backup-verify");
        assertEquals(2, code);
        assertEquals("colibri: unknown --only section \"backup-verify\"; valid names: " + NAMES + "\n",
                err.toString().replace(System.lineSeparator(), "\n"));
        assertEquals("", out.toString());
        assertFalse(Files.exists(workspace));
    }

    @Test
    void theHelpListsTheNames() {
        assertEquals(0, colibri("bench", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("--only=NAME[,NAME...]"), help);
        assertTrue(help.contains(NAMES + " (default: all)"), help);
    }
}
