package dev.colibri.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.spy;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.audit.ChainVerification;
import dev.colibri.audit.ThoughtRecord;
import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Snapshot;
import dev.colibri.workspace.Durable;
import dev.colibri.workspace.LockProbe;
import dev.colibri.workspace.Meta;
import dev.colibri.workspace.Sqlite;
import dev.colibri.workspace.WorkspaceException;
import dev.colibri.workspace.WorkspaceLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineRestoreTest {

    @TempDir
    Path tmp;

    private RestoreFixture fx;
    private Path data;
    private byte[] staleWal;

    /**
     * A round snapshot with 5 records, 3 more records after it, a session snapshot at close (8
     * records, flipped here so the restore walks past it), and the -wal/-shm a killed server leaves.
     */
    private String workspaceWithRecordsAfterTheSnapshot() throws IOException {
        fx = new RestoreFixture(tmp, false);
        data = fx.workspace.dataDir();
        String round;
        byte[] shm;
        try (Colibri c = fx.open()) {
            round = fx.roundSnapshotThenThreeMore(c);
            staleWal = Files.readAllBytes(fx.workspace.wal());
            shm = Files.readAllBytes(fx.workspace.shm());
        }
        Files.write(fx.workspace.wal(), staleWal);
        Files.write(fx.workspace.shm(), shm);
        fx.clock.advance(Duration.ofMinutes(1));
        Snapshot session = new BackupCatalog(fx.workspace, fx.clock).list().get(0);
        RestoreFixture.flipMiddleByte(session.path());
        return round;
    }

    private OfflineRestore restore() {
        return new OfflineRestore(fx.workspace, fx.clock);
    }

    private List<Path> brokenFiles() throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(p -> p.getFileName().toString().startsWith("colibri.db.broken-")).sorted().toList();
        }
    }

    private Optional<String> meta(String key) throws SQLException {
        try (Connection c = Sqlite.openReadOnly(fx.workspace.database())) {
            return Meta.get(c, key);
        }
    }

    @Test
    void restoreOfACorruptedLiveDatabaseKeepsTheBrokenFileAndEndsWithAVerifiedChain() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        RestoreFixture.corruptFromPageTwo(fx.workspace.database());
        String corrupted = RestoreFixture.sha256(fx.workspace.database());
        List<RestoreStep> heard = new ArrayList<>();

        Outcome outcome = restore().run(Optional.empty(), heard::add);

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertEquals(round, outcome.snapshot());
        assertEquals(1, outcome.rejected().size());
        assertEquals(heard, outcome.steps());
        assertEquals(List.of("clean_temporaries", "verify", "copy", "move_aside", "move_wal_shm", "put_in_place",
                "recheck", "record_restore", "audit_chain", "merkle_root"), heard.stream().map(RestoreStep::name).toList());
        String broken = "colibri.db.broken-20260401-100200";
        assertEquals("data/" + broken, outcome.brokenFile());
        assertEquals(List.of(data.resolve(broken), data.resolve(broken + "-shm"), data.resolve(broken + "-wal")),
                brokenFiles());
        assertEquals(corrupted, RestoreFixture.sha256(data.resolve(broken)), "the original must be kept byte for byte");
        assertArrayEquals(staleWal, Files.readAllBytes(data.resolve(broken + "-wal")));
        assertFalse(Files.exists(fx.workspace.wal()));
        assertFalse(Files.exists(fx.workspace.shm()));
        assertEquals(new ChainVerification(true, 5, outcome.chain().headHash(), null, null), outcome.chain());
        assertEquals("match", outcome.merkle().anchorStatus());
        // Whether the damaged file can still be counted depends on which pages the stale WAL holds (the
        // snapshot copier checkpoints it); either way the loss must be reported consistently.
        Long lost = outcome.recordsLost();
        assertTrue(lost == null || lost == 3L, "records lost: " + lost);
        assertEquals("{\"snapshot\":\"" + round + "\",\"restored_at\":\"2026-04-01T10:02:00Z\",\"records_lost\":" + lost
                + ",\"broken_file\":\"data/" + broken + "\"}", meta(Meta.PENDING_RESTORE).orElseThrow());
        assertEquals(Optional.of("2"), meta(Meta.RESTORE_ANCHOR_SEQ));
    }

    @Test
    void restoreOfAnUnreadableDatabaseRecordsThatTheLossIsUnknown() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        Files.delete(fx.workspace.wal());
        Files.delete(fx.workspace.shm());
        RestoreFixture.corruptFromPageTwo(fx.workspace.database());

        Outcome outcome = restore().run(Optional.empty(), StepListener.none());

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertEquals(round, outcome.snapshot());
        assertNull(outcome.recordsLost());
        assertEquals(new RestoreStep("move_wal_shm", "skipped", "no -wal, -shm or -journal beside the database"),
                outcome.steps().get(4));
        try (Colibri c = fx.open()) {
            assertEquals("restored the database from snapshot " + round + " at 2026-04-01T10:02:00Z; the number of"
                    + " records lost is unknown (the replaced database could not be read); the replaced database is kept"
                    + " as data/colibri.db.broken-20260401-100200",
                    c.database().read(AuditChain::head).orElseThrow().content(), "the boot records the restore");
            assertTrue(c.audit().verifyLive().ok());
        }
    }

    @Test
    void afterRestoreTheNextBootRecordsTheRestoreAndTheChainVerifies() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        Outcome outcome = restore().run(Optional.empty(), StepListener.none());
        assertEquals(3L, outcome.recordsLost());

        try (Colibri c = fx.open()) {
            Optional<ThoughtRecord> note = c.database().read(AuditChain::head); // the boot recorded it

            assertEquals("restored the database from snapshot " + round + " at 2026-04-01T10:02:00Z; 3 thought record(s)"
                    + " written after that snapshot were lost and are not in this chain; the replaced database is kept as "
                    + outcome.brokenFile(), note.orElseThrow().content());
            assertEquals(5, note.get().position());
            assertEquals("restore", note.get().kind());
            ChainVerification chain = c.audit().verifyLive();
            assertTrue(chain.ok(), chain::reason);
            assertEquals(6, chain.length());
            assertEquals(Optional.empty(), RestoreNote.recordPending(c.database(), c.audit().chain()));
            assertEquals("match", c.merkle().liveReport().anchorStatus(),
                    "anchors of the lost records must not read as a cut chain: " + c.merkle().liveReport().detail());
        }
    }

    @Test
    @SuppressWarnings("try")
    void restoreRefusesWhileAnotherHolderHasTheWorkspaceLock() throws Exception {
        workspaceWithRecordsAfterTheSnapshot();
        Map<Path, String> before = RestoreFixture.hashTree(fx.workspace.home());
        long pid = ProcessHandle.current().pid();
        try (WorkspaceLock held = WorkspaceLock.acquire(fx.workspace.lockFile(), "serve")) {
            WorkspaceException e = assertThrows(WorkspaceException.class,
                    () -> restore().run(Optional.empty(), StepListener.none()));

            assertEquals("cannot restore: the workspace is held by pid " + pid + " (lock " + fx.workspace.lockFile()
                    + "); stop that process first (kill -INT " + pid + ")", e.getMessage());
        }
        assertEquals(before, RestoreFixture.hashTree(fx.workspace.home()));
    }

    @Test
    void restoreRefusesWhileAServerProcessHoldsTheWorkspaceAndThePlanNamesIt() throws Exception {
        workspaceWithRecordsAfterTheSnapshot();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockProbe.class.getName(), fx.workspace.lockFile().toString(), "hold").start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HELD", out.readLine());
            long pid = server.pid();

            WorkspaceException e = assertThrows(WorkspaceException.class,
                    () -> restore().run(Optional.empty(), StepListener.none()));
            Plan plan = RestorePlanner.offline(fx.workspace, fx.clock).plan(Optional.empty());

            assertEquals("cannot restore: the workspace is held by pid " + pid + " (lock " + fx.workspace.lockFile()
                    + "); stop that process first (kill -INT " + pid + ")", e.getMessage());
            assertEquals(pid, plan.serverPid());
            assertEquals("kill -INT " + pid + " && while kill -0 " + pid + " 2>/dev/null; do sleep 1; done",
                    plan.steps().get(0).command());
        } finally {
            server.getOutputStream().close();
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void restoreKilledAfterTheMoveCompletesWhenRunAgain() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        String original = RestoreFixture.sha256(fx.workspace.database());
        Path broken = data.resolve("colibri.db.broken-20260401-095900");
        Files.move(fx.workspace.database(), broken);
        Path stale = data.resolve(Durable.TEMP_PREFIX + "colibri.db-123");
        Files.write(stale, new byte[] {1, 2, 3});

        Outcome outcome = restore().run(Optional.empty(), StepListener.none());

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertEquals(round, outcome.snapshot());
        assertEquals(new RestoreStep("clean_temporaries", "ok", "removed " + stale.getFileName()
                + " left in data/ by an interrupted run"), outcome.steps().get(0));
        assertEquals(new RestoreStep("move_aside", "skipped", "data/colibri.db is absent: an interrupted run already"
                + " moved the original aside as data/" + broken.getFileName()), outcome.steps().get(3));
        assertEquals("data/" + broken.getFileName(), outcome.brokenFile());
        assertEquals(3L, outcome.recordsLost(), "counted on the moved-aside original");
        assertEquals(original, RestoreFixture.sha256(broken));
        assertTrue(Files.exists(data.resolve(broken.getFileName() + "-wal")), "its WAL joins it");
        assertFalse(Files.exists(stale));
    }

    @Test
    void restoreInterruptedAtTheRenameIntoPlaceLeavesTheOriginalAsideAndTheRerunFinishes() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        String original = RestoreFixture.sha256(fx.workspace.database());
        RestoreFiles failing = spy(new RestoreFiles());
        doThrow(new IOException("No space left on device (injected)")).when(failing).move(
                argThat(p -> p != null && p.getFileName().toString().startsWith(Durable.TEMP_PREFIX)),
                eq(fx.workspace.database()));

        Outcome first = new OfflineRestore(fx.workspace, fx.clock, failing).run(Optional.empty(), StepListener.none());

        assertFalse(first.restored());
        assertEquals(new RestoreStep("put_in_place", "fail", "No space left on device (injected). The original database"
                + " is kept as " + first.brokenFile() + ". Fix the cause and run the restore again; it picks up where"
                + " this run stopped"), first.failure());
        assertFalse(Files.exists(fx.workspace.database()));
        assertEquals(original, RestoreFixture.sha256(fx.workspace.home().resolve(first.brokenFile())));
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(Durable.TEMP_PREFIX)).toList());
        }

        fx.clock.advance(Duration.ofMinutes(1));
        Outcome second = restore().run(Optional.empty(), StepListener.none());

        assertTrue(second.ok(), () -> String.valueOf(second.failure()));
        assertEquals(round, second.snapshot());
        assertEquals(first.brokenFile(), second.brokenFile());
        assertEquals(3L, second.recordsLost());
        assertEquals(List.of(data.resolve("colibri.db.broken-20260401-100200"),
                data.resolve("colibri.db.broken-20260401-100200-shm"),
                data.resolve("colibri.db.broken-20260401-100200-wal")), brokenFiles());
    }

    @Test
    void restoreInterruptedAfterTheCopyWasInPlaceDoesNotMoveTheCopyAside() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        Path broken = data.resolve("colibri.db.broken-20260401-095900");
        Files.move(fx.workspace.database(), broken);
        Files.copy(fx.backup(round), fx.workspace.database());

        Outcome outcome = restore().run(Optional.empty(), StepListener.none());

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertEquals(new RestoreStep("copy", "skipped", "data/colibri.db already holds the exact bytes of " + round
                + ": an interrupted restore put it in place"), outcome.steps().get(2));
        assertEquals("data/" + broken.getFileName(), outcome.brokenFile());
        assertEquals(3L, outcome.recordsLost());
        assertEquals(List.of(broken, data.resolve(broken.getFileName() + "-shm"), data.resolve(broken.getFileName() + "-wal")),
                brokenFiles());
    }

    @Test
    void restoreOfANamedUnsafeSnapshotChangesNothing() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        RestoreFixture.flipMiddleByte(fx.backup(round));
        Map<Path, String> before = RestoreFixture.hashTree(fx.workspace.home());

        Outcome outcome = restore().run(Optional.of(round), StepListener.none());

        assertFalse(outcome.restored());
        RestoreStep verify = outcome.failure();
        assertEquals("verify", verify.name());
        // which SQLite check the flipped byte also trips depends on the page it lands on; the checksum always fails
        assertTrue(verify.detail().startsWith(round + " is not safe to restore from: "), verify.detail());
        assertTrue(verify.detail().contains("checksum: sha256 "), verify.detail());
        assertTrue(verify.detail().endsWith(". Pick another snapshot (restore_plan names the newest clean one). Nothing"
                + " was changed"), verify.detail());
        Map<Path, String> after = RestoreFixture.hashTree(fx.workspace.home());
        for (Path transientFile : List.of(fx.workspace.lockFile(), fx.workspace.shm())) {
            // the lock records the restore's pid; reading the stale WAL rebuilds its -shm index
            after.remove(transientFile);
            before.remove(transientFile);
        }
        assertEquals(before, after);
    }

    @Test
    void restoreWithoutAnyCleanSnapshotSaysWhereToLook() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        RestoreFixture.truncateToHalf(fx.backup(round));

        Outcome outcome = restore().run(Optional.empty(), StepListener.none());

        assertFalse(outcome.restored());
        assertEquals(new RestoreStep("verify", "fail", "no snapshot verifies clean (2 rejected, see rejected). Check the"
                + " cold tier (COLIBRI_COLD_DIR); the anchors in docs/anchors.jsonl still prove the last state. Nothing"
                + " was changed"), outcome.failure());
        assertTrue(Files.exists(fx.workspace.database()));
    }

    @Test
    void restoreRefusesWithoutTheAuditKey() throws Exception {
        workspaceWithRecordsAfterTheSnapshot();
        Files.delete(fx.workspace.keyFile());

        WorkspaceException e = assertThrows(WorkspaceException.class,
                () -> restore().run(Optional.empty(), StepListener.none()));

        assertEquals("the audit key file " + fx.workspace.keyFile() + " is missing but the audit chain already has"
                + " records; restore the key file (or set COLIBRI_AUDIT_KEY_FILE to it). Colibri never re-keys a chain",
                e.getMessage());
        assertTrue(Files.exists(fx.workspace.database()));
    }


    /** Regression: a leftover journal beside the fresh copy would be taken for its own and rolled back onto it. */
    @Test
    void restoreMovesALeftoverRollbackJournalAsideWithTheBrokenFile() throws Exception {
        workspaceWithRecordsAfterTheSnapshot();
        Path journal = data.resolve("colibri.db-journal");
        Files.write(journal, new byte[] {(byte) 0xd9, (byte) 0xd5, 0x05, (byte) 0xf9, 0x20, (byte) 0xa1, 0x63, (byte) 0xd7});

        Outcome outcome = restore().run(Optional.empty(), StepListener.none());

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertFalse(Files.exists(journal));
        assertTrue(Files.exists(fx.workspace.home().resolve(outcome.brokenFile() + "-journal")));
        assertEquals(new RestoreStep("move_wal_shm", "ok", "moved aside colibri.db-wal as " + outcome.brokenFile()
                + "-wal, colibri.db-shm as " + outcome.brokenFile() + "-shm, colibri.db-journal as " + outcome.brokenFile()
                + "-journal"), outcome.steps().get(4));
    }

    /** Regression: a run killed after the note was written, run again, moved the restored copy aside as "broken". */
    @Test
    void restoreRunAgainBeforeTheNextBootKeepsTheFirstRunsNote() throws Exception {
        String round = workspaceWithRecordsAfterTheSnapshot();
        Outcome first = restore().run(Optional.empty(), StepListener.none());
        String note = meta(Meta.PENDING_RESTORE).orElseThrow();
        List<Path> broken = brokenFiles();
        fx.clock.advance(Duration.ofMinutes(5));

        Outcome second = restore().run(Optional.empty(), StepListener.none());

        assertTrue(second.ok(), () -> String.valueOf(second.failure()));
        assertEquals(round, second.snapshot());
        assertEquals(new RestoreStep("copy", "skipped", "an earlier run already restored " + round
                + " at 2026-04-01T10:02:00Z (its pending_restore note is in data/colibri.db)"), second.steps().get(2));
        assertEquals(new RestoreStep("record_restore", "skipped", "the pending_restore note of the earlier run is kept"),
                second.steps().get(7));
        assertEquals(first.brokenFile(), second.brokenFile());
        assertEquals(3L, second.recordsLost());
        assertEquals(broken, brokenFiles());
        assertEquals(Optional.of(note), meta(Meta.PENDING_RESTORE));
    }

    /** Stands for a kill -9: not an exception any step handles. */
    private static final class Killed extends Error {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void restoreKilledAtAnyFileStepKeepsTheOriginalAndCompletesWhenRunAgain() throws Exception {
        Path root = tmp;
        for (int crashAt = 1; ; crashAt++) {
            tmp = Files.createDirectories(root.resolve("crash-" + crashAt));
            String round = workspaceWithRecordsAfterTheSnapshot();
            String original = RestoreFixture.sha256(fx.workspace.database());
            int at = crashAt;
            AtomicInteger calls = new AtomicInteger();
            RestoreFiles crashing = mock(RestoreFiles.class, invocation -> {
                if (calls.incrementAndGet() == at) {
                    throw new Killed();
                }
                return invocation.callRealMethod();
            });
            OfflineRestore killable = new OfflineRestore(fx.workspace, fx.clock, crashing);
            try {
                killable.run(Optional.empty(), StepListener.none());
                assertTrue(crashAt > 1, "the run never touched a file");
                break;
            } catch (Killed expected) {
                List<String> copies = new ArrayList<>();
                for (Path p : Stream.concat(Stream.of(fx.workspace.database()), brokenFiles().stream()).toList()) {
                    if (Files.isRegularFile(p) && !p.toString().endsWith("-wal") && !p.toString().endsWith("-shm")) {
                        copies.add(RestoreFixture.sha256(p));
                    }
                }
                assertTrue(copies.contains(original), "killed at file step " + at + ": the original is gone");
            }
            fx.clock.advance(Duration.ofMinutes(1));

            Outcome rerun = restore().run(Optional.empty(), StepListener.none());

            assertTrue(rerun.ok(), () -> "killed at file step " + at + ": " + rerun.failure());
            assertEquals(round, rerun.snapshot());
            assertEquals(original, RestoreFixture.sha256(fx.workspace.home().resolve(rerun.brokenFile())));
            assertEquals(3L, rerun.recordsLost(), "killed at file step " + at);
        }
    }
}
