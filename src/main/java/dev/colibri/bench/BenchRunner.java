package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The side-by-side benchmark: builds (or reuses) a workspace, then times Colibri's operations and
 * the public tools that do the same job ({@code sqlite3}, {@code cp}, {@code sync},
 * {@code sha256sum}), {@code runs} times each, interleaved run by run so that drift hits both
 * sides alike. Everything runs on a warm page cache: dropping it needs root and a quiet machine,
 * so the figures are warm-cache figures and say so.
 *
 * <p>This class sequences the measurement groups ({@link ProofMeasurements},
 * {@link BackupMeasurements}, {@link WriterLoadMeasurements}, {@link RestoreMeasurements},
 * {@link StartupMeasurements}), one section each, so that one failing group does not stop the others.
 */
public final class BenchRunner {

    /** What to run. */
    public record Options(long records, int runs, Path workspace, Path out, String chainHeap, int writerRate,
            int toolCalls) {

        public Options {
            if (records < 1) {
                throw new IllegalArgumentException("--records must be at least 1, got " + records);
            }
            if (runs < 1) {
                throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
            }
            if (writerRate < 1 || writerRate > 10_000) {
                throw new IllegalArgumentException("--writer-rate must be within 1..10000 commits/s, got " + writerRate);
            }
        }
    }

    private final Options options;
    private final PrintStream log;
    private final Map<String, Object> facts = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final String sqlite3;
    private BenchContext context;

    public BenchRunner(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
        this.sqlite3 = Cmd.probe("sqlite3", "-version");
    }

    /** Runs every measurement and returns the report (also written to {@code --out} when set). */
    public BenchReport run() throws Exception {
        boolean temporary = options.workspace() == null;
        Path dir = temporary ? Files.createTempDirectory("colibri-bench-") : options.workspace();
        Files.createDirectories(dir);
        BenchWorkspace bench = new BenchWorkspace(dir);
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        context = new BenchContext(options, bench, scratch, sqlite3);
        facts.put("sqlite3_cli", context.sqlite3Version());
        facts.put("page_cache", "warm: every figure is measured with the database in the page cache (dropping it needs"
                + " root and a quiet machine), the first, untimed, pass of the build or a previous run warms it");
        Set<String> backupsBefore = new HashSet<>();
        List<String> restoreWith = null;
        RestoreMeasurements restore = new RestoreMeasurements(context);
        long buildStart = System.nanoTime();
        Colibri colibri = bench.open(Clock.systemUTC());
        try {
            backupsBefore.addAll(BenchFiles.snapshotsIn(colibri.workspace().backupsDir()));
            long appended = bench.build(colibri, options.records(), log);
            facts.put("build_seconds", (System.nanoTime() - buildStart) / 1e9);
            facts.put("build_appended_records", appended);
            awaitHealthCheck();
            long records = colibri.database().read(AuditChain::count);
            facts.put("records", records);
            facts.put("database_bytes", Files.size(colibri.database().file()));
            facts.put("sqlite_jdbc", colibri.database().read(BenchRunner::sqliteVersion));
            log.printf("bench: %,d records, database %,d bytes; %d run(s) of each measurement%n", records,
                    Files.size(colibri.database().file()), options.runs());

            ProofMeasurements proofs = new ProofMeasurements(context, colibri);
            BackupMeasurements backups = new BackupMeasurements(context, colibri);
            measure("audit_verify_chain", proofs::chainVerify);
            measure("merkle_recompute", proofs::merkleRecompute);
            measure("snapshot", backups::snapshotAlone);
            String kept = section("backup_create", backups::backupCreate);
            if (kept != null) {
                measure("backup_verify", () -> backups.backupVerify(kept));
            }
            measure("merkle_finalize", proofs::merkleFinalize);
            measure("backup_under_load", new WriterLoadMeasurements(context, colibri)::backupUnderLoad);
            restoreWith = section("restore snapshots", () -> restore.takeSnapshots(colibri));
        } finally {
            colibri.close();
            BenchFiles.cleanBackups(bench.workspace().backupsDir(), backupsBefore, restoreWith, log);
        }
        if (restoreWith != null) {
            List<String> snapshots = restoreWith;
            measure("offline_restore", () -> restore.offlineRestore(snapshots));
        }
        measure("cold_start", new StartupMeasurements(context)::coldStart);
        BenchFiles.cleanBackups(bench.workspace().backupsDir(), backupsBefore, null, log);
        Map<String, Object> machine = MachineInfo.collect(dir);
        BenchFiles.deleteTree(scratch);
        if (temporary) {
            BenchFiles.deleteTree(dir);
        }
        BenchReport report = new BenchReport(options, machine, facts, context.rows(), failures);
        if (options.out() != null) {
            report.write(options.out());
        }
        return report;
    }

    /** A section's work, producing a value the next sections need. */
    @FunctionalInterface
    private interface Section<T> {
        T run() throws Exception;
    }

    /** A section's work that only adds rows. */
    @FunctionalInterface
    private interface Measurement {
        void run() throws Exception;
    }

    private void measure(String name, Measurement work) {
        section(name, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs one section: logs its name, then the rows it added; a failure is logged and recorded (the
     * report's {@code failures}, exit code 2) and gives null, and the benchmark goes on.
     */
    private <T> T section(String name, Section<T> work) {
        log.printf("bench: %s%n", name);
        int before = context.rows().size();
        try {
            T result = work.run();
            List<Comparison> rows = context.rows();
            if (rows.size() > before) {
                log.print(RatioTable.render(rows.subList(before, rows.size())));
            }
            return result;
        } catch (Exception | Error e) {
            String message = name + " failed: " + e;
            log.println("bench: " + message);
            failures.add(message);
            return null;
        }
    }

    private static String sqliteVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
            return rs.next() ? rs.getString(1) : "unknown";
        }
    }

    /** Waits for the boot quick_check so it does not compete with the first measurement. */
    private static void awaitHealthCheck() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if ("colibri-health-check".equals(t.getName())) {
                t.join(600_000);
            }
        }
    }
}
