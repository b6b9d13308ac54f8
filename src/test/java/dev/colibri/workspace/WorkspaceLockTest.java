package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("try") // locks are held for the scope of a try, not referenced
class WorkspaceLockTest {

    private static final long OUR_PID = ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    private Path lockFile() {
        return tmp.resolve("data").resolve("colibri.lock");
    }

    private static String refusal(String purpose, long pid, Path file) {
        return "cannot " + purpose + ": the workspace is held by pid " + pid + " (lock " + file
                + "); stop that process first (kill -INT " + pid + ")";
    }

    @Test
    void acquireCreatesTheLockFileWithOurPidInside() throws IOException {
        try (WorkspaceLock lock = WorkspaceLock.acquire(lockFile(), "serve")) {
            assertEquals(lockFile(), lock.file());
            assertEquals(OUR_PID + "\n", Files.readString(lockFile(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void secondAcquireInTheSameProcessIsRefusedNamingThisPid() {
        try (WorkspaceLock held = WorkspaceLock.acquire(lockFile(), "serve")) {
            WorkspaceException e = assertThrows(WorkspaceException.class,
                    () -> WorkspaceLock.acquire(lockFile(), "restore"));
            assertEquals(refusal("restore", OUR_PID, lockFile()), e.getMessage());
        }
    }

    @Test
    void lockIsReleasedOnClose() {
        WorkspaceLock.acquire(lockFile(), "serve").close();
        try (WorkspaceLock again = WorkspaceLock.acquire(lockFile(), "serve")) {
            assertEquals(OptionalLong.of(OUR_PID), WorkspaceLock.holder(lockFile()));
        }
    }

    @Test
    void holderReportsOurPidWhileHeldAndEmptyAfter() {
        try (WorkspaceLock lock = WorkspaceLock.acquire(lockFile(), "serve")) {
            assertEquals(OptionalLong.of(OUR_PID), WorkspaceLock.holder(lockFile()));
        }
        assertEquals(OptionalLong.empty(), WorkspaceLock.holder(lockFile()));
    }

    @Test
    void holderOfAMissingLockFileIsEmpty() {
        assertEquals(OptionalLong.empty(), WorkspaceLock.holder(lockFile()));
    }

    @Test
    void staleLockFileLeftByADeadProcessDoesNotBlock() throws IOException {
        Files.createDirectories(lockFile().getParent());
        Files.writeString(lockFile(), "999999\n");
        assertEquals(OptionalLong.empty(), WorkspaceLock.holder(lockFile()));
        try (WorkspaceLock lock = WorkspaceLock.acquire(lockFile(), "serve")) {
            assertEquals(OUR_PID + "\n", Files.readString(lockFile()));
        }
    }

    @Test
    void anotherJvmIsRefusedNamingOurPid() throws Exception {
        try (WorkspaceLock lock = WorkspaceLock.acquire(lockFile(), "serve")) {
            assertEquals(List.of("REFUSED " + refusal("serve", OUR_PID, lockFile())), runProbe());
        }
        assertEquals(List.of("ACQUIRED"), runProbe());
    }

    /**
     * Regression: asking who holds the lock (or a refused second acquire) from inside the holding
     * process opened and closed a second channel on the lock file, and on Linux closing any
     * descriptor of a file drops every POSIX lock the process holds on it, so another process
     * could then take a workspace that was still being served.
     */
    @Test
    void inProcessHolderQueryAndRefusedAcquireDoNotReleaseTheLock() throws Exception {
        try (WorkspaceLock lock = WorkspaceLock.acquire(lockFile(), "serve")) {
            assertEquals(OptionalLong.of(OUR_PID), WorkspaceLock.holder(lockFile()));
            assertThrows(WorkspaceException.class, () -> WorkspaceLock.acquire(lockFile(), "serve"));
            assertEquals(List.of("REFUSED " + refusal("serve", OUR_PID, lockFile())), runProbe());
        }
    }

    @Test
    void concurrentAcquiresInOneProcessLetExactlyOneWinAndKeepTheLock() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WorkspaceLock>> attempts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            attempts.add(pool.submit(() -> {
                start.await();
                try {
                    return WorkspaceLock.acquire(lockFile(), "serve");
                } catch (WorkspaceException refused) {
                    assertEquals(refusal("serve", OUR_PID, lockFile()), refused.getMessage());
                    return null;
                }
            }));
        }
        start.countDown();
        List<WorkspaceLock> winners = new ArrayList<>();
        for (Future<WorkspaceLock> attempt : attempts) {
            WorkspaceLock lock = attempt.get();
            if (lock != null) {
                winners.add(lock);
            }
        }
        pool.shutdown();
        try {
            assertEquals(1, winners.size());
            assertEquals(List.of("REFUSED " + refusal("serve", OUR_PID, lockFile())), runProbe());
        } finally {
            winners.forEach(WorkspaceLock::close);
        }
    }

    @Test
    void aliasPathThroughASymlinkIsTheSameLock() throws Exception {
        Files.createDirectories(lockFile().getParent());
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), lockFile().getParent()).resolve("colibri.lock");
        try (WorkspaceLock lock = WorkspaceLock.acquire(lockFile(), "serve")) {
            WorkspaceException e = assertThrows(WorkspaceException.class, () -> WorkspaceLock.acquire(alias, "restore"));
            assertEquals(refusal("restore", OUR_PID, alias), e.getMessage());
            assertEquals(OptionalLong.of(OUR_PID), WorkspaceLock.holder(alias));
            assertEquals(List.of("REFUSED " + refusal("serve", OUR_PID, lockFile())), runProbe());
        }
    }

    @Test
    void lockHeldByAnotherJvmRefusesUsNamingItsPidAndIsFreedWhenItDies() throws Exception {
        Process child = probe("hold").start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("HELD", out.readLine());
            WorkspaceException e = assertThrows(WorkspaceException.class,
                    () -> WorkspaceLock.acquire(lockFile(), "serve"));
            assertEquals(refusal("serve", child.pid(), lockFile()), e.getMessage());
            assertEquals(OptionalLong.of(child.pid()), WorkspaceLock.holder(lockFile()));

            child.destroyForcibly(); // kill -9: the OS drops the lock with the process
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the probe did not die");
        } finally {
            child.destroyForcibly();
        }
        try (WorkspaceLock lock = WorkspaceLock.acquire(lockFile(), "serve")) {
            assertEquals(OptionalLong.of(OUR_PID), WorkspaceLock.holder(lockFile()));
        }
    }

    private List<String> runProbe() throws Exception {
        Process p = probe().redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        List<String> lines;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            lines = out.lines().toList();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not exit");
        assertEquals(0, p.exitValue(), "probe exit code; output " + lines);
        return lines;
    }

    private ProcessBuilder probe(String... extra) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", classpath, LockProbe.class.getName(),
                lockFile().toString()));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectError(tmp.resolve("probe-stderr.txt").toFile());
    }
}
