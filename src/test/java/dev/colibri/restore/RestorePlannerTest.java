package dev.colibri.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotVerifier;
import dev.colibri.backup.Verification;
import dev.colibri.workspace.WorkspaceLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorePlannerTest {

    @TempDir
    Path tmp;

    /** Four round snapshots (3, 5, 7, 9 records) and the session snapshot the close takes (10 records). */
    private List<String> fourRoundsAndASession(RestoreFixture fx) throws IOException {
        try (Colibri c = fx.open()) {
            for (int round = 1; round <= 4; round++) {
                RestoreFixture.append(c, round == 1 ? 3 : 2);
                c.merkle().finalizeAndAnchor("r" + round);
                fx.clock.advance(Duration.ofMinutes(1));
                RestoreFixture.snapshot(c, "round", "r" + round);
            }
            RestoreFixture.append(c, 1);
            fx.clock.advance(Duration.ofMinutes(1));
        }
        fx.clock.advance(Duration.ofMinutes(1));
        return new BackupCatalog(fx.workspace, fx.clock).list().stream().map(Snapshot::name).toList();
    }

    private RestorePlanner planner(RestoreFixture fx) {
        return RestorePlanner.offline(fx.workspace, fx.clock);
    }

    @Test
    void planWalksPastACorruptedNewestAndATruncatedSnapshotWithTheirFailedChecks() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        List<String> newestFirst = fourRoundsAndASession(fx);
        RestoreFixture.flipMiddleByte(fx.backup(newestFirst.get(0)));
        RestoreFixture.truncateToHalf(fx.backup(newestFirst.get(1)));

        Plan plan = planner(fx).plan(Optional.empty());

        assertEquals(newestFirst.get(2), plan.candidate());
        assertEquals("hot", plan.candidateTier());
        assertEquals(List.of(newestFirst.get(0), newestFirst.get(1)), plan.rejected().stream().map(Plan.Rejected::name).toList());
        assertTrue(plan.rejected().get(0).reason().contains("checksum: sha256 "), plan.rejected().get(0).reason());
        assertTrue(plan.rejected().get(0).reason().contains(" differs from the manifest's "), plan.rejected().get(0).reason());
        assertTrue(plan.rejected().get(1).reason().contains("(truncated or extended)"), plan.rejected().get(1).reason());
        assertEquals(new Plan.DataLoss(plan.dataLoss().snapshotCreatedAt(), 3L, 10L, 7L,
                "3 thought record(s) written after the snapshot are not in it and would be lost"), plan.dataLoss());
    }

    @Test
    void planStepsCarryTheExactCommandLines() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        String candidate = fourRoundsAndASession(fx).get(0);
        Snapshot s = new BackupCatalog(fx.workspace, fx.clock).resolve(candidate);
        String broken = "data/colibri.db.broken-20260401-100600";
        String temp = "data/.colibri-tmp-colibri.db-restore";

        Plan plan = planner(fx).plan(Optional.empty());

        assertEquals(List.of("",
                "java -jar target/colibri.jar backup verify " + candidate,
                "mv data/colibri.db " + broken,
                "for s in wal shm journal; do if [ -e data/colibri.db-$s ]; then mv data/colibri.db-$s " + broken + "-$s; fi; done",
                "cp data/backups/" + candidate + " " + temp + " && echo '" + s.manifest().sha256() + "  " + temp
                        + "' | sha256sum -c && sync " + temp + " && mv -n " + temp + " data/colibri.db",
                "sqlite3 data/colibri.db \"PRAGMA integrity_check;\"",
                "java -jar target/colibri.jar serve",
                "audit_verify_chain {}",
                "merkle_root {}"), plan.steps().stream().map(Plan.Step::command).toList());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), plan.steps().stream().map(Plan.Step::step).toList());
        assertEquals("no server holds the workspace: nothing to stop", plan.steps().get(0).action());
        assertNull(plan.serverPid());
        assertEquals("java -jar target/colibri.jar restore --snapshot " + candidate + " --yes", plan.offline().command());
        assertEquals(List.of(2, 3, 4, 5, 6), plan.offline().steps());
        assertEquals(fx.workspace.home().toString(), plan.workspace());
    }

    @Test
    @SuppressWarnings("try")
    void planNamesThePidOfTheServerHoldingTheWorkspace() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        fourRoundsAndASession(fx);
        long pid = ProcessHandle.current().pid();
        try (WorkspaceLock held = WorkspaceLock.acquire(fx.workspace.lockFile(), "serve")) {
            Plan plan = planner(fx).plan(Optional.empty());

            assertEquals(pid, plan.serverPid());
            assertEquals("kill -INT " + pid + " && while kill -0 " + pid + " 2>/dev/null; do sleep 1; done",
                    plan.steps().get(0).command());
        }
    }

    @Test
    void planWithAnExplicitSnapshotVerifiesOnlyThatOne() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        List<String> newestFirst = fourRoundsAndASession(fx);
        RestoreFixture.flipMiddleByte(fx.backup(newestFirst.get(0)));

        Plan plan = planner(fx).plan(Optional.of(newestFirst.get(3)));

        assertEquals(newestFirst.get(3), plan.candidate());
        assertEquals(List.of(), plan.rejected());
        assertEquals(5L, plan.dataLoss().recordsAfterSnapshot());
        assertEquals(5L, plan.dataLoss().snapshotRecords());
    }

    @Test
    void planWithAnExplicitUnsafeSnapshotHasNoCandidate() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        String newest = fourRoundsAndASession(fx).get(0);
        RestoreFixture.flipMiddleByte(fx.backup(newest));

        Plan plan = planner(fx).plan(Optional.of(newest));

        assertNull(plan.candidate());
        assertNull(plan.offline());
        assertEquals(List.of(newest), plan.rejected().stream().map(Plan.Rejected::name).toList());
        assertEquals(newest + " is not safe to restore from (see rejected): do not restore it; plan again without naming"
                + " a snapshot to get the newest one that verifies clean", plan.steps().get(0).action());
        assertEquals("java -jar target/colibri.jar restore", plan.steps().get(0).command());
        assertEquals(new Plan.DataLoss(null, null, 10L, null, "no snapshot to restore from, so nothing to compare; the"
                + " live database holds 10 records"), plan.dataLoss());
    }

    @Test
    void planRefusesPathsAndUnknownNames() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        fourRoundsAndASession(fx);
        RestorePlanner planner = planner(fx);

        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> planner.plan(Optional.of("../colibri.db")));
        assertEquals("snapshot \"../colibri.db\" is a path, not a name: names may not contain '/', '\\', '..' or NUL;"
                + " use a name from backup_list such as colibri-r75-20260416.db", path.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> planner.plan(Optional.of("colibri-r9-20260101.db")));
        assertEquals("no snapshot named colibri-r9-20260101.db in " + fx.workspace.backupsDir()
                + "; call backup_list to see the snapshots there are", unknown.getMessage());
    }

    @Test
    void planWalksHotThenWarmThenColdNewestFirst() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, true);
        String phase;
        try (Colibri c = fx.open()) {
            RestoreFixture.append(c, 2);
            c.merkle().finalizeAndAnchor("r1");
            phase = RestoreFixture.snapshot(c, "phase", "r1");
            fx.clock.advance(Duration.ofHours(1));
            RestoreFixture.append(c, 1);
            RestoreFixture.snapshot(c, "round", "r2");
            fx.clock.advance(Duration.ofDays(10));
            RestoreFixture.append(c, 1);
            RestoreFixture.snapshot(c, "round", "r3");
            fx.clock.advance(Duration.ofMinutes(1));
        }
        fx.clock.advance(Duration.ofMinutes(1));
        List<Snapshot> local = new BackupCatalog(fx.workspace, fx.clock).list().stream().filter(s -> !s.cold()).toList();
        for (Snapshot s : local) {
            RestoreFixture.flipMiddleByte(s.path());
        }
        Map<Path, String> before = RestoreFixture.hashTree(fx.workspace.home(), fx.workspace.coldDir());

        Plan plan = planner(fx).plan(Optional.empty());

        assertEquals(phase, plan.candidate());
        assertEquals("cold", plan.candidateTier());
        assertEquals(List.of("hot", "hot", "warm", "warm"), plan.rejected().stream().map(Plan.Rejected::tier).toList());
        assertEquals(local.stream().map(Snapshot::name).toList(), plan.rejected().stream().map(Plan.Rejected::name).toList());
        assertTrue(plan.steps().get(4).command().startsWith("cp " + fx.workspace.coldDir().resolve(phase) + " "),
                plan.steps().get(4).command());
        assertEquals(before, RestoreFixture.hashTree(fx.workspace.home(), fx.workspace.coldDir()), "the plan changed files");
    }

    @Test
    void planWithNoCleanSnapshotPointsToTheColdTierAndTheAnchors() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        List<String> all = fourRoundsAndASession(fx);
        for (String name : all) {
            RestoreFixture.flipMiddleByte(fx.backup(name));
        }
        Map<Path, String> before = RestoreFixture.hashTree(fx.workspace.home());

        Plan plan = planner(fx).plan(Optional.empty());

        assertNull(plan.candidate());
        assertEquals(all, plan.rejected().stream().map(Plan.Rejected::name).toList());
        assertEquals("no snapshot verifies clean (all 5 were rejected, see rejected): do not write to the live database;"
                + " keep it as it is for root-cause analysis (no repair in place)", plan.steps().get(0).action());
        assertEquals("check the cold tier: it is not configured here; mount the off-host drive, point COLIBRI_COLD_DIR"
                + " at it and plan again", plan.steps().get(1).action());
        assertEquals("COLIBRI_COLD_DIR=/path/to/cold java -jar target/colibri.jar restore", plan.steps().get(1).command());
        assertTrue(plan.steps().get(2).action().startsWith("the external anchor log docs/anchors.jsonl holds 5 anchor(s);"
                + " the latest, #5, is the tree head of size 10 with root "), plan.steps().get(2).action());
        assertEquals(before, RestoreFixture.hashTree(fx.workspace.home()), "the plan changed files");
    }

    @Test
    void planChangesNothingInTheWorkspace() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        List<String> newestFirst = fourRoundsAndASession(fx);
        RestoreFixture.flipMiddleByte(fx.backup(newestFirst.get(0)));
        Map<Path, String> before = RestoreFixture.hashTree(fx.workspace.home());

        planner(fx).plan(Optional.empty());
        planner(fx).plan(Optional.of(newestFirst.get(2)));

        assertEquals(before, RestoreFixture.hashTree(fx.workspace.home()));
    }

    @Test
    void dataLossIsUnknownWhenTheLiveDatabaseCannotBeRead() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        String newest = fourRoundsAndASession(fx).get(0);
        RestoreFixture.corruptFromPageTwo(fx.workspace.database());

        Plan plan = planner(fx).plan(Optional.empty());

        assertEquals(newest, plan.candidate());
        assertNull(plan.dataLoss().recordsAfterSnapshot());
        assertNull(plan.dataLoss().liveRecords());
        assertEquals(10L, plan.dataLoss().snapshotRecords());
        assertTrue(plan.dataLoss().detail().startsWith("unknown: the live database cannot be read ("),
                plan.dataLoss().detail());
    }

    @Test
    void planHoldsEachSnapshotToItsOwnManifestsWorkspaceWhenTheLiveDatabaseIsUnreadable() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        List<String> newestFirst = fourRoundsAndASession(fx);
        RestoreFixture.corruptFromPageTwo(fx.workspace.database());
        Path manifest = fx.backup(newestFirst.get(0) + ".manifest.json");
        String text = java.nio.file.Files.readString(manifest);
        java.nio.file.Files.writeString(manifest, text.replaceFirst("\"workspace_id\" : \"[^\"]+\"",
                "\"workspace_id\" : \"another-workspace\""));

        Plan plan = planner(fx).plan(Optional.empty());

        assertEquals(newestFirst.get(1), plan.candidate());
        assertTrue(plan.rejected().get(0).reason().startsWith("workspace: the snapshot belongs to workspace "),
                plan.rejected().get(0).reason());
        assertTrue(plan.rejected().get(0).reason().endsWith(", not to this one (another-workspace)"),
                plan.rejected().get(0).reason());
    }

    /** Two round snapshots, the newer one corrupted; both files dated an hour back, so their stat vouches for them. */
    private static List<String> twoSettledNewestCorrupted(RestoreFixture fx, Colibri c) throws IOException {
        RestoreFixture.append(c, 2);
        c.merkle().finalizeAndAnchor("r1");
        String older = RestoreFixture.snapshot(c, "round", "r1");
        fx.clock.advance(Duration.ofMinutes(1));
        RestoreFixture.append(c, 1);
        c.merkle().finalizeAndAnchor("r2");
        String newer = RestoreFixture.snapshot(c, "round", "r2");
        RestoreFixture.flipMiddleByte(fx.backup(newer));
        FileTime anHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));
        for (String name : List.of(older, newer)) {
            Files.setLastModifiedTime(fx.backup(name), anHourAgo);
        }
        try {
            Thread.sleep(2_200); // past the memo's two-second window: the inode change time cannot be dated back
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return List.of(newer, older);
    }

    @Test
    void aSecondPlanReusesTheCandidatesVerdictAndVerifiesTheRejectedOnesAgain() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        try (Colibri c = fx.open()) {
            List<String> s = twoSettledNewestCorrupted(fx, c);
            String at = fx.clock.instant().toString();
            Plan first = c.restorePlanner().plan(Optional.empty());
            fx.clock.advance(Duration.ofMinutes(5));

            Plan second = c.restorePlanner().plan(Optional.empty());

            assertEquals(s.get(1), second.candidate());
            assertEquals(first.rejected().stream().map(Plan.Rejected::reason).toList(),
                    second.rejected().stream().map(Plan.Rejected::reason).toList());
            assertEquals(List.of(s.get(0)), second.rejected().stream().map(Plan.Rejected::name).toList());
            assertFalse(first.candidateVerdictFromMemory());
            assertEquals(at, first.candidateVerifiedAt());
            assertTrue(second.candidateVerdictFromMemory());
            assertEquals(at, second.candidateVerifiedAt());
            assertEquals(fx.clock.instant().toString(), second.rejected().get(0).verifiedAt());
            assertEquals(3, c.verdicts().verificationsRun());
        }
    }

    @Test
    void aPlanReusesTheVerdictsABackupListingMadeOnTheSameFiles() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        try (Colibri c = fx.open()) {
            List<String> s = twoSettledNewestCorrupted(fx, c);
            c.retention().report(Optional.empty());
            assertEquals(2, c.verdicts().verificationsRun());

            Plan plan = c.restorePlanner().plan(Optional.empty());

            assertEquals(s.get(1), plan.candidate());
            assertTrue(plan.candidateVerdictFromMemory());
            assertEquals(3, c.verdicts().verificationsRun(), "one memo per process, shared by listings and plans");
        }
    }

    @Test
    void theOfflineRestoresSelectionAlwaysVerifiesInFullWhateverTheMemoHolds() throws IOException {
        RestoreFixture fx = new RestoreFixture(tmp, false);
        try (Colibri c = fx.open()) {
            List<String> s = twoSettledNewestCorrupted(fx, c);
            c.restorePlanner().plan(Optional.empty());
            List<Verification> heard = new ArrayList<>();

            RestorePlanner.Selection selection = c.restorePlanner().select(Optional.empty(), c.workspaceId(),
                    SnapshotVerifier::checksum, heard::add);

            assertEquals(List.of(s.get(0), s.get(1)), heard.stream().map(v -> v.snapshot().name()).toList());
            assertEquals(s.get(1), selection.candidate().name());
            assertFalse(selection.verdict().fromMemory());
            assertEquals(2, c.verdicts().verificationsRun(), "the plan's two; the restore's own do not go through the memo");
        }
    }
}
