package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression found by the hostile-names fault of the reliability campaign: a session snapshot takes
 * its name from the current round stored in the database, which was used unchecked. With
 * {@code current_round} edited to {@code ../../../../../outside/x} and the two folders the traversal
 * needs ({@code colibri-..} and {@code .colibri-tmp-colibri-..}) planted in data/backups,
 * backup_create wrote the snapshot and its manifest outside the workspace.
 */
class StoredRoundTraversalRegressionTest {

    @TempDir
    Path tmp;

    @Test
    void aTraversalInTheStoredCurrentRoundNeverWritesOutsideTheBackupsFolder() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        try (Colibri colibri = Colibri.open(new Workspace(tmp.resolve("ws"), null, tmp.resolve("keys/audit.key")),
                Clock.systemUTC())) {
            colibri.audit().append("note", "one record", null);
            Path backups = colibri.workspace().backupsDir();
            Files.createDirectories(backups.resolve("colibri-.."));
            Files.createDirectories(backups.resolve(".colibri-tmp-colibri-.."));
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + colibri.workspace().database());
                    Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                s.executeUpdate("INSERT INTO meta(key, value) VALUES('current_round', '../../../../../outside/x')"
                        + " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> colibri.backups().create("session", null, null, ProgressListener.none()));
            assertTrue(e.getMessage().contains("current round"), e.getMessage());
            try (Stream<Path> written = Files.list(outside)) {
                assertEquals(List.of(), written.toList(), "files written outside the workspace");
            }
            // an explicit round still works, and the session snapshot at close must not escape either
            assertEquals("colibri-r3-", colibri.backups().create("round", "r3", null, ProgressListener.none())
                    .snapshot().name().substring(0, 11));
        }
        try (Stream<Path> written = Files.list(outside)) {
            assertEquals(List.of(), written.toList(), "files written outside the workspace at close");
        }
    }
}
