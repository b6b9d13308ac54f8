package dev.colibri.audit;

import dev.colibri.workspace.Sqlite;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One verification of the chain, under way: the positions below the end read when it was set up,
 * cut into contiguous chunks that any thread may claim, one at a time, and walk on a connection of
 * its own ({@link #help}); {@link #finish} walks chunks on the caller's connection too, waits for the
 * last one and links them into one verdict.
 *
 * <p>Every record's HMAC depends only on its own stored {@code prev_hash}, which the link check ties
 * to the record before it, so the chunks are independent except for the link across each boundary,
 * checked by {@link #finish} once both sides are read. The verdict is exactly what a sequential walk
 * reports: the first bad position and its reason. A chunk that fails to read (an I/O error, say)
 * stops the chunks after it, never the ones before it, and its error is thrown only when no earlier
 * record is bad: the first problem wins, whichever thread met it.
 *
 * <p>Why chunks rather than one range per thread: a walk shares the cores with other work (the
 * snapshot verifier runs SQLite's integrity check beside it), and whoever is free when the rest is
 * done takes the next chunk, so no thread is left with a long range to finish on its own.
 */
public final class ChainWalk {

    private static final HexFormat HEX = HexFormat.of();

    /** A chunk not walked because a record before it is already known to be bad: never consulted. */
    private static final ChainSegment.Result MOOT = new ChainSegment.Result(Long.MAX_VALUE, null, null, false, null,
            null);

    private final Connection connection;
    private final Path file;
    private final AuditKey key;
    private final long first;
    private final long[] bounds;
    private final Consumer<byte[]>[] leaves;
    private final TaskIdSink.Range[] taskIds;
    private final ChainSegment.Result[] results;
    private final Throwable[] failures;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicLong firstBad = new AtomicLong(Long.MAX_VALUE);
    private final CountDownLatch walked;
    private final RecordPages.Source pages;

    /**
     * @param file   the database file behind {@code c}, which helpers open read-only (null: nobody helps)
     * @param first  the smallest stored position (a negative one is reported without walking)
     * @param bounds where the chunks start, in increasing order from 0, then one past the last
     *               position to walk
     * @param pages  the file pinned by {@code c}'s transaction, to read the records' pages directly
     *               (null: through SQLite); closed by {@link #finish} if the walk opened it
     */
    @SuppressWarnings("unchecked")
    ChainWalk(Connection c, Path file, AuditKey key, long first, long[] bounds, LeafSink leafSink,
            TaskIdSink taskIdSink, RecordPages.Source pages) {
        this.pages = pages;
        this.connection = c;
        this.file = file;
        this.key = key;
        this.first = first;
        this.bounds = first < 0 ? new long[] {0} : bounds.clone();
        int n = this.bounds.length - 1;
        this.leaves = new Consumer[n];
        this.taskIds = new TaskIdSink.Range[n];
        for (int i = 0; i < n; i++) { // the sinks' contract: every range, in order, before any walking
            leaves[i] = leafSink.range(bounds[i], bounds[i + 1]);
            taskIds[i] = taskIdSink.range(bounds[i], bounds[i + 1]);
        }
        this.results = new ChainSegment.Result[n];
        this.failures = new Throwable[n];
        this.walked = new CountDownLatch(n);
    }

    /** Whether the records are read from the file's pages rather than through SQLite (see {@link RecordPages}). */
    boolean readsPages() {
        return pages != null;
    }

    /** The number of chunks the positions are cut into. */
    int chunks() {
        return results.length;
    }

    /** {@link #finish} with one thread per processor, as many as there are chunks to walk. */
    ChainVerification finishOnEveryCore() throws SQLException {
        return finish(Math.min(Runtime.getRuntime().availableProcessors(), chunks()) - 1);
    }

    /**
     * Walks unclaimed chunks, on a read-only connection of its own, until none is left; returns at
     * once when none is (or when the database is in memory, which no other connection can read). A
     * connection that cannot be opened leaves the chunks to the other walkers.
     */
    public void help() {
        help(pages != null && pages.owned()); // a shared reader is left to the walk's own threads (walkAll)
    }

    private void help(boolean readPages) {
        if (file == null || nextChunk.get() >= results.length) {
            return;
        }
        try (Connection own = Sqlite.openReadOnly(file)) {
            walkChunks(own, readPages);
        } catch (SQLException e) {
            // not opened (or not closed): whatever this thread claimed is recorded; the rest is for the others
        }
    }

    /**
     * Walks unclaimed chunks on the caller's connection, with {@code threads} more threads helping
     * meanwhile (when the pages are read through a shared reader, {@code threads + 1} threads walk
     * and the caller only takes what they could not: see {@link #walkAll}), waits until every chunk
     * is walked, and links them in order.
     *
     * @throws SQLException the error of the first chunk that could not be read, when no record before
     *                      it is bad
     */
    public ChainVerification finish(int threads) throws SQLException {
        try {
            if (first < 0) { // the chunks start at 0: a record stored below it would never be read
                return broken(AuditChain.GENESIS, 0, "unexpected position " + first + " where 0 was expected");
            }
            return walkAll(threads);
        } finally {
            closePages(pages);
        }
    }

    /** Closes the pinned file's reader if the walk opened it (read-only: nothing can be lost). */
    static void closePages(RecordPages.Source pages) {
        if (pages != null && pages.owned()) {
            try {
                pages.file().close();
            } catch (IOException e) {
                // nothing was written through it
            }
        }
    }

    /**
     * The calling thread walks too, unless the pages are read through a shared reader (the live
     * database's, {@code Database.pages()}): those are read only by threads this walk starts, which
     * nobody interrupts. A thread interrupted during a {@code FileChannel} read closes the channel,
     * and closing a descriptor of the live database would drop this process's locks on it.
     */
    private ChainVerification walkAll(int threads) throws SQLException {
        boolean callerWalks = pages == null || pages.owned();
        List<Thread> helpers = new ArrayList<>();
        int started = callerWalks ? Math.min(threads, results.length - 1) : Math.min(threads + 1, results.length);
        for (int i = 1; i <= started; i++) {
            Thread t = new Thread(() -> help(pages != null), "colibri-chain-" + i);
            t.setDaemon(true);
            t.start();
            helpers.add(t);
        }
        if (callerWalks) {
            walkChunks(connection, pages != null);
        }
        try {
            if (!callerWalks) {
                for (Thread t : helpers) {
                    t.join();
                }
                walkChunks(connection, false); // what no helper took (none could open a connection): through SQLite
            }
            walked.await();
            for (Thread t : helpers) {
                t.join(); // its connection is closed too: no reader is left on the file
            }
        } catch (InterruptedException e) {
            firstBad.set(-1); // stop the other walkers: nobody will wait for them
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while verifying the audit chain", e);
        }
        return join();
    }

    private void walkChunks(Connection c, boolean readPages) {
        HmacSha256 mac = key.newMac();
        CanonicalRecord.Writer canonical = new CanonicalRecord.Writer();
        RecordPages reader = readPages ? new RecordPages(pages) : null;
        for (int i = nextChunk.getAndIncrement(); i < results.length; i = nextChunk.getAndIncrement()) {
            try {
                results[i] = bounds[i] > firstBad.get() ? MOOT
                        : new ChainSegment(bounds[i], bounds[i + 1], mac, canonical, firstBad, leaves[i], taskIds[i],
                                reader)
                                .walk(c, AuditChain.GENESIS);
            } catch (Throwable e) { // an Error too: recorded, and raised by join() once every walker is done
                failures[i] = e;
                firstBad.accumulateAndGet(bounds[i], Math::min); // the chunks after it stop; those before go on
                mac = key.newMac(); // whatever state the failure left it in
            } finally {
                walked.countDown();
            }
        }
    }

    /** Links the chunks in order: the first problem wins, a link across a boundary before the chunk's own. */
    private ChainVerification join() throws SQLException {
        byte[] before = AuditChain.GENESIS;
        for (int i = 0; i < results.length; i++) {
            ChainSegment.Result r = results[i];
            if (r == null) {
                if (failures[i] instanceof Error e) {
                    throw e;
                }
                throw failures[i] instanceof SQLException se ? se
                        : new SQLException("cannot verify the audit chain: " + failures[i].getMessage(), failures[i]);
            }
            long from = bounds[i];
            if (i > 0 && r.firstRead() && (r.firstPrev() == null || !AuditKey.same(r.firstPrev(), before))) {
                return broken(before, from, "prev_hash of record " + from + " does not equal the hash of record "
                        + (from - 1));
            }
            if (!r.clean()) {
                return broken(r.hashBeforeBad() != null ? r.hashBeforeBad() : before, r.badAt(), r.problem());
            }
            before = r.lastHash() != null ? r.lastHash() : before;
        }
        return new ChainVerification(true, bounds[bounds.length - 1], HEX.formatHex(before), null, null);
    }

    private ChainVerification broken(byte[] headHash, long at, String problem) throws SQLException {
        return new ChainVerification(false, AuditChain.count(connection), HEX.formatHex(headHash), at, problem);
    }
}
