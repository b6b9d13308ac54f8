package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.backup.ProgressListener;
import java.io.IOException;
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
import java.util.LinkedHashSet;
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
 * {@code --only} narrows the run to some of the sections that report rows ({@link #plan}).
 */
public final class BenchRunner {

    /** The sections that report rows, in the order they run: the names {@code --only} takes. */
    public static final List<String> SECTIONS = List.of("audit_verify_chain", "merkle_recompute", "snapshot",
            "backup_create", "backup_verify", "merkle_finalize", "backup_under_load", "offline_restore", "cold_start");
    /** The section that takes backup_verify's snapshot when backup_create is not selected (no rows). */
    static final String VERIFY_SNAPSHOT = "backup_verify snapshot";
    /** The section that takes offline_restore's snapshots while the workspace is open (no rows). */
    static final String RESTORE_SNAPSHOTS = "restore snapshots";

    /**
     * What to run.
     *
     * @param only the sections whose rows to report ({@code --only}), in run order without repeats, or
     *             null for all of them
     */
    public record Options(long records, int runs, Path workspace, Path out, String chainHeap, int writerRate,
            int toolCalls, List<String> only) {

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
            only = only == null ? null : selection(only);
        }

        /** Every section. */
        public Options(long records, int runs, Path workspace, Path out, String chainHeap, int writerRate,
                int toolCalls) {
            this(records, runs, workspace, out, chainHeap, writerRate, toolCalls, null);
        }

        /** Whether the rows of {@code section} (one of {@link #SECTIONS}) are reported. */
        public boolean selects(String section) {
            return only == null || only.contains(section);
        }

        /**
         * The {@code --only} names checked and put in run order, repeats dropped; surrounding blanks do
         * not count.
         *
         * @throws IllegalArgumentException naming the unknown names and listing the valid ones, or when
         *                                  there are no names at all
         */
        private static List<String> selection(List<String> names) {
            Set<String> wanted = new HashSet<>();
            Set<String> unknown = new LinkedHashSet<>();
            for (String name : names) {
                String n = name == null ? "" : name.strip();
                if (SECTIONS.contains(n)) {
                    wanted.add(n);
                } else {
                    unknown.add("\"" + n + "\"");
                }
            }
            String valid = "; valid names: " + String.join(", ", SECTIONS);
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("unknown --only section" + (unknown.size() == 1 ? " " : "s ")
                        + String.join(", ", unknown) + valid);
            }
            if (wanted.isEmpty()) {
                throw new IllegalArgumentException("--only needs at least one section name" + valid);
            }
            return SECTIONS.stream().filter(wanted::contains).toList();
        }
    }

    /**
     * The sections a run goes through, in the order it runs them: every selected one, each preceded by
     * the section it needs. backup_verify verifies the snapshot backup_create kept, or, when
     * backup_create is not selected, one taken by {@link #VERIFY_SNAPSHOT}; offline_restore restores the
     * snapshots {@link #RESTORE_SNAPSHOTS} takes. Without {@code --only}: every section, as always.
     */
    static List<String> plan(Options options) {
        List<String> plan = new ArrayList<>();
        for (String section : SECTIONS) {
            if (!options.selects(section)) {
                continue;
            }
            if (section.equals("backup_verify") && !options.selects("backup_create")) {
                plan.add(VERIFY_SNAPSHOT);
            }
            if (section.equals("offline_restore")) {
                plan.add(RESTORE_SNAPSHOTS);
            }
            plan.add(section);
        }
        return List.copyOf(plan);
    }

    private final Options options;
    private final PrintStream log;
    private final Map<String, Object> facts = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final String sqlite3;
    private final List<String> plan;
    private BenchContext context;

    public BenchRunner(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
        this.plan = plan(options);
        this.sqlite3 = Cmd.probe("sqlite3", "-version");
    }

    /**
     * Builds or reuses the workspace, runs the {@link #plan} and returns the report (also written to
     * {@code --out} when set); its {@code only} fact is the selected sections, or null for all.
     */
    public BenchReport run() throws Exception {
        boolean temporary = options.workspace() == null;
        Path dir = temporary ? Files.createTempDirectory("colibri-bench-") : options.workspace();
        Files.createDirectories(dir);
        BenchWorkspace bench = new BenchWorkspace(dir);
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        context = new BenchContext(options, bench, scratch, sqlite3);
        facts.put("only", options.only());
        facts.put("sqlite3_cli", context.sqlite3Version());
        facts.put("page_cache", "warm: every figure is measured with the database in the page cache (dropping it needs"
                + " root and a quiet machine), the first, untimed, pass of the build or a previous run warms it; the"
                + " chain and Merkle rows also time after an untimed pass of their own");
        Set<String> backupsBefore = new HashSet<>();
        List<String> restoreWith = null;
        RestoreMeasurements restore = new RestoreMeasurements(context, log);
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
            if (options.only() != null) {
                log.printf("bench: --only %s: running %s%n", String.join(",", options.only()), String.join(", ", plan));
            }

            ProofMeasurements proofs = new ProofMeasurements(context, colibri);
            BackupMeasurements backups = new BackupMeasurements(context, colibri);
            measure("audit_verify_chain", proofs::chainVerify);
            measure("merkle_recompute", proofs::merkleRecompute);
            measure("snapshot", backups::snapshotAlone);
            String created = section("backup_create", backups::backupCreate);
            String taken = section(VERIFY_SNAPSHOT, () -> verifySnapshot(colibri));
            String kept = created != null ? created : taken;
            if (kept != null) {
                measure("backup_verify", () -> backups.backupVerify(kept));
            }
            measure("merkle_finalize", proofs::merkleFinalize);
            measure("backup_under_load", new WriterLoadMeasurements(context, colibri)::backupUnderLoad);
            restoreWith = section(RESTORE_SNAPSHOTS, () -> restore.takeSnapshots(colibri));
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
     * Runs one section of the {@link #plan} (any other gives null at once, silently): logs its name,
     * then the rows it added; a failure is logged and recorded (the report's {@code failures}, exit
     * code 2) and gives null, and the benchmark goes on.
     */
    private <T> T section(String name, Section<T> work) {
        if (!SECTIONS.contains(name) && !VERIFY_SNAPSHOT.equals(name) && !RESTORE_SNAPSHOTS.equals(name)) {
            throw new IllegalStateException("no section " + name); // a misspelt name would never run
        }
        if (!plan.contains(name)) {
            return null;
        }
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

    /**
     * backup_verify's snapshot when backup_create is not selected: one {@code BackupService.create},
     * untimed, exactly as each of backup_create's runs makes the snapshot it keeps (BackupService
     * writes nothing to the database, so the snapshot verified holds the same database).
     */
    private static String verifySnapshot(Colibri colibri) throws IOException {
        BenchContext.quiesce(colibri);
        return colibri.backups().create("session", null, "bench", ProgressListener.none()).snapshot().name();
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
