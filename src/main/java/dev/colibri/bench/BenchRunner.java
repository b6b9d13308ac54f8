package dev.colibri.bench;

import dev.colibri.cli.ChainVerifyMain;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.backup.BackupResult;
import dev.colibri.backup.ProgressListener;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotCopier;
import dev.colibri.backup.Verification;
import dev.colibri.backup.WriteGate;
import dev.colibri.merkle.FinalizeResult;
import dev.colibri.merkle.MerkleLog;
import dev.colibri.restore.OfflineRestore;
import dev.colibri.restore.Outcome;
import dev.colibri.restore.StepListener;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Sqlite;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The side-by-side benchmark: builds (or reuses) a workspace, then times Colibri's operations and
 * the public tools that do the same job ({@code sqlite3}, {@code cp}, {@code sync},
 * {@code sha256sum}), {@code runs} times each, interleaved run by run so that drift hits both
 * sides alike. Everything runs on a warm page cache: dropping it needs root and a quiet machine,
 * so the figures are warm-cache figures and say so.
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

    static final String NO_SQLITE3 = "sqlite3 CLI not installed";

    private final Options options;
    private final PrintStream log;
    private final List<Comparison> rows = new ArrayList<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final String sqlite3;
    private BenchWorkspace bench;
    private Colibri colibri;
    private Path scratch;

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
        bench = new BenchWorkspace(dir);
        scratch = Files.createDirectories(dir.resolve("scratch"));
        facts.put("sqlite3_cli", sqlite3 == null ? NO_SQLITE3 : sqlite3);
        facts.put("page_cache", "warm: every figure is measured with the database in the page cache (dropping it needs"
                + " root and a quiet machine), the first, untimed, pass of the build or a previous run warms it");
        Set<String> backupsBefore = new HashSet<>();
        List<String> restoreWith = null;
        long buildStart = System.nanoTime();
        colibri = bench.open(Clock.systemUTC());
        try {
            backupsBefore.addAll(list(colibri.workspace().backupsDir()));
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

            section("audit_verify_chain", this::chainVerify);
            section("merkle_recompute", this::merkleRecompute);
            section("snapshot", this::snapshotAlone);
            String kept = section("backup_create", this::backupCreate);
            if (kept != null) {
                section("backup_verify", () -> backupVerify(kept));
            }
            section("merkle_finalize", this::merkleFinalize);
            section("backup_under_load", this::backupUnderLoad);
            restoreWith = section("restore snapshots", this::restoreSnapshots);
        } finally {
            colibri.close();
            cleanBackups(bench.workspace().backupsDir(), backupsBefore, restoreWith);
        }
        if (restoreWith != null) {
            List<String> snapshots = restoreWith;
            section("offline_restore", () -> offlineRestore(snapshots));
        }
        section("cold_start", this::coldStart);
        cleanBackups(bench.workspace().backupsDir(), backupsBefore, null);
        Map<String, Object> machine = MachineInfo.collect(dir);
        deleteTree(scratch);
        if (temporary) {
            deleteTree(dir);
        }
        BenchReport report = new BenchReport(options, machine, facts, rows, failures);
        if (options.out() != null) {
            report.write(options.out());
        }
        return report;
    }

    @FunctionalInterface
    private interface Section<T> {
        T run() throws Exception;
    }

    private <T> T section(String name, Section<T> work) {
        log.printf("bench: %s%n", name);
        int before = rows.size();
        try {
            T result = work.run();
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

    // ---------------------------------------------------------------- audit chain and Merkle tree

    private Void chainVerify() throws Exception {
        Series child = new Series();
        Series inProcess = new Series();
        String last = "";
        for (int i = 0; i < options.runs(); i++) {
            Cmd.Result r = Cmd.run(List.of(javaExecutable(), "-Xmx" + options.chainHeap(), "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), ChainVerifyMain.class.getName(),
                    colibri.database().file().toString(), bench.workspace().keyFile().toString()));
            last = r.stdout().strip();
            child.add(Double.parseDouble(field(last, "ms")));
            if (!"true".equals(field(last, "ok"))) {
                throw new IllegalStateException("the chain did not verify: " + last);
            }
            inProcess.time(() -> colibri.audit().verifyLive());
        }
        add(Comparison.absolute("audit_verify_chain", "audit_verify_chain, all records, child JVM -Xmx"
                + options.chainHeap(), child.wall(), Target.millisAtMost(1_500))
                .withNote("AuditChain.verify timed inside a child JVM started with -Xmx" + options.chainHeap()
                        + " -XX:+UseSerialGC (JVM start excluded); last run: " + last));
        add(Comparison.absolute("audit_verify_chain_in_process", "  same, in this JVM (AuditService.verifyLive)",
                inProcess.wall(), Target.none()).withCpu(inProcess.cpu(), null));
        return null;
    }

    private Void merkleRecompute() throws Exception {
        Series s = new Series();
        long size = colibri.database().read(AuditChain::count);
        for (int i = 0; i < options.runs(); i++) {
            s.time(() -> colibri.database().read(c -> MerkleLog.recompute(c, size)));
        }
        add(Comparison.absolute("merkle_recompute", "Merkle recompute, all records (MerkleLog.recompute)", s.wall(),
                Target.millisAtMost(700)).withCpu(s.cpu(), null));
        return null;
    }

    private Void merkleFinalize() throws Exception {
        Series s = new Series();
        AuditChain chain = colibri.audit().chain();
        for (int i = 0; i < options.runs(); i++) {
            colibri.merkle().finalizeAndAnchor(null);
            colibri.database().write(c -> {
                for (int k = 0; k < 1_000; k++) {
                    chain.append(c, "observation", BenchWorkspace.content(k), null);
                }
                return null;
            });
            FinalizeResult[] r = new FinalizeResult[1];
            s.time(() -> r[0] = colibri.merkle().finalizeAndAnchor(null));
            if (r[0].newRecords() != 1_000 || !r[0].anchored()) {
                throw new IllegalStateException("finalize covered " + r[0].newRecords() + " new records, anchored "
                        + r[0].anchored());
            }
        }
        add(Comparison.absolute("merkle_finalize", "merkle_finalize after 1,000 new records (finalize + anchor)",
                s.wall(), Target.millisAtMost(20)).withCpu(s.cpu(), null)
                .withNote("three durable writes: the tree head commit, the fsynced anchor line, the anchored mark"));
        return null;
    }

    // ---------------------------------------------------------------- snapshots

    private Void snapshotAlone() throws Exception {
        Database db = colibri.database();
        String live = db.file().toString();
        Path out = scratch.resolve("copy.db");
        String o = out.toString();
        Series colibriCopy = new Series();
        Series backup = new Series();
        Series vacuum = new Series();
        Series cp = new Series();
        Series cpSync = new Series();
        WriteGate gate = new WriteGate() {
            @Override
            public <T> T paused(Callable<T> action) throws Exception {
                return db.whileWritesPaused(action);
            }
        };
        for (int i = 0; i < options.runs(); i++) {
            quiesce();
            colibriCopy.time(() -> new SnapshotCopier(db.file(), gate).copy(out, ProgressListener.none()));
            Files.deleteIfExists(out);
            if (sqlite3 != null) {
                quiesce();
                backup.time(() -> Cmd.runAll(List.of(Cmd.Step.of("sqlite3", live, ".backup '" + o + "'"))));
                Files.deleteIfExists(out);
                quiesce();
                vacuum.time(() -> Cmd.runAll(List.of(Cmd.Step.of("sqlite3", live, "VACUUM INTO '" + o + "'"))));
                Files.deleteIfExists(out);
            }
            quiesce();
            cp.time(() -> Cmd.runAll(List.of(Cmd.Step.of("cp", live, o))));
            Files.deleteIfExists(out);
            quiesce();
            cpSync.time(() -> Cmd.runAll(List.of(Cmd.Step.of("cp", live, o), Cmd.Step.of("sync", o))));
            Files.deleteIfExists(out);
        }
        String label = "snapshot alone (SnapshotCopier)";
        add(cli(Comparison.ratio("snapshot_vs_backup", label, colibriCopy.wall(), "sqlite3 .backup", backup.wall(),
                Target.ratioAtMost(0.6)).withCpu(colibriCopy.cpu(), backup.cpu())));
        add(cli(Comparison.ratio("snapshot_vs_vacuum_into", label, colibriCopy.wall(), "sqlite3 VACUUM INTO",
                vacuum.wall(), Target.none()).withCpu(colibriCopy.cpu(), vacuum.cpu())));
        add(Comparison.ratio("snapshot_vs_cp", label, colibriCopy.wall(), "cp", cp.wall(), Target.none())
                .withCpu(colibriCopy.cpu(), cp.cpu()));
        add(Comparison.ratio("snapshot_vs_cp_sync", label, colibriCopy.wall(), "cp + sync FILE", cpSync.wall(),
                Target.none()).withCpu(colibriCopy.cpu(), cpSync.cpu()));
        return null;
    }

    private String backupCreate() throws Exception {
        String live = colibri.database().file().toString();
        Path out = scratch.resolve("cli-backup.db");
        String o = out.toString();
        Series colibriCreate = new Series();
        Series cliSum = new Series();
        String[] kept = new String[1];
        for (int i = 0; i < options.runs(); i++) {
            quiesce();
            BackupResult[] r = new BackupResult[1];
            colibriCreate.time(() -> r[0] = colibri.backups().create("session", null, "bench", ProgressListener.none()));
            if (kept[0] != null) {
                deleteSnapshot(colibri.catalog().resolve(kept[0]));
            }
            kept[0] = r[0].snapshot().name();
            if (sqlite3 != null) {
                quiesce();
                cliSum.time(() -> Cmd.runAll(List.of(Cmd.Step.of("sqlite3", live, ".backup '" + o + "'"),
                        Cmd.Step.expecting("ok", "sqlite3", o, "PRAGMA integrity_check"),
                        Cmd.Step.of("sha256sum", o))));
                Files.deleteIfExists(out);
            }
        }
        add(cli(Comparison.ratio("backup_create", "backup_create (snapshot + fsync + sha256 + integrity_check)",
                colibriCreate.wall(), "sqlite3 .backup + integrity_check + sha256sum", cliSum.wall(),
                Target.ratioAtMost(0.5)).withCpu(colibriCreate.cpu(), cliSum.cpu())));
        return kept[0];
    }

    private Void backupVerify(String name) throws Exception {
        Snapshot snapshot = colibri.catalog().resolve(name);
        Path path = snapshot.path();
        String file = path.toString();
        Series verify = new Series();
        Series cliSum = new Series();
        Series integrity = new Series();
        Series foreignKeys = new Series();
        Series sha = new Series();
        Series chain = new Series();
        Series merkle = new Series();
        for (int i = 0; i < options.runs(); i++) {
            Verification[] v = new Verification[1];
            verify.time(() -> v[0] = colibri.verifier().verify(snapshot));
            if (!v[0].safeToRestore()) {
                throw new IllegalStateException("the benchmark snapshot did not verify: " + v[0].failures());
            }
            if (sqlite3 != null) {
                cliSum.time(() -> Cmd.runAll(List.of(Cmd.Step.expecting("ok", "sqlite3", file, "PRAGMA integrity_check"),
                        Cmd.Step.expecting("", "sqlite3", file, "PRAGMA foreign_key_check"),
                        Cmd.Step.of("sha256sum", file))));
            }
            // The parts of the verification one at a time on one thread: the ingredients of its critical path.
            integrity.time(() -> onSnapshot(path, c -> pragma(c, "PRAGMA integrity_check")));
            foreignKeys.time(() -> onSnapshot(path, c -> pragma(c, "PRAGMA foreign_key_check")));
            sha.time(() -> sha256(path));
            chain.time(() -> onSnapshot(path, c -> colibri.audit().chain().verify(c)));
            merkle.time(() -> onSnapshot(path, c -> MerkleLog.recompute(c, AuditChain.count(c))));
        }
        add(cli(Comparison.ratio("backup_verify", "backup_verify (SnapshotVerifier, all checks)", verify.wall(),
                "sqlite3 integrity_check + foreign_key_check + sha256sum", cliSum.wall(), Target.ratioAtMost(0.6))
                .withCpu(verify.cpu(), cliSum.cpu())));
        add(part("verify_part_integrity", "  part: PRAGMA integrity_check (JDBC)", integrity));
        add(part("verify_part_foreign_keys", "  part: PRAGMA foreign_key_check (JDBC)", foreignKeys));
        add(part("verify_part_sha256", "  part: SHA-256 of the file (Java)", sha));
        add(part("verify_part_chain", "  part: audit chain walk (reader + HMAC threads)", chain));
        add(part("verify_part_merkle", "  part: Merkle recompute", merkle));
        deleteSnapshot(snapshot);
        return null;
    }

    private static Comparison part(String key, String label, Series s) {
        return Comparison.absolute(key, label, s.wall(), Target.none()).withCpu(s.cpu(), null);
    }

    private Void backupUnderLoad() throws Exception {
        Series idleBackup = new Series();
        Series loadedBackup = new Series();
        List<Double> idleLatency = new ArrayList<>();
        List<Double> loadedLatency = new ArrayList<>();
        double idleRate = 0;
        double loadedRate = 0;
        for (int i = 0; i < options.runs(); i++) {
            quiesce();
            BackupResult[] idle = new BackupResult[1];
            idleBackup.time(() -> idle[0] = colibri.backups().create("session", null, "bench idle", ProgressListener.none()));
            deleteSnapshot(idle[0].snapshot());
            long windowMs = (long) Math.max(1_000, idleBackup.wall().max());
            try (WriterLoad writer = new WriterLoad(colibri, options.writerRate()).start()) {
                Thread.sleep(300);
                long from = System.nanoTime();
                Thread.sleep(windowMs);
                long to = System.nanoTime();
                List<Double> l = writer.latenciesBetween(from, to);
                idleLatency.addAll(l);
                idleRate = l.size() / ((to - from) / 1e9);
            }
            quiesce();
            try (WriterLoad writer = new WriterLoad(colibri, options.writerRate()).start()) {
                Thread.sleep(300);
                long from = System.nanoTime();
                BackupResult[] loaded = new BackupResult[1];
                loadedBackup.time(() -> loaded[0] = colibri.backups().create("session", null, "bench loaded",
                        ProgressListener.none()));
                long to = System.nanoTime();
                Thread.sleep(100);
                List<Double> l = writer.latenciesBetween(from, to);
                loadedLatency.addAll(l);
                loadedRate = l.size() / ((to - from) / 1e9);
                deleteSnapshot(loaded[0].snapshot());
            }
        }
        add(Comparison.ratio("backup_under_load", "backup_create while a writer commits " + options.writerRate() + "/s",
                loadedBackup.wall(), "backup_create, writer idle", idleBackup.wall(), Target.ratioAtMost(1.5)));
        add(Comparison.ratio("commit_latency_under_backup", "writer commit latency during backup_create",
                statsOrNull(loadedLatency), "same writer, no backup", statsOrNull(idleLatency), Target.ratioAtMost(2))
                .withStatistic(Stats.Statistic.P99)
                .withNote(String.format(java.util.Locale.ROOT, "one thought record per Database.write (synchronous=FULL:"
                        + " an fsync per commit); paced at %d commits/s, achieved %.0f/s alone and %.0f/s during the"
                        + " backup (last run)", options.writerRate(), idleRate, loadedRate)));
        return null;
    }

    // ---------------------------------------------------------------- restore and cold start

    /** Snapshots for the offline restore runs, taken while the workspace is open (one per run). */
    private List<String> restoreSnapshots() throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < options.runs(); i++) {
            names.add(colibri.backups().create("session", null, "bench restore " + i, ProgressListener.none())
                    .snapshot().name());
        }
        return names;
    }

    private Void offlineRestore(List<String> snapshots) throws Exception {
        Path data = bench.workspace().dataDir();
        Series restore = new Series();
        Series manual = new Series();
        Path target = scratch.resolve("restored.db");
        String t = target.toString();
        for (String name : snapshots) {
            String snap = bench.workspace().backupsDir().resolve(name).toString();
            Set<String> before = list(data, "colibri.db.broken-*");
            Outcome[] outcome = new Outcome[1];
            restore.time(() -> outcome[0] = new OfflineRestore(bench.workspace(), Clock.systemUTC())
                    .run(Optional.of(name), StepListener.none()));
            if (!outcome[0].restored()) {
                throw new IllegalStateException("the offline restore of " + name + " failed: " + outcome[0].failure());
            }
            for (String aside : list(data, "colibri.db.broken-*")) {
                if (!before.contains(aside)) {
                    Files.deleteIfExists(data.resolve(aside)); // 1 GB each; the bench does not keep them
                }
            }
            if (sqlite3 != null) {
                manual.time(() -> Cmd.runAll(List.of(Cmd.Step.expecting("ok", "sqlite3", snap, "PRAGMA integrity_check"),
                        Cmd.Step.of("cp", snap, t), Cmd.Step.expecting("ok", "sqlite3", t, "PRAGMA integrity_check"))));
                Files.deleteIfExists(target);
            }
        }
        add(cli(Comparison.ratio("offline_restore", "offline restore (OfflineRestore: verify, copy+hash, swap, re-check)",
                restore.wall(), "integrity_check + cp + integrity_check", manual.wall(), Target.ratioAtMost(0.7))
                .withCpu(restore.cpu(), manual.cpu())));
        return null;
    }

    private Void coldStart() throws Exception {
        Path home = scratch.resolve("coldstart-home");
        Path key = scratch.resolve("coldstart.key");
        List<String> plain = serverCommand(List.of());
        ColdStart.run(plain, home, key, 1); // creates the key and the schema; not timed
        Series jvm = new Series();
        List<Double> plainMs = new ArrayList<>();
        List<Double> calls = new ArrayList<>();
        for (int i = 0; i < options.runs(); i++) {
            jvm.time(() -> Cmd.run(List.of(javaExecutable(), "-Xshare:auto", "-version")));
            ColdStart.Session s = ColdStart.run(plain, home, key, options.toolCalls());
            plainMs.add(s.coldStartMillis());
            calls.addAll(s.callMillis());
        }
        add(Comparison.absolute("cold_start", "cold start: spawn `java -jar colibri.jar` to tools/list answered",
                Stats.of(plainMs), Target.millisAtMost(400)));
        Path launcher = launcher();
        if (launcher != null) {
            List<String> tuned = List.of("bash", launcher.toString());
            List<Double> tunedMs = new ArrayList<>();
            for (int i = 0; i < options.runs(); i++) {
                tunedMs.add(ColdStart.run(tuned, home, key, 0, jarPath()).coldStartMillis());
            }
            Path jsa = jarPath() == null ? null : jarPath().resolveSibling("colibri.jsa");
            add(Comparison.absolute("cold_start_launcher", "cold start via bin/colibri (AppCDS + launcher flags)",
                    Stats.of(tunedMs), Target.millisAtMost(400))
                    .withNote("bin/colibri " + (jsa != null && Files.isRegularFile(jsa) ? "with" : "WITHOUT (run bin/build-cds)")
                            + " the AppCDS archive target/colibri.jsa; flags: see the script"));
        } else {
            add(Comparison.notMeasured("cold_start_launcher", "cold start via bin/colibri (AppCDS + launcher flags)",
                    null, "no bin/colibri beside the jar's folder", Target.millisAtMost(400)));
        }
        add(Comparison.absolute("jvm_start", "  floor: `java -version` (JVM start alone)", jvm.wall(), Target.none())
                .withCpu(jvm.cpu(), null));
        add(new Comparison("tool_round_trip", "tool call round trip (merkle_root, small workspace)",
                Stats.of(calls), null, null, null, Stats.Statistic.MEDIAN, Target.none(),
                options.toolCalls() + " calls per session after tools/list, over stdio JSON-RPC lines"));
        return null;
    }

    /** The running jar, or null when running from classes. */
    private static Path jarPath() {
        String cp = System.getProperty("java.class.path");
        return cp.endsWith(".jar") && !cp.contains(java.io.File.pathSeparator) ? Path.of(cp).toAbsolutePath() : null;
    }

    /** {@code bin/colibri} of the project the jar was built in ({@code <project>/target/colibri.jar}). */
    private static Path launcher() {
        Path jar = jarPath();
        if (jar == null || jar.getParent() == null || jar.getParent().getParent() == null) {
            return null;
        }
        Path script = jar.getParent().getParent().resolve("bin").resolve("colibri");
        return Files.isRegularFile(script) ? script : null;
    }

    /** The command that starts the server: the running jar, or the main class on the class path. */
    private static List<String> serverCommand(List<String> flags) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(flags);
        String cp = System.getProperty("java.class.path");
        if (cp.endsWith(".jar") && !cp.contains(java.io.File.pathSeparator)) {
            cmd.add("-jar");
            cmd.add(cp);
        } else {
            cmd.add("-cp");
            cmd.add(cp);
            cmd.add("dev.colibri.cli.Main");
        }
        return cmd;
    }

    // ---------------------------------------------------------------- helpers

    /** Empties the WAL into the main file so every contender starts from the same state. */
    private void quiesce() {
        colibri.database().checkpoint("TRUNCATE");
    }

    private void add(Comparison c) {
        rows.add(c);
    }

    private Comparison cli(Comparison c) {
        return sqlite3 == null ? c.withMissing(NO_SQLITE3) : c;
    }

    private static Stats stats(List<Double> samples) {
        return samples.isEmpty() ? null : Stats.of(samples);
    }

    private static Stats statsOrNull(List<Double> samples) {
        List<Double> real = samples.stream().filter(d -> !Double.isNaN(d)).toList();
        return real.isEmpty() ? null : Stats.of(real);
    }

    private static double onSnapshot(Path file, Database.SqlWork<?> work) throws Exception {
        try (Connection c = Sqlite.openReadOnly(file)) {
            long t0 = System.nanoTime();
            work.run(c);
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    private static String pragma(Connection c, String sql) throws java.sql.SQLException {
        StringBuilder sb = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                sb.append(rs.getString(1)).append('\n');
            }
        }
        return sb.toString();
    }

    private static String sqliteVersion(Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
            return rs.next() ? rs.getString(1) : "unknown";
        }
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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

    private static String field(String line, String name) {
        for (String part : line.split("\\s+")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("no " + name + "= in \"" + line + "\"");
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Set<String> list(Path dir) throws IOException {
        return list(dir, "colibri-*.db");
    }

    private static Set<String> list(Path dir, String glob) throws IOException {
        Set<String> names = new java.util.TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            for (Path p : files) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    private static void deleteSnapshot(Snapshot s) throws IOException {
        Files.deleteIfExists(s.path());
        Files.deleteIfExists(s.path().resolveSibling(dev.colibri.backup.SnapshotName.manifestOf(s.name())));
    }

    /** Removes the snapshots (and manifests) the benchmark made, keeping whatever was there before. */
    private void cleanBackups(Path dir, Set<String> before, List<String> keep) {
        try {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path p : files) {
                    String name = p.getFileName().toString();
                    String db = name.endsWith(".manifest.json") ? name.substring(0, name.length() - 14) : name;
                    if (name.startsWith("colibri-") && !before.contains(db) && (keep == null || !keep.contains(db))) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            log.println("bench: cannot clean " + dir + ": " + e.getMessage());
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
