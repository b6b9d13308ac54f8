package dev.colibri;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.workspace.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HealthCheckTest {

    @TempDir
    Path tmp;

    /**
     * Regression: closing did not wait for a running quick_check, so its reader outlived the
     * workspace, closed last, checkpointed and deleted the WAL after the lock was released (seen as a
     * temporary folder that could not be deleted, its files vanishing under the test's clean-up).
     */
    @Test
    void stoppingEndsARunningQuickCheckAndWaitsForIt() throws Exception {
        Database db = databaseOf(128);
        try {
            HealthCheck check = new HealthCheck(db);
            check.start(Duration.ZERO);
            Thread.sleep(30); // under way: reading 128 MB takes far longer

            check.stop();

            assertFalse(running(), "the health check's thread outlived stop()");
            assertNull(db.corruption(), "an interrupted check is not a verdict");
        } finally {
            db.close();
        }
        assertFalse(Files.exists(tmp.resolve("colibri.db-wal")), "the writer, closing last, removed the WAL");
    }

    @Test
    void aPendingCheckNeverRunsOnceStoppedNorAfterwards() throws Exception {
        Database db = databaseOf(1);
        try {
            HealthCheck check = new HealthCheck(db);
            check.start(Duration.ofMinutes(5));
            assertTrue(running());

            check.stop();
            assertFalse(running(), "a pending check did not end at stop()");
            check.start(Duration.ZERO);
            assertFalse(running(), "a stopped check started again");
            assertNull(db.corruption());
        } finally {
            db.close();
        }
    }

    private Database databaseOf(int megabytes) throws Exception {
        Database db = Database.open(tmp.resolve("colibri.db"));
        db.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE ballast (b BLOB)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ballast VALUES (randomblob(1048576))")) {
                for (int i = 0; i < megabytes; i++) {
                    ps.executeUpdate();
                }
            }
            return null;
        });
        return db;
    }

    private static boolean running() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> HealthCheck.THREAD_NAME.equals(t.getName()) && t.isAlive());
    }
}
