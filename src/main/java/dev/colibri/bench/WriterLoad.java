package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A writer committing continuously through the product, one thought record per
 * {@code Database.write} transaction, paced at a fixed rate (e.g. 500 commits/s). Each commit's
 * latency is the duration of its {@code Database.write} call, waiting for the write lock included.
 * When a commit runs late the next one starts at once (the writer never sleeps to catch up).
 */
final class WriterLoad implements AutoCloseable {

    /** One commit: when it started (nanoTime) and how long it took (ms). */
    record Commit(long startNanos, double millis) {
    }

    private final Colibri colibri;
    private final long periodNanos;
    private final List<Commit> commits = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    WriterLoad(Colibri colibri, int commitsPerSecond) {
        this.colibri = colibri;
        this.periodNanos = 1_000_000_000L / commitsPerSecond;
        this.thread = new Thread(this::loop, "bench-writer");
        this.thread.setDaemon(true);
    }

    WriterLoad start() {
        thread.start();
        return this;
    }

    private void loop() {
        AuditChain chain = colibri.audit().chain();
        long next = System.nanoTime();
        long n = 0;
        try {
            while (running) {
                long now = System.nanoTime();
                if (now < next) {
                    LockSupport.parkNanos(next - now);
                    continue;
                }
                long p = n++;
                long t0 = System.nanoTime();
                colibri.database().write(c -> chain.append(c, "observation", "writer load commit " + p
                        + " while the benchmark measures commit latency", null));
                long t1 = System.nanoTime();
                synchronized (commits) {
                    commits.add(new Commit(t0, (t1 - t0) / 1e6));
                }
                next = Math.max(next + periodNanos, t1);
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Latencies (ms) of the commits that started within {@code [fromNanos, toNanos]}. */
    List<Double> latenciesBetween(long fromNanos, long toNanos) {
        List<Double> out = new ArrayList<>();
        synchronized (commits) {
            for (Commit c : commits) {
                if (c.startNanos() >= fromNanos && c.startNanos() <= toNanos) {
                    out.add(c.millis());
                }
            }
        }
        return out;
    }

    /** Stops the writer and rethrows what made it fail, if anything did. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException("the benchmark writer failed: " + failure, failure);
        }
    }
}
