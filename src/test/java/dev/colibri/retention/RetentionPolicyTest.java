package dev.colibri.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.colibri.backup.Manifest;
import dev.colibri.backup.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every retention rule and its exact reason, on hand-built snapshots (no files). */
class RetentionPolicyTest {

    private static final Instant NOW = Instant.parse("2026-04-16T12:00:00Z");
    private static final Path BACKUPS = Path.of("/ws/data/backups");
    private static final Path COLD = Path.of("/mnt/cold");
    private static final ColdTierStatus COLD_OK = ColdTierStatus.reachable(COLD);

    private final RetentionPolicy policy = new RetentionPolicy();

    private static Snapshot local(String name, String kind, String round, double ageDays) {
        return snapshot(BACKUPS, name, ageDays < 7 ? "hot" : "warm", kind, round, ageDays, "aa");
    }

    private static Snapshot cold(String name, String kind, String round, double ageDays, String sha) {
        return snapshot(COLD, name, "cold", kind, round, ageDays, sha);
    }

    private static Snapshot snapshot(Path dir, String name, String tier, String kind, String round, double ageDays,
            String sha) {
        String created = NOW.minusMillis(Math.round(ageDays * 86_400_000L)).toString();
        Manifest m = new Manifest(1, name, kind, round, null, created, 4096, sha, 1, "ws-1", "key-1", 0, "00", 0, null,
                "backup_api", "3.50.0");
        return new Snapshot(name, dir.resolve(name), tier, m, 4096, created, kind, round, ageDays);
    }

    private List<Decision> classify(ColdTierStatus cold, Snapshot... snapshots) {
        return policy.classify(Arrays.asList(snapshots), Optional.empty(), cold);
    }

    private static void assertDecision(Decision d, String retention, String reason) {
        assertEquals(retention, d.retention(), d.snapshot().name() + ": " + d.reason());
        assertEquals(reason, d.reason(), d.snapshot().name());
    }

    @Test
    void hotSnapshotsAreAllKept() {
        List<Decision> ds = classify(COLD_OK, local("colibri-r75-20260416.db", "round", "r75", 0.5),
                local("colibri-r75-20260414.db", "session", "r75", 2),
                local("colibri-r75-20260410.db", "session", "r75", 6.9));
        assertDecision(ds.get(0), "keep", "hot: taken 0.5 days ago; every snapshot younger than 7 days is kept.");
        assertDecision(ds.get(1), "keep", "hot: taken 2.0 days ago; every snapshot younger than 7 days is kept.");
        assertDecision(ds.get(2), "keep", "hot: taken 6.9 days ago; every snapshot younger than 7 days is kept.");
    }

    @Test
    void warmKeepsTheNewestSnapshotOfEachRound() {
        List<Decision> ds = classify(COLD_OK, local("colibri-r75-20260408.db", "session", "r75", 8),
                local("colibri-r74-20260405.db", "round", "r74", 11),
                local("colibri-r75-20260403.db", "round", "r75", 13),
                local("colibri-r75-20260320.db", "session", "r75", 27));
        assertDecision(ds.get(0), "keep", "warm: the newest snapshot of round r75 between 7 and 30 days old; one per"
                + " round is kept.");
        assertDecision(ds.get(1), "keep", "warm: the newest snapshot of round r74 between 7 and 30 days old; one per"
                + " round is kept.");
        assertDecision(ds.get(2), "prune", "warm: a newer snapshot of round r75 is kept: colibri-r75-20260408.db");
        assertDecision(ds.get(3), "prune", "warm: a newer snapshot of round r75 is kept: colibri-r75-20260408.db");
    }

    @Test
    void aHotSnapshotOfTheSameRoundDoesNotDisplaceTheWarmOne() {
        List<Decision> ds = classify(COLD_OK, local("colibri-r75-20260415.db", "round", "r75", 1),
                local("colibri-r75-20260406.db", "round", "r75", 10));
        assertEquals("keep", ds.get(1).retention(), ds.get(1).reason());
    }

    @Test
    void premigrateSnapshotsAreAGroupOfTheirOwn() {
        List<Decision> ds = classify(COLD_OK, local("colibri-premigrate-20260407.db", "premigrate", "r76", 9),
                local("colibri-r75-20260406.db", "round", "r75", 10),
                local("colibri-premigrate-20260404.db", "premigrate", "r75", 12));
        assertDecision(ds.get(0), "keep", "warm: the newest premigrate snapshot between 7 and 30 days old; one"
                + " premigrate snapshot is kept besides one per round.");
        assertDecision(ds.get(1), "keep", "warm: the newest snapshot of round r75 between 7 and 30 days old; one per"
                + " round is kept.");
        assertDecision(ds.get(2), "prune", "warm: a newer premigrate snapshot is kept: colibri-premigrate-20260407.db");
    }

    @Test
    void premigrateIsRecognisedByNameWhenTheManifestIsMissing() {
        Snapshot newer = new Snapshot("colibri-premigrate-20260407.db", BACKUPS.resolve("colibri-premigrate-20260407.db"),
                "warm", null, 10, NOW.toString(), "premigrate", null, 9);
        Snapshot older = local("colibri-premigrate-20260405.db", "premigrate", "r70", 11);
        List<Decision> ds = classify(COLD_OK, newer, older);
        assertDecision(ds.get(1), "prune", "warm: a newer premigrate snapshot is kept: colibri-premigrate-20260407.db");
    }

    @Test
    void snapshotsOlderThanThirtyDaysArePruned() {
        List<Decision> ds = classify(COLD_OK, local("colibri-r70-20260301.db", "round", "r70", 46),
                local("colibri-premigrate-20260301.db", "premigrate", "r70", 46));
        assertDecision(ds.get(0), "prune", "older than 30 days (46.0 days): past the warm window, so it is pruned.");
        assertDecision(ds.get(1), "prune", "older than 30 days (46.0 days): past the warm window, so it is pruned.");
    }

    @Test
    void theWindowsAreHalfOpen() {
        List<Decision> ds = classify(COLD_OK, local("colibri-r1-20260409.db", "round", "r1", 7.0),
                local("colibri-r2-20260317.db", "round", "r2", 29.99),
                local("colibri-r3-20260317.db", "round", "r3", 30.0));
        assertEquals("warm", ds.get(0).snapshot().tier());
        assertEquals("keep", ds.get(0).retention());
        assertEquals("keep", ds.get(1).retention());
        assertDecision(ds.get(2), "prune", "older than 30 days (30.0 days): past the warm window, so it is pruned.");
    }

    @Test
    void anOldPhaseSnapshotWithAConfirmedColdCopyIsPrunedLocally() {
        Snapshot local = local("colibri-r5-20260301.db", "phase", "r5", 46);
        List<Decision> ds = classify(COLD_OK, local, cold("colibri-r5-20260301.db", "phase", "r5", 46, "aa"));
        assertDecision(ds.get(0), "prune", "older than 30 days (46.0 days): its phase seal copy is safe in the cold"
                + " tier, so the local copy is pruned.");
        assertDecision(ds.get(1), "keep", "cold: the phase seal snapshot of round r5, kept forever off-host.");
    }

    @Test
    void anOldPhaseSnapshotWithoutAColdCopyIsKept() {
        Snapshot phase = local("colibri-r5-20260301.db", "phase", "r5", 46);
        assertDecision(classify(COLD_OK, phase).get(0), "keep", "phase seal snapshot of round r5 with no copy in the"
                + " cold tier /mnt/cold: it is kept until it is copied there.");
        assertDecision(classify(ColdTierStatus.notConfigured(), phase).get(0), "keep", "phase seal snapshot of round r5"
                + " and no cold tier is configured (set COLIBRI_COLD_DIR): it is kept here until a copy is off-host.");
        assertDecision(classify(ColdTierStatus.unreachable(COLD, "gone"), phase).get(0), "keep", "phase seal snapshot"
                + " of round r5: the cold tier /mnt/cold cannot be read, so its off-host copy is unconfirmed and it is"
                + " kept.");
        assertDecision(classify(COLD_OK, phase, cold("colibri-r5-20260301.db", "phase", "r5", 46, "bb")).get(0), "keep",
                "phase seal snapshot of round r5: its copy in the cold tier has a different sha256, so it is kept until"
                        + " a good copy is made.");
    }

    @Test
    void aWarmPhaseSnapshotWithoutAColdCopyIsKeptEvenWhenANewerOneOfItsRoundExists() {
        List<Decision> ds = classify(COLD_OK, local("colibri-r5-20260406.db", "round", "r5", 10),
                local("colibri-r5-20260403.db", "phase", "r5", 13),
                local("colibri-r5-20260401.db", "round", "r5", 15));
        assertDecision(ds.get(1), "keep", "phase seal snapshot of round r5 with no copy in the cold tier /mnt/cold: it is"
                + " kept until it is copied there.");
        assertDecision(ds.get(2), "prune", "warm: a newer snapshot of round r5 is kept: colibri-r5-20260406.db");
    }

    @Test
    void theColdTierIsKeptForever() {
        List<Decision> ds = classify(COLD_OK, cold("colibri-r5-20250101.db", "phase", "r5", 470, "aa"),
                cold("colibri-r6-20250101.db", "round", "r6", 470, "aa"));
        assertDecision(ds.get(0), "keep", "cold: the phase seal snapshot of round r5, kept forever off-host.");
        assertDecision(ds.get(1), "keep", "cold: kept forever off-host (a round snapshot of round r6).");
    }

    @Test
    void theNewestCleanSnapshotIsNeverPrunedWhateverItsAge() {
        Snapshot old = local("colibri-r9-20260101.db", "round", "r9", 105);
        Snapshot older = local("colibri-r8-20251201.db", "round", "r8", 136);
        Snapshot coldCopy = cold("colibri-r9-20260101.db", "round", "r9", 105, "aa");
        List<Decision> ds = policy.classify(List.of(old, coldCopy, older), Optional.of(old), COLD_OK);
        assertDecision(ds.get(0), "keep", "newest snapshot that verifies clean: it is kept whatever its age, so there is"
                + " always a snapshot to restore from.");
        assertDecision(ds.get(1), "keep", "cold: kept forever off-host (a round snapshot of round r9).");
        assertDecision(ds.get(2), "prune", "older than 30 days (136.0 days): past the warm window, so it is pruned.");
    }

    @Test
    void theNewestCleanSnapshotIsMatchedByPathNotByName() {
        Snapshot local = local("colibri-r9-20260101.db", "round", "r9", 105);
        Snapshot coldCopy = cold("colibri-r9-20260101.db", "round", "r9", 105, "aa");
        List<Decision> ds = policy.classify(List.of(local, coldCopy), Optional.of(coldCopy), COLD_OK);
        assertEquals("prune", ds.get(0).retention());
        assertEquals("keep", ds.get(1).retention());
    }

    @Test
    void decisionsComeBackInTheOrderGiven() {
        List<Snapshot> in = new ArrayList<>(List.of(local("colibri-r1-20260101.db", "round", "r1", 105),
                local("colibri-r2-20260415.db", "round", "r2", 1), local("colibri-r3-20260405.db", "round", "r3", 11)));
        List<Decision> ds = policy.classify(in, Optional.empty(), COLD_OK);
        assertEquals(in, ds.stream().map(Decision::snapshot).toList());
    }

    @Test
    void aDecisionIsKeepOrPrune() {
        Snapshot s = local("colibri-r1-20260415.db", "round", "r1", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Decision(s, "maybe", "x"));
        assertEquals("retention must be keep or prune, got maybe", e.getMessage());
    }
}
