package dev.colibri.backup;

import dev.colibri.merkle.AnchorLogState;
import dev.colibri.workspace.FileStamp;
import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers, for the life of the process, the verdicts of full snapshot verifications, so that
 * listings ({@code backup_list}, {@code backup_prune}, {@code restore_plan}) do not read a
 * gigabyte-sized snapshot several times over on every call when nothing changed since it was last
 * verified.
 *
 * <p>Only clean verdicts are remembered: a failed verification may have failed for a passing reason (a
 * file that could not be read, a busy disk), and a snapshot wrongly remembered as bad would be passed
 * over by every plan and marked prune by every listing; a bad snapshot is simply verified again.
 *
 * <p>A verdict is reused only when everything it was computed from is as it was: the snapshot file
 * ({@link FileStamp}: device, inode, size, modification time and inode change time, read without
 * following links; no user-space call can set the change time back), the
 * SQLite {@code -journal} and {@code -wal} files beside it (a hot journal changes what SQLite reads),
 * its manifest (the checksum and chain checks compare with it), the anchor log's content (the
 * Merkle check compares with it; {@link dev.colibri.merkle.AnchorLog} only re-reads it when its
 * stamp changed), and the verifier's identity (audit key, anchor log, workspace id). The file is
 * stat'ed again before every reuse; any difference means a full verification. As in the anchor log,
 * a stat vouches for the bytes only when the file's times lie clearly before it (a write in the same
 * timestamp tick could otherwise leave them unchanged), so the verdict on a file written or touched in
 * the last two seconds is not remembered.
 *
 * <p><b>The limit</b>: bytes that change without a write through the file system (rot on the medium)
 * are not noticed by a listing until the process restarts. {@link #verifyAndRemember}
 * ({@code backup_verify}, and a real prune) always verifies in full and replaces what is remembered,
 * and the offline restore never asks the memo.
 *
 * <p>Thread-safe: concurrent calls for the same unchanged snapshot share one verification. At most
 * {@link #CAPACITY} verdicts are kept, the least recently used dropped first.
 */
public final class VerdictMemo {

    /** How many snapshots' verdicts are kept. */
    public static final int CAPACITY = 64;
    /**
     * How long before a stat a file's modification time must lie for the stat to vouch for its bytes:
     * more than any file system's timestamp granularity (FAT's 2 s), as for the anchor log.
     */
    static final long TIMESTAMP_GRANULARITY_MILLIS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(VerdictMemo.class);

    private final int capacity;
    private final Clock clock;
    private final Clock fileClock;
    /** Remembered verdicts by snapshot path, least recently used first; guarded by this. */
    private final LinkedHashMap<Path, Remembered> remembered = new LinkedHashMap<>(16, 0.75f, true);
    /** Verifications under way for {@link #verdictOf}, by snapshot path; guarded by this. */
    private final Map<Path, Running> running = new HashMap<>();
    private final AtomicLong verificationsRun = new AtomicLong();

    /** Everything a verdict depends on. Equal inputs give an equal verdict, short of the documented limit. */
    private record Inputs(SnapshotVerifier.Identity verifier, FileStamp file, FileStamp journal, FileStamp wal,
            Manifest manifest, AnchorLogState anchors) {
    }

    /**
     * The inputs as observed before a verification.
     *
     * @param settled whether the file's time lay clearly before the stat, so that the stat vouches for the bytes
     */
    private record Observed(Inputs inputs, boolean settled) {
    }

    private record Remembered(Inputs inputs, Verdict verdict) {
    }

    private record Running(Inputs inputs, CompletableFuture<Verdict> verdict) {
    }

    /** @param clock dates the verdicts ({@link Verdict#verifiedAt}) */
    public VerdictMemo(Clock clock) {
        this(CAPACITY, clock, Clock.systemUTC());
    }

    /** @param fileClock the clock the file system's times are compared with (the real one) */
    VerdictMemo(int capacity, Clock clock, Clock fileClock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = clock;
        this.fileClock = fileClock;
    }

    /**
     * The verdict on {@code snapshot}: the remembered one when the snapshot and every other input are
     * unchanged since it was made (or the one a concurrent call is making from the same inputs),
     * otherwise a full verification, which is then remembered.
     */
    public Verdict verdictOf(SnapshotVerifier verifier, Snapshot snapshot) {
        Observed seen = observe(verifier, snapshot);
        if (seen == null || !seen.settled()) {
            return run(verifier, snapshot);
        }
        Path path = snapshot.path();
        CompletableFuture<Verdict> theirs = null;
        Running mine = null;
        synchronized (this) {
            Remembered r = remembered.get(path);
            if (r != null && r.inputs().equals(seen.inputs())) {
                LOG.debug("{}: unchanged since {}, verdict reused", snapshot.name(), r.verdict().verifiedAt());
                return r.verdict().recalled(snapshot);
            }
            Running other = running.get(path);
            if (other != null && other.inputs().equals(seen.inputs())) {
                theirs = other.verdict();
            } else {
                mine = new Running(seen.inputs(), new CompletableFuture<>());
                running.put(path, mine);
            }
        }
        return theirs != null ? await(theirs).recalled(snapshot) : runAndRemember(verifier, snapshot, mine);
    }

    /**
     * Verifies {@code snapshot} in full, whatever is remembered, and remembers the result in place
     * of any earlier verdict ({@code backup_verify}: an explicit check is never answered from memory).
     */
    public Verdict verifyAndRemember(SnapshotVerifier verifier, Snapshot snapshot) {
        Observed seen = observe(verifier, snapshot);
        Verdict v = run(verifier, snapshot);
        synchronized (this) {
            if (seen != null && seen.settled()) {
                remember(snapshot.path(), seen.inputs(), v);
            } else {
                remembered.remove(snapshot.path());
            }
        }
        return v;
    }

    /** How many full verifications this memo ran (tests and logs: a reused verdict runs none). */
    public long verificationsRun() {
        return verificationsRun.get();
    }

    /** How many verdicts are remembered. */
    synchronized int size() {
        return remembered.size();
    }

    private Verdict runAndRemember(SnapshotVerifier verifier, Snapshot snapshot, Running mine) {
        Path path = snapshot.path();
        Verdict v;
        try {
            v = run(verifier, snapshot);
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                running.remove(path, mine);
            }
            mine.verdict().completeExceptionally(e);
            throw e;
        }
        synchronized (this) {
            running.remove(path, mine);
            remember(path, mine.inputs(), v);
        }
        mine.verdict().complete(v);
        return v;
    }

    private Verdict run(SnapshotVerifier verifier, Snapshot snapshot) {
        verificationsRun.incrementAndGet();
        return Verdict.fresh(verifier.verify(snapshot), clock);
    }

    /**
     * Keeps a clean verdict, unless a newer one from the same inputs is already kept (a listing that
     * finishes after a concurrent backup_verify), dropping the least recently used beyond the
     * capacity; a failed one forgets the snapshot. Holds this.
     */
    private void remember(Path path, Inputs inputs, Verdict v) {
        if (!v.safeToRestore()) {
            remembered.remove(path);
            return;
        }
        Remembered kept = remembered.get(path);
        if (kept != null && kept.inputs().equals(inputs) && kept.verdict().verifiedAt().isAfter(v.verifiedAt())) {
            return;
        }
        remembered.put(path, new Remembered(inputs, v));
        var eldest = remembered.keySet().iterator();
        while (remembered.size() > capacity) {
            eldest.next();
            eldest.remove();
        }
    }

    /**
     * Reads the inputs of a verification of {@code snapshot}, before it runs (a change made while it
     * runs then shows at the next call); null when one cannot be read, and nothing is remembered.
     */
    private Observed observe(SnapshotVerifier verifier, Snapshot snapshot) {
        long now = fileClock.millis();
        Path path = snapshot.path();
        try {
            FileStamp file = FileStamp.of(path, LinkOption.NOFOLLOW_LINKS);
            if (file == null) { // gone, or a platform without unix attributes: nothing to vouch with
                return null;
            }
            Inputs inputs = new Inputs(verifier.identity(), file,
                    FileStamp.of(beside(path, "-journal"), LinkOption.NOFOLLOW_LINKS),
                    FileStamp.of(beside(path, "-wal"), LinkOption.NOFOLLOW_LINKS), snapshot.manifest(),
                    verifier.anchorState());
            return new Observed(inputs, file.settledBefore(now, TIMESTAMP_GRANULARITY_MILLIS));
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: cannot read what its verdict depends on ({}), so it is verified in full", snapshot.name(),
                    e.getMessage());
            return null;
        }
    }

    private static Path beside(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static Verdict await(CompletableFuture<Verdict> verdict) {
        try {
            return verdict.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
