package dev.colibri.workspace;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/** Opening SQLite connections the way Colibri needs them, and classifying SQLite's errors. */
public final class Sqlite {

    private static final int BUSY_TIMEOUT_MS = 10_000;

    private Sqlite() {
    }

    /** The writer connection of the live database: WAL, foreign keys on, IMMEDIATE transactions. */
    static Connection openWriter(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /**
     * A read-write connection for a checkpoint alone: it changes no setting of the database and
     * never waits for a lock (a {@code PASSIVE} checkpoint does not).
     */
    static Connection openForCheckpoint(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setBusyTimeout(0);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /**
     * A read-only connection. For the live database it shares the WAL; for a snapshot file it never
     * creates a journal or WAL beside it, so verifying a snapshot does not change it.
     *
     * <p>It opens without SQLite's per-connection mutex ({@code SQLITE_OPEN_NOMUTEX}): sqlite-jdbc
     * already serialises every call on a connection in Java (its native methods are
     * {@code synchronized}; {@code sqlite3_interrupt}, the one that is not, is safe from any thread),
     * so the mutex only cost a lock and an unlock per row read, about 4 % of a chain walk.
     */
    public static Connection openReadOnly(Path file) throws SQLException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new SQLException("no database file at " + file);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setOpenMode(SQLiteOpenMode.READONLY);
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /**
     * True when SQLite says the file is damaged or not a database at all. Only SQL exceptions in the
     * cause chain count: other exceptions' messages may echo user input (a status, a task id).
     */
    public static boolean isCorruption(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLiteException se) {
                SQLiteErrorCode code = se.getResultCode();
                int primary = code == null ? se.getErrorCode() & 0xff : code.code & 0xff;
                if (primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code) {
                    return true;
                }
            }
            String m = c.getMessage();
            if (c instanceof SQLException && m != null && (m.contains("malformed") || m.contains("not a database")
                    || m.contains("SQLITE_CORRUPT") || m.contains("SQLITE_NOTADB"))) {
                return true;
            }
        }
        return false;
    }
}
