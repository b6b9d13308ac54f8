package dev.colibri.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Manifest;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotName;
import dev.colibri.backup.SnapshotVerifier;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.merkle.MerkleService;
import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Sqlite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore reads the candidate once, for its checksum and its copy, while the other checks run,
 * and reports the chain and Merkle results of that verification for the restored file, whose
 * sha256 is the candidate's: what must still hold with one read instead of three.
 */
class RestoreSingleReadTest {

    @TempDir
    Path tmp;

    private RestoreFixture fx;
    private Path data;

    /** A round snapshot of 5 records (r1 anchored), 3 more records (r2), and the session snapshot at close. */
    private String roundSnapshotAndThreeMoreRecords() throws IOException {
        fx = new RestoreFixture(tmp, false);
        data = fx.workspace.dataDir();
        String round;
        try (Colibri c = fx.open()) {
            round = fx.roundSnapshotThenThreeMore(c);
        }
        fx.clock.advance(Duration.ofMinutes(1));
        return round;
    }

    private Snapshot snapshot(String name) throws IOException {
        return new BackupCatalog(fx.workspace, fx.clock).resolve(name);
    }

    private List<Path> temporaries() throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.filter(p -> p.getFileName().toString().startsWith(Durable.TEMP_PREFIX)).toList();
        }
    }

    /** Everything under the workspace home, less the two files any run rewrites (the lock's pid, a WAL index). */
    private Map<Path, String> tree() throws IOException {
        Map<Path, String> hashes = RestoreFixture.hashTree(fx.workspace.home());
        hashes.remove(fx.workspace.lockFile());
        hashes.remove(fx.workspace.shm());
        return hashes;
    }

    @Test
    void theCopyingChecksumSaysWhatBackupVerifySaysOfIntactFlippedTruncatedAndManifestlessSnapshots() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        String session = new BackupCatalog(fx.workspace, fx.clock).list().get(0).name();
        Path manifestless = fx.backup("colibri-r9-20260401.db");
        Files.copy(fx.backup(round), manifestless);
        RestoreFixture.flipMiddleByte(fx.backup(session));
        Path truncated = fx.backup("colibri-r8-20260401.db");
        Files.copy(fx.backup(round), truncated);
        Files.copy(fx.backup(SnapshotName.manifestOf(round)), fx.backup(SnapshotName.manifestOf("colibri-r8-20260401.db")));
        RestoreFixture.truncateToHalf(truncated);
        CandidateCopy copies = new CandidateCopy(data, new RestoreFiles(), s -> false);

        for (String name : List.of(round, session, "colibri-r9-20260401.db", "colibri-r8-20260401.db")) {
            Snapshot s = snapshot(name);

            assertEquals(SnapshotVerifier.checksum(s), copies.apply(s), name);
            if (s.manifest() != null && Files.size(s.path()) == s.manifest().sizeBytes()) {
                Path copy = copies.result(s).temp();
                assertEquals(RestoreFixture.sha256(s.path()), RestoreFixture.sha256(copy), "the copy holds the bytes read");
            } else {
                assertEquals(List.of(), temporaries(), name + " is refused before anything is copied");
            }
            copies.discard(s);
        }
        assertEquals(List.of(), temporaries());
    }

    @Test
    void aSnapshotResealedOverCorruptPagesIsRefusedAndItsFullCopyRemovedWithNothingMoved() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        RestoreFixture.corruptFromPageTwo(fx.backup(round));
        Path manifest = fx.backup(SnapshotName.manifestOf(round));
        String sealed = Files.readString(manifest, StandardCharsets.UTF_8);
        String oldSha = Manifest.read(manifest).sha256();
        Files.writeString(manifest, sealed.replace(oldSha, RestoreFixture.sha256(fx.backup(round))), StandardCharsets.UTF_8);
        Map<Path, String> before = tree();

        Outcome outcome = new OfflineRestore(fx.workspace, fx.clock).run(Optional.of(round), StepListener.none());

        assertFalse(outcome.restored());
        RestoreStep verify = outcome.failure();
        assertEquals("verify", verify.name());
        assertTrue(verify.detail().startsWith(round + " is not safe to restore from: integrity_check: "), verify.detail());
        assertFalse(verify.detail().contains("checksum"), "the checksum matched, so the whole file was copied: "
                + verify.detail());
        assertTrue(verify.detail().endsWith(". Pick another snapshot (restore_plan names the newest clean one). Nothing"
                + " was changed"), verify.detail());
        assertEquals(List.of("clean_temporaries", "verify"), outcome.steps().stream().map(RestoreStep::name).toList(),
                "nothing after the verification");
        assertEquals(before, tree(), "the copy of the refused snapshot is removed and nothing else moved");
    }

    @Test
    void theCopyOfASnapshotFoundUnsafeIsRemovedBeforeTheNextOneIsCopied() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        RestoreFixture.flipMiddleByte(new BackupCatalog(fx.workspace, fx.clock).list().get(0).path());
        List<Integer> temporariesWhenVerified = new ArrayList<>();

        Outcome outcome = new OfflineRestore(fx.workspace, fx.clock).run(Optional.empty(), step -> {
            if (step.name().equals("verify")) {
                try {
                    temporariesWhenVerified.add(temporaries().size());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertEquals(round, outcome.snapshot());
        assertEquals(1, outcome.rejected().size());
        assertEquals(List.of(1), temporariesWhenVerified, "only the chosen snapshot's copy is in data/");
        assertEquals(List.of(), temporaries());
    }

    @Test
    void theChainAndRootReportedAreWhatAFullWalkOfTheRestoredFileGives() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        List<RestoreStep> heard = new ArrayList<>();

        Outcome outcome = new OfflineRestore(fx.workspace, fx.clock).run(Optional.of(round), heard::add);

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        try (Connection c = Sqlite.openReadOnly(fx.workspace.database())) {
            AuditChain chain = new AuditChain(AuditKey.load(fx.workspace.keyFile(), false), fx.clock);
            assertEquals(chain.verify(c), outcome.chain());
            assertEquals(MerkleService.report(c, new AnchorLog(fx.workspace.anchorLog()), false), outcome.merkle());
        }
        String same = " (on " + round + " while it was verified: data/colibri.db has the same sha256, so it is not ";
        assertEquals(new RestoreStep("audit_chain", "ok", "5 records verify, head " + outcome.chain().headHash() + same
                + "walked again)"), heard.get(8));
        assertEquals(new RestoreStep("merkle_root", "ok", "anchor match: root of size 5 matches anchor #1" + same
                + "recomputed)"), heard.get(9));
        Manifest m = snapshot(round).manifest();
        assertEquals(new RestoreStep("recheck", "ok", "data/colibri.db opens as a database of " + m.sizeBytes() / 4096
                + " pages of 4096 bytes with the chain head, tree head and workspace that were verified; its sha256 is"
                + " the manifest's, which " + round + " matched while it passed integrity_check, so it is not scanned"
                + " again"), heard.get(6));
    }

    @Test
    void withoutAnyTreeHeadTheReportedRootIsStillWhatAFullWalkGives() throws Exception {
        fx = new RestoreFixture(tmp, false);
        data = fx.workspace.dataDir();
        String snapshot;
        try (Colibri c = fx.open()) {
            RestoreFixture.append(c, 4);
            snapshot = RestoreFixture.snapshot(c, "session", null);
        }
        assertEquals(0, snapshot(snapshot).manifest().merkleSize(), "precondition: no tree head in the snapshot");

        Outcome outcome = new OfflineRestore(fx.workspace, fx.clock).run(Optional.of(snapshot), StepListener.none());

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        try (Connection c = Sqlite.openReadOnly(fx.workspace.database())) {
            assertEquals(MerkleService.report(c, new AnchorLog(fx.workspace.anchorLog()), false), outcome.merkle());
            assertEquals(new AuditChain(AuditKey.load(fx.workspace.keyFile(), false), fx.clock).verify(c),
                    outcome.chain());
        }
        assertEquals("missing", outcome.merkle().anchorStatus());
    }

    /** Regression guard: with one read for both, a full disk in data/ must not pass for a damaged snapshot. */
    @Test
    void aCopyThatCannotBeWrittenFailsTheCopyStepNotTheSnapshotAndTheRerunFinishes() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        String original = RestoreFixture.sha256(fx.workspace.database());
        Map<Path, String> before = tree();
        RestoreFiles full = spy(new RestoreFiles());
        doAnswer(inv -> {
            RestoreFiles.Copied real = (RestoreFiles.Copied) inv.callRealMethod();
            Files.delete(inv.getArgument(1));
            return new RestoreFiles.Copied(real.size(), real.sha256(), new IOException("No space left on device (injected)"));
        }).when(full).copyHashing(any(), any());

        Outcome first = new OfflineRestore(fx.workspace, fx.clock, full).run(Optional.of(round), StepListener.none());

        assertFalse(first.restored());
        assertEquals("ok", first.steps().get(1).status(), "the snapshot itself verified clean");
        assertEquals(new RestoreStep("copy", "fail", "cannot write the copy of " + round + " in data/: No space left on"
                + " device (injected); nothing was put in place. data/colibri.db is untouched. Fix the cause and run the"
                + " restore again; it picks up where this run stopped"), first.failure());
        assertNull(first.brokenFile());
        assertEquals(before, tree());

        Outcome second = new OfflineRestore(fx.workspace, fx.clock).run(Optional.of(round), StepListener.none());

        assertTrue(second.ok(), () -> String.valueOf(second.failure()));
        assertEquals(original, RestoreFixture.sha256(fx.workspace.home().resolve(second.brokenFile())));
    }

    @Test
    void aCopyThatCannotBeFlushedIsRemovedAndFailsTheCopyStep() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        Map<Path, String> before = tree();
        RestoreFiles failing = spy(new RestoreFiles());
        doAnswer(inv -> {
            Files.delete(inv.getArgument(0));
            throw new IOException("Input/output error (injected)");
        }).when(failing).flush(any());

        Outcome outcome = new OfflineRestore(fx.workspace, fx.clock, failing).run(Optional.of(round), StepListener.none());

        assertEquals(new RestoreStep("copy", "fail", "cannot write the copy of " + round + " in data/: Input/output error"
                + " (injected); nothing was put in place. data/colibri.db is untouched. Fix the cause and run the restore"
                + " again; it picks up where this run stopped"), outcome.failure());
        assertEquals(before, tree());
    }

    /** The fsync runs beside the rest of the verification, but nothing is put in place before it is over. */
    @Test
    void theCopyIsFlushedOnItsOwnThreadAndPutInPlaceOnlyAfterTheFlushEnds() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        RestoreFiles slow = spy(new RestoreFiles());
        doAnswer(inv -> {
            events.add("flush starts on " + Thread.currentThread().getName());
            Thread.sleep(500);
            inv.callRealMethod();
            events.add("flush ends");
            return null;
        }).when(slow).flush(any());
        doAnswer(inv -> {
            events.add("move " + ((Path) inv.getArgument(0)).getFileName().toString().startsWith(Durable.TEMP_PREFIX));
            return inv.callRealMethod();
        }).when(slow).move(any(), eq(fx.workspace.database()));

        Outcome outcome = new OfflineRestore(fx.workspace, fx.clock, slow).run(Optional.of(round), StepListener.none());

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertEquals(List.of("flush starts on colibri-restore-flush", "flush ends", "move true"), events);
        assertEquals(round, outcome.snapshot());
        assertEquals(List.of(), temporaries());
    }

    @Test
    void theCheckAfterTheSwapRefusesAFileThatIsNotTheVerifiedSnapshot() throws Exception {
        String round = roundSnapshotAndThreeMoreRecords();
        Snapshot session = new BackupCatalog(fx.workspace, fx.clock).list().get(0);
        RestoreFiles swapping = spy(new RestoreFiles());
        doAnswer(inv -> {
            Files.copy(session.path(), fx.workspace.database());
            Files.delete(inv.getArgument(0));
            return null;
        }).when(swapping).move(argThat(p -> p != null && p.getFileName().toString().startsWith(Durable.TEMP_PREFIX)),
                eq(fx.workspace.database()));

        Outcome outcome = new OfflineRestore(fx.workspace, fx.clock, swapping).run(Optional.of(round), StepListener.none());

        assertFalse(outcome.restored());
        Manifest verified = snapshot(round).manifest();
        Manifest other = session.manifest();
        String pages = other.sizeBytes() == verified.sizeBytes() ? ""
                : other.sizeBytes() / 4096 + " pages of 4096 bytes where the snapshot has " + verified.sizeBytes()
                        + " bytes; ";
        assertEquals(new RestoreStep("recheck", "fail", "the restored data/colibri.db is not what was verified: " + pages
                + "its chain ends at record 7 (hash " + other.chainHead() + ") where the snapshot's ends at 4 (hash "
                + verified.chainHead() + "); its latest tree head is size 8 root " + other.merkleRoot() + " where the"
                + " snapshot's is size 5 root " + verified.merkleRoot() + ". Restore again from another snapshot"
                + " (--snapshot NAME)."
                + " The original database is kept as " + outcome.brokenFile() + ". Fix the cause and run the restore"
                + " again; it picks up where this run stopped"), outcome.failure());
        assertNull(outcome.chain(), "no chain result is claimed for a file that is not the verified one");
    }
}
