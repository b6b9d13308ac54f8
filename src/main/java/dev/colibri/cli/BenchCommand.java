package dev.colibri.cli;

import dev.colibri.bench.BenchReport;
import dev.colibri.bench.BenchRunner;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code colibri bench}: Colibri side by side with the sqlite3 CLI and coreutils, on a built workspace. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Build a workspace through Colibri's own write path, then time backup_create, backup_verify,"
                + " the audit chain, the Merkle tree, restore, a writer under backup and cold start, side by side"
                + " with sqlite3 .backup / VACUUM INTO / integrity_check / foreign_key_check, cp, sync and sha256sum.",
            "Prints a table of ratios (median and min-max over the runs) and optionally writes it as JSON."
                + " Figures are warm page cache. Without the sqlite3 CLI its columns say so.",
            "Exit code 0 when the benchmark ran (targets missed included), 1 with --fail-on-miss and a missed target,"
                + " 2 when a measurement failed."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--records", paramLabel = "N", defaultValue = "1000000",
            description = "thought records in the workspace (default ${DEFAULT-VALUE}: about 1 GB with ~800-byte contents)")
    long records;

    @Option(names = "--runs", paramLabel = "K", defaultValue = "5",
            description = "runs of each measurement (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--workspace", paramLabel = "DIR",
            description = "benchmark directory to build in and reuse on the next run (default: a temporary one,"
                    + " deleted at the end)")
    Path workspace;

    @Option(names = "--out", paramLabel = "FILE.json", description = "also write the report as JSON")
    Path out;

    @Option(names = "--chain-heap", paramLabel = "SIZE", defaultValue = "64m",
            description = "-Xmx of the child JVM that verifies the chain (default ${DEFAULT-VALUE})")
    String chainHeap;

    @Option(names = "--writer-rate", paramLabel = "N", defaultValue = "500",
            description = "commits per second of the writer during the backup-under-load measurement (default ${DEFAULT-VALUE})")
    int writerRate;

    @Option(names = "--tool-calls", paramLabel = "N", defaultValue = "20",
            description = "merkle_root calls timed per cold-start session (default ${DEFAULT-VALUE})")
    int toolCalls;

    @Option(names = "--only", paramLabel = "NAME", split = ",", completionCandidates = Sections.class,
            description = "run and report only these sections' rows (comma-separated, or the option repeated):"
                    + " ${COMPLETION-CANDIDATES} (default: all). What they need still runs unreported: backup_verify"
                    + " takes its own snapshot without backup_create, offline_restore its snapshots; the workspace"
                    + " is built (or reused) as always")
    List<String> only;

    @Option(names = "--fail-on-miss", description = "exit 1 when a measured target is missed")
    boolean failOnMiss;

    /** The names {@code --only} takes, for its help. */
    static final class Sections implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return BenchRunner.SECTIONS.iterator();
        }
    }

    /**
     * The runner's options from the command line.
     *
     * @throws IllegalArgumentException for a value out of range or an unknown {@code --only} name,
     *                                  before anything runs (exit code 2)
     */
    BenchRunner.Options options() {
        return new BenchRunner.Options(records, runs, workspace, out, chainHeap, writerRate, toolCalls, only);
    }

    @Override
    public Integer call() throws Exception {
        BenchReport report = new BenchRunner(options(), System.err).run();
        System.out.print(report.table());
        System.out.println();
        System.out.println("machine: " + report.machine());
        System.out.println("facts: " + report.facts());
        if (out != null) {
            System.out.println("JSON report: " + out.toAbsolutePath());
        }
        if (!report.failures().isEmpty()) {
            report.failures().forEach(f -> System.err.println("colibri bench: " + f));
            return 2;
        }
        return failOnMiss && !report.allTargetsMet() ? 1 : 0;
    }
}
