package dev.colibri.workspace;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The live database: one writer connection behind a fair lock (SQLite has a single writer, and
 * serialising in the process means no client ever sees {@code SQLITE_BUSY}), fresh read-only
 * connections for readers, and a corruption latch: once SQLite reports a damaged file, writes are
 * refused with a message pointing to {@code restore_plan} while reads keep working.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** A unit of work on a connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** What follows a {@link SqlWork} in the same transaction, from what it returned. */
    @FunctionalInterface
    public interface SqlStep<S, T> {
        T run(S started) throws SQLException;
    }

    /** How long {@link #readFromEmptyLog}'s checkpoint waits for other readers, while our writes wait for it. */
    static final int EMPTY_LOG_BUSY_MILLIS = 100;

    private final Path file;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    /** Open reads that give way to a backup, each with the flag that says it was interrupted. */
    private final Map<Connection, AtomicBoolean> givingWay = new ConcurrentHashMap<>();
    /** Backups inside {@link #whileWritesPaused} now: a read that would give way does not start. */
    private final AtomicInteger pauses = new AtomicInteger();
    /** How many SQLite virtual-machine steps a read that gives way runs between looks at its flag. */
    private static final int PROGRESS_STEPS = 10_000;
    /** Set once by {@link #stopReadsGivingWay()}: every read that gives way does so from then on. */
    private final AtomicBoolean readsGivingWayStopped = new AtomicBoolean();
    private volatile String corruption;
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    /** The file's direct page reader ({@link #pages()}); closed only by {@link #close()}, after the writer. */
    private final LiveFileReader pageReader;

    private Database(Path file, Connection writer) {
        this.file = file;
        this.writer = writer;
        this.pageReader = new LiveFileReader(file);
    }

    /**
     * Opens (creating if needed) the database in WAL mode and runs pending migrations. A file SQLite
     * reports as damaged still opens, latched read-only: writes are refused with a pointer to
     * {@code restore_plan} while reads are attempted one call at a time.
     */
    public static Database open(Path file) {
        Connection writer;
        try {
            writer = Sqlite.openWriter(file);
        } catch (SQLException e) {
            if (!Sqlite.isCorruption(e)) {
                throw new DatabaseException("cannot open " + file + ": " + e.getMessage(), false, e);
            }
            Database damaged = new Database(file, null);
            damaged.markCorrupt("opening it failed: " + e.getMessage());
            return damaged;
        }
        Database db = new Database(file, writer);
        try {
            db.write(Schema::migrate);
        } catch (DatabaseException e) {
            if (!e.corrupt()) {
                db.close();
                throw e;
            }
            LOG.error("the database is damaged; serving read-only: {}", e.getMessage());
        }
        return db;
    }

    public Path file() {
        return file;
    }

    /** Runs {@code work} in one IMMEDIATE transaction on the writer connection. */
    public <T> T write(SqlWork<T> work) {
        writeLock.lock();
        try {
            refuseIfCorrupt();
            writer.setAutoCommit(false);
            try {
                T result = work.run(writer);
                writer.commit();
                writes.incrementAndGet();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                if (e instanceof RuntimeException re && !Sqlite.isCorruption(re)) {
                    throw re;
                }
                throw translate(e, "write");
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw translate(e, "write");
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code work} on a fresh read-only connection (its own consistent view). */
    public <T> T read(SqlWork<T> work) {
        try (Connection c = Sqlite.openReadOnly(file)) {
            c.setAutoCommit(false);
            try {
                return work.run(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw translate(e, "read");
        }
    }

    /**
     * Runs read-only work in one transaction that begins, where it can, on an empty write-ahead log:
     * while such a transaction is held, SQLite copies no later commit into the database file, so the
     * file's pages can be read directly ({@link #pages()}). Our writer is held while it runs a
     * {@code TRUNCATE} checkpoint, the transaction takes its first read and {@code setUp} runs on
     * it; then writes resume and {@code rest} runs in the same transaction. Keep {@code setUp} short:
     * every write waits for it. A checkpoint that another reader blocks for more than
     * {@value #EMPTY_LOG_BUSY_MILLIS} ms (a long read of another process, or the boot's quick_check,
     * which this does not interrupt) leaves the log as it is, and the work runs all the same.
     */
    public <S, T> T readFromEmptyLog(SqlWork<S> setUp, SqlStep<S, T> rest) {
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("a read from the emptied log of " + file + " was asked inside a write,"
                    + " where the log cannot be checkpointed");
        }
        backfillWithoutTheWriter();
        try (Connection c = Sqlite.openReadOnly(file)) {
            c.setAutoCommit(false);
            try {
                S started;
                writeLock.lock();
                try {
                    emptyLog();
                    started = setUp.run(c);
                } finally {
                    writeLock.unlock();
                }
                return rest.run(started);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw translate(e, "read");
        }
    }

    /**
     * A {@code PASSIVE} checkpoint on a connection of its own while writes go on: it copies what it
     * can without waiting for anyone, so that the {@code TRUNCATE} under the held writer has only the
     * last commits left to copy and the writes wait for that alone.
     */
    private void backfillWithoutTheWriter() {
        if (writer == null || corruption != null) {
            return;
        }
        try (Connection control = Sqlite.openForCheckpoint(file); Statement statement = control.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (SQLException e) {
            LOG.debug("the checkpoint before a read of {} failed: {}", file, e.getMessage());
        }
    }

    /**
     * A {@code TRUNCATE} checkpoint by the writer (held by the caller), waiting only briefly for other
     * readers. What stops it (a reader) leaves the read to SQLite; a damaged page latches the
     * database, as any failed call does.
     */
    private void emptyLog() {
        if (writer == null || corruption != null) {
            return;
        }
        try (Statement statement = writer.createStatement()) {
            long busyTimeout = busyTimeout(statement);
            statement.execute("PRAGMA busy_timeout = " + EMPTY_LOG_BUSY_MILLIS);
            try {
                if (checkpointHeld("TRUNCATE") != 0) {
                    LOG.debug("the checkpoint before a read of {} was blocked by another reader", file);
                }
            } finally {
                statement.execute("PRAGMA busy_timeout = " + busyTimeout);
            }
        } catch (SQLException e) {
            if (Sqlite.isCorruption(e)) {
                markCorrupt("a checkpoint failed: " + e.getMessage());
            }
            LOG.warn("the checkpoint before a read of {} failed: {}", file, e.getMessage());
        }
    }

    private static long busyTimeout(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("PRAGMA busy_timeout")) {
            row.next();
            return row.getLong(1);
        }
    }

    /**
     * Runs read-only work that gives way to a backup, such as the boot-time quick_check: a long read
     * transaction on a WAL that holds frames keeps every checkpoint from finishing, and the snapshot
     * copier needs one. {@link #whileWritesPaused} interrupts it (SQLite's {@code sqlite3_interrupt}).
     *
     * @return the work's result, or empty when a backup interrupted it
     */
    public <T> Optional<T> readGivingWay(SqlWork<T> work) {
        AtomicBoolean interrupted = new AtomicBoolean();
        try (Connection c = Sqlite.openReadOnly(file)) {
            // sqlite3_interrupt only stops a statement already running; this handler also stops one
            // that starts after the interrupt (between registering and the first step)
            ProgressHandler.setHandler(c, PROGRESS_STEPS, new ProgressHandler() {
                @Override
                protected int progress() {
                    return interrupted.get() ? 1 : 0;
                }
            });
            givingWay.put(c, interrupted);
            if (pauses.get() > 0 || readsGivingWayStopped.get()) { // its interrupt may have come before we registered
                givingWay.remove(c);
                return Optional.empty();
            }
            try {
                c.setAutoCommit(false);
                try {
                    return Optional.ofNullable(work.run(c));
                } finally {
                    c.rollback();
                }
            } finally {
                givingWay.remove(c);
            }
        } catch (SQLException e) {
            if (interrupted.get() && isInterrupt(e)) {
                return Optional.empty();
            }
            throw translate(e, "read"); // anything else, a damaged page above all, is reported as ever
        }
    }

    private static boolean isInterrupt(SQLException e) {
        return e instanceof SQLiteException se ? se.getResultCode() == SQLiteErrorCode.SQLITE_INTERRUPT
                : e.getMessage() != null && e.getMessage().contains("interrupt");
    }

    /**
     * Runs {@code action} while no write can start: the backup's moment of quiet. Reads that give way
     * ({@link #readGivingWay}) are interrupted first, so that they do not hold the WAL.
     */
    public <T> T whileWritesPaused(Callable<T> action) throws Exception {
        writeLock.lock();
        pauses.incrementAndGet();
        try {
            interruptReadsGivingWay();
            return action.call();
        } finally {
            pauses.decrementAndGet();
            writeLock.unlock();
        }
    }

    /**
     * Ends the reads that give way ({@link #readGivingWay}) now and for good, such as the boot-time
     * quick_check: the workspace is closing, and a reader left behind would outlive it.
     */
    public void stopReadsGivingWay() {
        readsGivingWayStopped.set(true);
        interruptReadsGivingWay();
    }

    private void interruptReadsGivingWay() {
        givingWay.forEach((c, interrupted) -> {
            interrupted.set(true);
            try {
                c.unwrap(SQLiteConnection.class).getDatabase().interrupt();
            } catch (SQLException e) {
                LOG.debug("could not interrupt a background read: {}", e.getMessage());
            }
        });
    }

    /**
     * The database file opened for reading its pages directly (the chain walk, see
     * {@code RecordPages}), opened on first use and kept open until {@link #close()}: closing any
     * descriptor of the file would drop every POSIX lock this process holds on it, the writer's
     * included (see {@code LiveFileCopier}), so it is closed only once the writer is.
     *
     * @throws IOException the file cannot be opened or is not a UTF-8 SQLite database
     */
    public PageFile pages() throws IOException {
        return pageReader.pages();
    }

    /** Runs a WAL checkpoint on the writer connection; returns SQLite's busy flag (0 = complete). */
    public int checkpoint(String mode) {
        if (writer == null) {
            return -1;
        }
        writeLock.lock();
        try {
            return checkpointHeld(mode);
        } catch (SQLException e) {
            throw translate(e, "checkpoint");
        } finally {
            writeLock.unlock();
        }
    }

    /** {@link #checkpoint} by a caller that holds the writer. */
    private int checkpointHeld(String mode) throws SQLException {
        try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }

    /** Transactions committed through this handle (the boot migration included). */
    public long writesSinceOpen() {
        return writes.get();
    }

    /** The reason writes are refused, or null while the database is healthy. */
    public String corruption() {
        return corruption;
    }

    /** Latches the corruption state (used by the boot health check as well as by failed calls). */
    public void markCorrupt(String reason) {
        if (corruption == null) {
            corruption = reason;
            LOG.error("database {} is damaged, writes are now refused: {}", file, reason);
        }
    }

    private void refuseIfCorrupt() {
        String reason = corruption;
        if (reason != null) {
            throw new DatabaseException("writes are refused: the live database " + file + " is damaged (" + reason
                    + "). Do not keep writing; call restore_plan, then stop the server and run"
                    + " `java -jar colibri.jar restore --yes`", true, null);
        }
    }

    private DatabaseException translate(Exception e, String what) {
        if (e instanceof DatabaseException de) {
            return de;
        }
        boolean corrupt = Sqlite.isCorruption(e);
        if (corrupt) {
            markCorrupt(e.getMessage());
            return new DatabaseException("the database " + file + " is damaged (" + e.getMessage()
                    + "); writes are stopped. Call restore_plan and restore from a clean snapshot", true, e);
        }
        return new DatabaseException(what + " failed on " + file + ": " + e.getMessage(), false, e);
    }

    private void rollbackQuietly() {
        try {
            writer.rollback();
        } catch (SQLException ignored) {
            // the original error is what matters
        }
    }

    @Override
    public void close() {
        if (writer == null) {
            pageReader.close();
            return;
        }
        writeLock.lock();
        try {
            if (corruption == null) {
                try {
                    checkpointHeld("TRUNCATE");
                } catch (SQLException e) {
                    LOG.warn("final checkpoint of {} failed: {}", file, e.getMessage());
                }
            }
            writer.close();
        } catch (SQLException e) {
            LOG.warn("closing {} failed: {}", file, e.getMessage());
        } finally {
            pageReader.close();
            writeLock.unlock();
        }
    }
}
