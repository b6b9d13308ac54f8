package dev.colibri.restore;

import dev.colibri.backup.Check;
import dev.colibri.backup.Manifest;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotVerifier;
import dev.colibri.backup.Verification;
import dev.colibri.workspace.Durable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checksum check of a restore's verification, which also makes the copy: a snapshot under
 * verification is read once, every byte hashed and written to a temporary file in {@code data/},
 * and the copy fsynced once its hash proves to be the manifest's, on a thread of its own while the
 * verification goes on (the check's verdict does not wait for the disk; {@link #settle}, {@link
 * #result} and the discards do). The check compares the size and
 * SHA-256 with the manifest in the words of {@link SnapshotVerifier#checksum}, so a restore and
 * {@code backup_verify} judge a snapshot alike. It runs on a verifier thread while the SQLite checks
 * and the chain walk read the snapshot.
 *
 * <p>A snapshot that fails verification has its copy removed at once ({@link #settle}): it is this
 * restore's temporary, never user data, and nothing else has moved. A snapshot whose bytes are
 * already in {@code data/colibri.db} (an interrupted run put them there) is only hashed. A copy that
 * cannot be written (a full disk) is no verdict on the snapshot: the rest is still hashed, and the
 * restore's {@code copy} step reports the failure.
 */
final class CandidateCopy implements Function<Snapshot, Check> {

    /**
     * What the check left for one snapshot.
     *
     * @param temp         the flushed copy in {@code data/}, or null when none was made or it was removed
     * @param writeFailure why the copy could not be written, or null
     */
    record Result(Path temp, IOException writeFailure) {

        /** No copy was made: {@code data/colibri.db} already holds the snapshot's bytes. */
        static final Result IN_PLACE = new Result(null, null);

        /** No copy was made or tried, because {@code data/colibri.db} already holds these bytes. */
        boolean alreadyInPlace() {
            return temp == null && writeFailure == null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CandidateCopy.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Starts each fsync on a thread of its own, so that the verifier's threads go on walking meanwhile. */
    private static final Executor FLUSHER = task -> {
        Thread t = new Thread(task, "colibri-restore-flush");
        t.setDaemon(true);
        t.start();
    };

    private final Path data;
    private final RestoreFiles files;
    private final Predicate<Snapshot> alreadyInPlace;
    private final Map<Path, Result> results = new ConcurrentHashMap<>();
    private final Map<Path, CompletableFuture<Void>> flushes = new ConcurrentHashMap<>();
    private volatile Error stopped;

    /**
     * @param alreadyInPlace whether {@code data/colibri.db} already holds a snapshot's bytes, so that
     *                       it is hashed but not copied
     */
    CandidateCopy(Path data, RestoreFiles files, Predicate<Snapshot> alreadyInPlace) {
        this.data = data;
        this.files = files;
        this.alreadyInPlace = alreadyInPlace;
    }

    @Override
    public Check apply(Snapshot s) {
        Manifest m = s.manifest();
        try {
            if (m == null) {
                return SnapshotVerifier.checksum(s); // fails: without a manifest the bytes cannot be proven
            }
            if (alreadyInPlace.test(s)) {
                results.put(s.path(), Result.IN_PLACE);
                return SnapshotVerifier.checksum(s);
            }
            long size = Files.size(s.path());
            if (size != m.sizeBytes()) {
                return SnapshotVerifier.checksum(m, size, null); // truncated or extended: not worth a copy
            }
            Path temp = data.resolve(Durable.TEMP_PREFIX + "colibri.db-" + System.nanoTime());
            Clocks start = Clocks.now();
            RestoreFiles.Copied copied = files.copyHashing(s.path(), temp);
            Clocks copiedAt = Clocks.now();
            results.put(s.path(), new Result(copied.writeFailure() == null ? temp : null, copied.writeFailure()));
            Check verdict = SnapshotVerifier.checksum(m, copied.size(), copied.sha256());
            if (verdict.failed()) {
                return verdict;
            }
            if (copied.writeFailure() == null) {
                // only a copy that may be put in place is worth the wait for the disk
                String copying = copied.size() + " bytes read, hashed and written in " + copiedAt.since(start);
                flushes.put(s.path(), CompletableFuture.runAsync(() -> flush(s, temp, copying), FLUSHER));
            }
            return verdict;
        } catch (IOException e) {
            return Check.fail("checksum", "cannot read " + s.path() + ": " + e.getMessage());
        } catch (Error e) {
            // not a verdict on the snapshot (out of memory, or a test's simulated kill): raised by settle
            stopped = e;
            return Check.fail("checksum", "the copy stopped: " + e);
        }
    }

    /** The calling thread's clocks at one moment, in nanoseconds: wall, CPU and user time (-1 where not measured). */
    private record Clocks(long wall, long cpu, long user) {

        static Clocks now() {
            boolean measured = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
            return new Clocks(System.nanoTime(), measured ? THREADS.getCurrentThreadCpuTime() : -1,
                    measured ? THREADS.getCurrentThreadUserTime() : -1);
        }

        /** "W ms (C ms, K ms of it in the kernel, of the copying thread's CPU)" from {@code start} to this moment. */
        String since(Clocks start) {
            String cpuTime = cpu < 0 || start.cpu < 0 ? "no measure"
                    : (cpu - start.cpu) / 1_000_000 + " ms, " + ((cpu - start.cpu) - (user - start.user)) / 1_000_000
                            + " ms of it in the kernel,";
            return (wall - start.wall) / 1_000_000 + " ms (" + cpuTime + " of the copying thread's CPU)";
        }
    }

    /** Makes the copy durable; a failure leaves the copy unusable (write failure) or stops the run (an error). */
    private void flush(Snapshot s, Path temp, String copying) {
        long start = System.nanoTime();
        try {
            files.flush(temp);
            LOG.info("copied {} to {}: {}, then fsynced in {} ms", s.name(), temp.getFileName(), copying,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            results.put(s.path(), new Result(null, e));
        } catch (RuntimeException e) {
            results.put(s.path(), new Result(null, new IOException("flushing " + temp + " failed: " + e, e)));
        } catch (Error e) {
            stopped = e; // not a verdict on the snapshot: raised by settle
        }
    }

    /** Waits until the copy of {@code s}, if one is being flushed, is durable or known not to be. */
    private void awaitFlush(Path snapshot) {
        CompletableFuture<Void> flush = flushes.get(snapshot);
        if (flush != null) {
            flush.join();
        }
    }

    /**
     * Called on the restore's thread after each verification, once the snapshot's copy is flushed:
     * raises an error the copy met, and removes the copy of a snapshot found unsafe.
     */
    void settle(Verification v) throws IOException {
        awaitFlush(v.snapshot().path());
        Error e = stopped;
        if (e != null) {
            throw e;
        }
        if (!v.safeToRestore()) {
            discard(v.snapshot());
        }
    }

    /** What the check left for {@code s}, a snapshot whose checksum passed. */
    Result result(Snapshot s) {
        awaitFlush(s.path());
        Result r = results.get(s.path());
        if (r == null) {
            throw new IllegalStateException("no copy was made or needed for " + s.name() + ": its checksum did not pass");
        }
        return r;
    }

    /** Removes the copy of {@code s}, if it is still a temporary (a copy renamed into place is not touched). */
    void discard(Snapshot s) throws IOException {
        awaitFlush(s.path());
        Result r = results.remove(s.path());
        if (r != null && r.temp() != null) {
            Files.deleteIfExists(r.temp());
        }
    }

    /** Removes every copy still a temporary: at the end of a run, whatever stopped it. */
    void discardAll() throws IOException {
        flushes.values().forEach(f -> f.handle((done, e) -> null).join());
        for (Path snapshot : results.keySet()) {
            Result r = results.remove(snapshot);
            if (r != null && r.temp() != null) {
                Files.deleteIfExists(r.temp());
            }
        }
    }
}
