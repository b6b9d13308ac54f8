package dev.colibri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.testing.TestWorkspace;
import dev.colibri.workspace.WorkspaceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opening a workspace for a server: the lock at once, the database on a background thread. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ColibriTest {

    private static final String HEALTH_CHECK = "colibri-health-check";

    @TempDir
    Path tmp;

    @Test
    void aHeldWorkspaceIsRefusedOnTheCallingThreadBeforeAnyBoot() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        try (Colibri holder = Colibri.open(ws.workspace(), Clock.systemUTC())) {
            long pid = ProcessHandle.current().pid();
            Path lock = ws.workspace().lockFile();
            WorkspaceException e = assertThrows(WorkspaceException.class,
                    () -> Colibri.openInBackground(ws.workspace(), Clock.systemUTC()));
            assertEquals("cannot open the workspace " + ws.workspace().home() + ": the workspace is held by pid " + pid
                    + " (lock " + lock + "); stop that process first (kill -INT " + pid + ")", e.getMessage());
        }
    }

    @Test
    void aBootFailureCompletesTheFutureWithOpensExceptionAndReleasesTheLock() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        Colibri.open(ws.workspace(), Clock.systemUTC()).close();
        String keyId;
        try (Colibri c = Colibri.open(ws.workspace(), Clock.systemUTC())) {
            keyId = c.key().id();
        }
        byte[] good = Files.readAllBytes(ws.keyFile());
        byte[] other = good.clone();
        other[0] ^= 0x5a;
        Files.write(ws.keyFile(), other);
        WorkspaceException expected = assertThrows(WorkspaceException.class,
                () -> Colibri.open(ws.workspace(), Clock.systemUTC()));

        CompletableFuture<Colibri> booting = Colibri.openInBackground(ws.workspace(), Clock.systemUTC());
        ExecutionException failed = assertThrows(ExecutionException.class, booting::get);
        assertSame(WorkspaceException.class, failed.getCause().getClass());
        assertEquals(expected.getMessage(), failed.getCause().getMessage());
        assertTrue(failed.getCause().getMessage().startsWith("the audit key " + ws.keyFile() + " (key id "),
                failed.getCause().getMessage());
        assertTrue(failed.getCause().getMessage().endsWith(") is not the key of this workspace's chain (key id "
                + keyId + "); point COLIBRI_AUDIT_KEY_FILE at the right key. Colibri never re-keys a chain"),
                failed.getCause().getMessage());

        Files.write(ws.keyFile(), good);
        try (Colibri reopened = Colibri.openInBackground(ws.workspace(), Clock.systemUTC()).get()) {
            assertEquals(keyId, reopened.key().id());
        }
    }

    @Test
    void aMissingKeyIsCreatedOnlyWhileTheChainIsEmpty() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        try (Colibri first = Colibri.openInBackground(ws.workspace(), Clock.systemUTC()).get()) {
            assertTrue(Files.isRegularFile(ws.keyFile()), "the first boot of an empty chain did not create the key");
            first.audit().append("decision", "the chain is no longer empty", null);
        }
        Files.delete(ws.keyFile());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> Colibri.openInBackground(ws.workspace(), Clock.systemUTC()).get());
        assertEquals("the audit key file " + ws.keyFile() + " is missing but the audit chain already has records;"
                + " restore the key file (or set COLIBRI_AUDIT_KEY_FILE to it). Colibri never re-keys a chain",
                e.getCause().getMessage());
        assertFalse(Files.exists(ws.keyFile()));
    }

    @Test
    void theServingOpenLeavesTheHealthCheckToTheCallerAndClosingCancelsAPendingOne() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        awaitNoHealthCheck(); // one started by Colibri.open in another test
        try (Colibri c = Colibri.openInBackground(ws.workspace(), Clock.systemUTC()).get()) {
            assertFalse(healthCheckRunning(), "openInBackground started the health check itself");
            c.startHealthCheck(Duration.ofMinutes(5));
            assertTrue(healthCheckRunning());
        }
        awaitNoHealthCheck();
        assertFalse(healthCheckRunning(), "a health check still waiting when the workspace closed did not stop");
    }

    @Test
    void aCommandsOpenStartsNoHealthCheckThatWouldCompeteWithIt() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        awaitNoHealthCheck();
        try (Colibri c = Colibri.openForOneCommand(ws.workspace(), Clock.systemUTC())) {
            assertFalse(healthCheckRunning(), "a CLI command's open started the health check");
            boolean valid = c.database().read(con -> con.isValid(1));
            assertTrue(valid);
        }
    }

    private static void awaitNoHealthCheck() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (HEALTH_CHECK.equals(t.getName())) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    private static boolean healthCheckRunning() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> HEALTH_CHECK.equals(t.getName()) && t.isAlive());
    }
}
