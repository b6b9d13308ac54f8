package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.task.TaskChange;
import dev.colibri.task.TaskStore;
import dev.colibri.workspace.Workspace;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark's workspace, built through the product's own write path in bulk: tasks with deps
 * through {@link TaskStore}, thought records through {@link AuditChain#append} (many per
 * {@code Database.write} transaction), and Merkle tree heads finalized and anchored in rounds
 * through {@code MerkleService}. Record contents are deterministic text of about 800 bytes, so
 * one million records make a database of about 1 GB.
 *
 * <p>The layout under the benchmark directory: {@code home/} is the workspace ({@code COLIBRI_HOME})
 * and {@code audit.key} its key, so a benchmark never touches the user's own key.
 */
final class BenchWorkspace {

    static final int BATCH = 10_000;
    static final int CONTENT_BYTES = 800;
    private static final String[] KINDS = {"decision", "observation", "plan", "result"};
    private static final String TEXT = corpus();

    private final Path dir;

    BenchWorkspace(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Path dir() {
        return dir;
    }

    Workspace workspace() {
        return new Workspace(dir.resolve("home"), null, dir.resolve("audit.key"));
    }

    /** Opens the workspace (creating it on first use). */
    Colibri open(Clock clock) {
        return Colibri.open(workspace(), clock);
    }

    /** The number of tasks a workspace of {@code records} records gets: one per 1,000, 10 to 1,000. */
    static int taskCount(long records) {
        return (int) Math.max(10, Math.min(1_000, records / 1_000));
    }

    static String taskId(int i) {
        return "B-" + i;
    }

    /** The deps of task {@code i}: its predecessor and the task at half its index (distinct, earlier). */
    static List<String> depsOf(int i) {
        List<String> deps = new ArrayList<>(2);
        if (i > 0) {
            deps.add(taskId(i - 1));
        }
        if (i / 2 < i - 1) {
            deps.add(taskId(i / 2));
        }
        return deps;
    }

    /**
     * Grows the workspace to at least {@code records} thought records (reusing whatever is there)
     * and finalizes every record into an anchored tree head.
     *
     * @return the number of records appended now
     */
    long build(Colibri colibri, long records, PrintStream log) throws SQLException {
        int tasks = taskCount(records);
        TaskStore store = new TaskStore(colibri.clock());
        colibri.database().write(c -> {
            for (int i = 0; i < tasks; i++) {
                if (store.find(c, taskId(i)).isEmpty()) {
                    store.upsert(c, new TaskChange(taskId(i), "bench task " + i, i % 3 == 0 ? "done" : "in_progress",
                            i % 101, depsOf(i)));
                }
            }
            return null;
        });
        long have = colibri.database().read(AuditChain::count);
        if (have >= records) {
            log.printf("bench: reusing %s with %,d records%n", dir, have);
            finalizeRound(colibri, have, records);
            return 0;
        }
        log.printf("bench: building %,d records in %s (batches of %,d; %d tasks)%n", records - have, dir, BATCH, tasks);
        AuditChain chain = colibri.audit().chain();
        long start = System.nanoTime();
        long roundEvery = Math.max(BATCH, records / 10);
        long position = have;
        while (position < records) {
            long from = position;
            long to = Math.min(records, from + BATCH);
            colibri.database().write(c -> {
                for (long p = from; p < to; p++) {
                    chain.append(c, KINDS[(int) (p % KINDS.length)], content(p),
                            p % 4 == 0 ? taskId((int) (p % tasks)) : null);
                }
                return null;
            });
            position = to;
            if (position % roundEvery == 0 || position == records) {
                finalizeRound(colibri, position, records);
            }
            if (position % 100_000 == 0 || position == records) {
                double s = (System.nanoTime() - start) / 1e9;
                log.printf("bench:   %,d records (%.0f records/s)%n", position, (position - have) / Math.max(s, 1e-9));
            }
        }
        colibri.database().checkpoint("TRUNCATE");
        return records - have;
    }

    private static void finalizeRound(Colibri colibri, long position, long records) {
        int round = (int) Math.max(1, Math.min(999_999_999L, position * 10 / Math.max(1, records)));
        colibri.merkle().finalizeAndAnchor("r" + round);
    }

    /** Deterministic text of 700 to 900 bytes for record {@code p}. */
    static String content(long p) {
        SplittableRandom r = new SplittableRandom(p * 0x9E3779B97F4A7C15L);
        int length = CONTENT_BYTES - 100 + r.nextInt(201);
        int from = r.nextInt(TEXT.length() - length);
        return "#" + p + " " + TEXT.substring(from, from + length - 2 - Long.toString(p).length());
    }

    private static String corpus() {
        String[] words = {"snapshot", "restore", "verify", "anchor", "merkle", "chain", "round", "seal", "task",
            "backup", "integrity", "checkpoint", "wal", "page", "fsync", "hash", "record", "proof", "tree", "head",
            "retention", "cold", "warm", "hot", "manifest", "key", "decision", "because", "then", "after"};
        SplittableRandom r = new SplittableRandom(42);
        StringBuilder sb = new StringBuilder(1 << 16);
        while (sb.length() < 1 << 16) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(8) == 0 ? ". " : " ");
        }
        return new String(sb.toString().getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII);
    }
}
