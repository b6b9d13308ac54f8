package dev.colibri.restore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteConfig;

/** The restored database file, opened directly (never booted as the live database) for the last checks. */
final class RestoredFile {

    /** The files SQLite keeps beside a database, by suffix: they belong to it and move with it. */
    static final List<String> SIDECARS = List.of("wal", "shm", "journal");

    private RestoredFile() {
    }

    static Connection open(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /** {@code PRAGMA quick_check}: "ok", or the first problem. */
    static String quickCheck(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
            return rs.next() ? rs.getString(1) : "no result";
        }
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // what was committed is durable in the file or its WAL; the next open finishes the checkpoint
        }
    }
}
