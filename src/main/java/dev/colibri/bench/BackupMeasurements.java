package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.backup.BackupResult;
import dev.colibri.backup.ProgressListener;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotCopier;
import dev.colibri.backup.Verification;
import dev.colibri.backup.WriteGate;
import dev.colibri.merkle.MerkleLog;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Sha256;
import dev.colibri.workspace.Sqlite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Backups next to the runbook's commands: the snapshot alone against {@code sqlite3 .backup},
 * {@code VACUUM INTO}, {@code cp} and {@code cp} + {@code sync}; {@code backup_create} against
 * {@code .backup} + {@code integrity_check} + {@code sha256sum}; {@code backup_verify} against
 * {@code integrity_check} + {@code foreign_key_check} + {@code sha256sum}, with the verification's
 * parts timed one by one.
 */
final class BackupMeasurements {

    private final BenchContext context;
    private final Colibri colibri;

    BackupMeasurements(BenchContext context, Colibri colibri) {
        this.context = context;
        this.colibri = colibri;
    }

    /** One side of the snapshot row: what it runs and its timings. */
    private record Contender(Series series, Series.Work work) {
    }

    /**
     * {@code SnapshotCopier.copy} of the live database against the tools that copy it. Each run
     * starts with the next contender in turn, so that none always runs in the same place: each writes
     * a file as large as the database, deleted before the next one starts, and on a VM that hands
     * freed memory back to its host what a copy pays for its page-cache pages depends on what was
     * freed just before it.
     */
    void snapshotAlone() throws Exception {
        Database db = colibri.database();
        String live = db.file().toString();
        Path out = context.scratch().resolve("copy.db");
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
        List<Contender> sides = new ArrayList<>();
        sides.add(new Contender(colibriCopy, () -> new SnapshotCopier(db.file(), gate).copy(out, ProgressListener.none())));
        if (context.hasSqlite3()) {
            sides.add(new Contender(backup, () -> Cmd.runAll(List.of(Cmd.Step.of("sqlite3", live, ".backup '" + o + "'")))));
            sides.add(new Contender(vacuum, () -> Cmd.runAll(List.of(Cmd.Step.of("sqlite3", live, "VACUUM INTO '" + o + "'")))));
        }
        sides.add(new Contender(cp, () -> Cmd.runAll(List.of(Cmd.Step.of("cp", live, o)))));
        sides.add(new Contender(cpSync, () -> Cmd.runAll(List.of(Cmd.Step.of("cp", live, o), Cmd.Step.of("sync", o)))));
        for (int i = 0; i < context.options().runs(); i++) {
            for (Contender side : inTurn(sides, i)) {
                quiesce();
                side.series().time(side.work());
                Files.deleteIfExists(out);
            }
        }
        String label = "snapshot alone (SnapshotCopier)";
        context.add(context.cli(Comparison.ratio("snapshot_vs_backup", label, colibriCopy.wall(), "sqlite3 .backup",
                backup.wall(), Target.ratioAtMost(0.6)).withCpu(colibriCopy.cpu(), backup.cpu())));
        context.add(context.cli(Comparison.ratio("snapshot_vs_vacuum_into", label, colibriCopy.wall(),
                "sqlite3 VACUUM INTO", vacuum.wall(), Target.none()).withCpu(colibriCopy.cpu(), vacuum.cpu())));
        context.add(Comparison.ratio("snapshot_vs_cp", label, colibriCopy.wall(), "cp", cp.wall(), Target.none())
                .withCpu(colibriCopy.cpu(), cp.cpu()));
        context.add(Comparison.ratio("snapshot_vs_cp_sync", label, colibriCopy.wall(), "cp + sync FILE", cpSync.wall(),
                Target.none()).withCpu(colibriCopy.cpu(), cpSync.cpu()));
    }

    /** The sides in the order run {@code run} (0-based) takes them: the list turned by one place a run. */
    static <T> List<T> inTurn(List<T> sides, int run) {
        List<T> order = new ArrayList<>(sides);
        Collections.rotate(order, -(run % Math.max(1, sides.size())));
        return order;
    }

    /**
     * {@code BackupService.create} against the CLI sum.
     *
     * @return the name of the last snapshot made, kept for {@link #backupVerify}
     */
    String backupCreate() throws Exception {
        String live = colibri.database().file().toString();
        Path out = context.scratch().resolve("cli-backup.db");
        String o = out.toString();
        Series colibriCreate = new Series();
        Series cliSum = new Series();
        String[] kept = new String[1];
        for (int i = 0; i < context.options().runs(); i++) {
            quiesce();
            BackupResult[] r = new BackupResult[1];
            colibriCreate.time(() -> r[0] = colibri.backups().create("session", null, "bench", ProgressListener.none()));
            if (kept[0] != null) {
                BenchFiles.deleteSnapshot(colibri.catalog().resolve(kept[0]));
            }
            kept[0] = r[0].snapshot().name();
            if (context.hasSqlite3()) {
                quiesce();
                cliSum.time(() -> Cmd.runAll(List.of(Cmd.Step.of("sqlite3", live, ".backup '" + o + "'"),
                        Cmd.Step.expecting("ok", "sqlite3", o, "PRAGMA integrity_check"),
                        Cmd.Step.of("sha256sum", o))));
                Files.deleteIfExists(out);
            }
        }
        context.add(context.cli(Comparison.ratio("backup_create",
                "backup_create (snapshot + fsync + sha256 + integrity_check)", colibriCreate.wall(),
                "sqlite3 .backup + integrity_check + sha256sum", cliSum.wall(), Target.ratioAtMost(0.5))
                .withCpu(colibriCreate.cpu(), cliSum.cpu())));
        return kept[0];
    }

    /** {@code SnapshotVerifier.verify} of snapshot {@code name} against the CLI sum, then deletes the snapshot. */
    void backupVerify(String name) throws Exception {
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
        for (int i = 0; i < context.options().runs(); i++) {
            Verification[] v = new Verification[1];
            verify.time(() -> v[0] = colibri.verifier().verify(snapshot));
            if (!v[0].safeToRestore()) {
                throw new IllegalStateException("the benchmark snapshot did not verify: " + v[0].failures());
            }
            if (context.hasSqlite3()) {
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
        context.add(context.cli(Comparison.ratio("backup_verify", "backup_verify (SnapshotVerifier, all checks)",
                verify.wall(), "sqlite3 integrity_check + foreign_key_check + sha256sum", cliSum.wall(),
                Target.ratioAtMost(0.6)).withCpu(verify.cpu(), cliSum.cpu())));
        context.add(part("verify_part_integrity", "  part: PRAGMA integrity_check (JDBC)", integrity));
        context.add(part("verify_part_foreign_keys", "  part: PRAGMA foreign_key_check (JDBC; now a fallback)", foreignKeys));
        context.add(part("verify_part_sha256", "  part: SHA-256 of the file (Java)", sha));
        context.add(part("verify_part_chain", "  part: audit chain walk (chunks shared by one thread per core)", chain));
        context.add(part("verify_part_merkle", "  part: Merkle recompute", merkle));
        BenchFiles.deleteSnapshot(snapshot);
    }

    private static Comparison part(String key, String label, Series s) {
        return Comparison.absolute(key, label, s.wall(), Target.none()).withCpu(s.cpu(), null);
    }

    private void quiesce() {
        BenchContext.quiesce(colibri);
    }

    /**
     * Runs {@code work} in one read transaction on a read-only connection to {@code file}, as the
     * verifier does (a transaction also lets the chain walk read the snapshot's pages directly); the
     * milliseconds it took.
     */
    private static double onSnapshot(Path file, Database.SqlWork<?> work) throws Exception {
        try (Connection c = Sqlite.openReadOnly(file)) {
            c.setAutoCommit(false);
            try {
                long t0 = System.nanoTime();
                work.run(c);
                return (System.nanoTime() - t0) / 1e6;
            } finally {
                c.rollback();
            }
        }
    }

    private static String pragma(Connection c, String sql) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                sb.append(rs.getString(1)).append('\n');
            }
        }
        return sb.toString();
    }

    private static String sha256(Path file) throws IOException {
        return Sha256.of(file); // what the verifier runs
    }
}
