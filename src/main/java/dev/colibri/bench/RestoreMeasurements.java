package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.backup.ProgressListener;
import dev.colibri.restore.OfflineRestore;
import dev.colibri.restore.Outcome;
import dev.colibri.restore.StepListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The offline restore (workspace closed) of a named snapshot against the runbook's
 * {@code integrity_check} of the snapshot + {@code cp} + {@code integrity_check} of the copy, wall
 * clock and CPU. The snapshots are taken beforehand, while the workspace is open.
 */
final class RestoreMeasurements {

    private static final String MOVED_ASIDE = "colibri.db.broken-*";

    private final BenchContext context;
    private final PrintStream log;

    /** @param log where each restore's step timeline goes (stderr), for whoever wonders where its time went */
    RestoreMeasurements(BenchContext context, PrintStream log) {
        this.context = context;
        this.log = log;
    }

    /** Takes one snapshot per run through the open workspace; their names, for {@link #offlineRestore}. */
    List<String> takeSnapshots(Colibri colibri) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < context.options().runs(); i++) {
            names.add(colibri.backups().create("session", null, "bench restore " + i, ProgressListener.none())
                    .snapshot().name());
        }
        return names;
    }

    /**
     * Restores each snapshot in turn with {@link OfflineRestore}, and the runbook's commands on each;
     * the runbook goes first in every other run (each side writes and deletes a database-sized file,
     * and on this VM what the next copy pays for its page-cache pages depends on what came before).
     */
    void offlineRestore(List<String> snapshots) throws Exception {
        Series restore = new Series();
        Series manual = new Series();
        for (int i = 0; i < snapshots.size(); i++) {
            String name = snapshots.get(i);
            List<Series.Work> sides = new ArrayList<>();
            sides.add(() -> restore(name, restore));
            if (context.hasSqlite3()) {
                sides.add(() -> runbook(name, manual));
            }
            for (Series.Work side : BackupMeasurements.inTurn(sides, i)) { // each goes first every other run
                side.run();
            }
        }
        context.add(context.cli(Comparison.ratio("offline_restore",
                "offline restore (OfflineRestore: verify, copy+hash, swap, re-check)", restore.wall(),
                "integrity_check + cp + integrity_check", manual.wall(), Target.ratioAtMost(0.7))
                .withCpu(restore.cpu(), manual.cpu())));
    }

    /** Times {@link OfflineRestore} of snapshot {@code name}, then deletes the database it moved aside. */
    private void restore(String name, Series restore) throws Exception {
        BenchWorkspace bench = context.bench();
        Path data = bench.workspace().dataDir();
        Set<String> before = BenchFiles.list(data, MOVED_ASIDE);
        Outcome[] outcome = new Outcome[1];
        settle(bench.workspace().backupsDir().resolve(name));
        StringBuilder timeline = new StringBuilder();
        long[] start = new long[1];
        StepListener steps = step -> timeline.append(timeline.length() == 0 ? "" : ", ").append(step.name())
                .append(" +").append((System.nanoTime() - start[0]) / 1_000_000).append(" ms");
        restore.time(() -> {
            start[0] = System.nanoTime();
            outcome[0] = new OfflineRestore(bench.workspace(), Clock.systemUTC()).run(Optional.of(name), steps);
        });
        log.printf("bench:   restore of %s, each step done at: %s%n", name, timeline);
        if (!outcome[0].restored()) {
            throw new IllegalStateException("the offline restore of " + name + " failed: " + outcome[0].failure());
        }
        for (String aside : BenchFiles.list(data, MOVED_ASIDE)) {
            if (!before.contains(aside)) {
                Files.deleteIfExists(data.resolve(aside)); // 1 GB each; the bench does not keep them
            }
        }
    }

    /** Times the runbook's commands on snapshot {@code name}, then deletes their copy. */
    private void runbook(String name, Series manual) throws Exception {
        Path snapshot = context.bench().workspace().backupsDir().resolve(name);
        String snap = snapshot.toString();
        Path target = context.scratch().resolve("restored.db");
        String t = target.toString();
        settle(snapshot);
        manual.time(() -> Cmd.runAll(List.of(Cmd.Step.expecting("ok", "sqlite3", snap, "PRAGMA integrity_check"),
                Cmd.Step.of("cp", snap, t), Cmd.Step.expecting("ok", "sqlite3", t, "PRAGMA integrity_check"))));
        Files.deleteIfExists(target);
    }

    /**
     * Untimed, before each side: {@code sync}, so that neither starts behind the disk work the other
     * left (the runbook's {@code cp} leaves 1.2 GB to write back, and deleting the 1.2 GB files of the
     * run before discards their blocks on a file system mounted with {@code discard}), then one read
     * of the snapshot, so that both start with it in the page cache: the snapshots are taken before
     * the first restore, and on a machine that reclaims idle pages the side that went first would
     * otherwise read from disk what the other then found cached.
     */
    private static void settle(Path snapshot) throws IOException {
        Cmd.run(List.of("sync"));
        BenchFiles.readThrough(snapshot);
    }
}
