package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.backup.BackupResult;
import dev.colibri.backup.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A writer under a backup: {@code backup_create} while a {@link WriterLoad} commits
 * ({@code --writer-rate}, 500/s by default) against the same backup idle, and the writer's commit
 * latency (p50, p99, max) during the backup against the same writer with no backup, compared on p99.
 */
final class WriterLoadMeasurements {

    private final BenchContext context;
    private final Colibri colibri;

    WriterLoadMeasurements(BenchContext context, Colibri colibri) {
        this.context = context;
        this.colibri = colibri;
    }

    /** Per run: an idle backup, the writer alone for as long, then a backup with the writer committing. */
    void backupUnderLoad() throws Exception {
        int rate = context.options().writerRate();
        Series idleBackup = new Series();
        Series loadedBackup = new Series();
        List<Double> idleLatency = new ArrayList<>();
        List<Double> loadedLatency = new ArrayList<>();
        double idleRate = 0;
        double loadedRate = 0;
        for (int i = 0; i < context.options().runs(); i++) {
            BenchContext.quiesce(colibri);
            BackupResult[] idle = new BackupResult[1];
            idleBackup.time(() -> idle[0] = colibri.backups().create("session", null, "bench idle", ProgressListener.none()));
            BenchFiles.deleteSnapshot(idle[0].snapshot());
            long windowMs = (long) Math.max(1_000, idleBackup.wall().max());
            try (WriterLoad writer = new WriterLoad(colibri, rate).start()) {
                Thread.sleep(300);
                long from = System.nanoTime();
                Thread.sleep(windowMs);
                long to = System.nanoTime();
                List<Double> l = writer.latenciesBetween(from, to);
                idleLatency.addAll(l);
                idleRate = l.size() / ((to - from) / 1e9);
            }
            BenchContext.quiesce(colibri);
            try (WriterLoad writer = new WriterLoad(colibri, rate).start()) {
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
                BenchFiles.deleteSnapshot(loaded[0].snapshot());
            }
        }
        context.add(Comparison.ratio("backup_under_load", "backup_create while a writer commits " + rate + "/s",
                loadedBackup.wall(), "backup_create, writer idle", idleBackup.wall(), Target.ratioAtMost(1.5)));
        context.add(Comparison.ratio("commit_latency_under_backup", "writer commit latency during backup_create",
                latencies(loadedLatency), "same writer, no backup", latencies(idleLatency), Target.ratioAtMost(2))
                .withStatistic(Stats.Statistic.P99)
                .withNote(note(rate, idleRate, loadedRate)));
    }

    /** The pooled latencies, NaN samples left out, or null when there are none. */
    static Stats latencies(List<Double> samples) {
        List<Double> real = samples.stream().filter(d -> !Double.isNaN(d)).toList();
        return real.isEmpty() ? null : Stats.of(real);
    }

    /** The latency row's note: what a commit is, the rate asked for, the rates achieved in the last run. */
    static String note(int rate, double idleRate, double loadedRate) {
        return String.format(Locale.ROOT, "one thought record per Database.write (synchronous=FULL:"
                + " an fsync per commit); paced at %d commits/s, achieved %.0f/s alone and %.0f/s during the"
                + " backup (last run)", rate, idleRate, loadedRate);
    }
}
