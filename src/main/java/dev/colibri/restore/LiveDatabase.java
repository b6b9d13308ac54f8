package dev.colibri.restore;

import dev.colibri.workspace.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Reads the {@link LiveFacts} of the database a restore would replace. Never throws: a damaged or
 * missing file gives facts that say why they are unknown.
 */
@FunctionalInterface
public interface LiveDatabase {

    LiveFacts facts();

    /** Through the server's own handle (a fresh read-only connection per call). */
    static LiveDatabase of(Database db) {
        return () -> {
            try {
                return db.read(LiveFacts::read);
            } catch (RuntimeException e) {
                return LiveFacts.unreadable(e.getMessage());
            }
        };
    }

    /**
     * Straight from a file, read-only, for when no server is running. Without a {@code -wal} (or
     * {@code -journal}) beside it the file is opened immutable, so nothing is created next to it;
     * with one, SQLite must read the WAL to see its committed records and may create or rebuild the
     * transient {@code -shm} index.
     */
    static LiveDatabase file(Path file) {
        return () -> {
            if (!Files.isRegularFile(file)) {
                return LiveFacts.unreadable("there is no database at " + file);
            }
            try (Connection c = open(file)) {
                return LiveFacts.read(c);
            } catch (SQLException | RuntimeException e) {
                return LiveFacts.unreadable("cannot read " + file.getFileName() + ": " + e.getMessage());
            }
        };
    }

    private static Connection open(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setOpenMode(SQLiteOpenMode.READONLY);
        config.setBusyTimeout(10_000);
        boolean sidecars = Files.exists(file.resolveSibling(file.getFileName() + "-wal"))
                || Files.exists(file.resolveSibling(file.getFileName() + "-journal"));
        String url = sidecars ? "jdbc:sqlite:" + file.toUri() : "jdbc:sqlite:" + file.toUri() + "?immutable=1";
        return config.createConnection(url);
    }
}
