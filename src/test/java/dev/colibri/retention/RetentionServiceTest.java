package dev.colibri.retention;

import static dev.colibri.retention.RetentionFixture.NEWEST_CLEAN;
import static dev.colibri.retention.RetentionFixture.find;
import static dev.colibri.retention.RetentionFixture.names;
import static dev.colibri.retention.RetentionFixture.take;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotName;
import dev.colibri.testing.ByteFlip;
import dev.colibri.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention over a real workspace: real SQLite snapshots, real manifests, ages made by moving the clock. */
class RetentionServiceTest {

    @TempDir
    Path tmp;
    MutableClock clock;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    }

    private Colibri open(Path coldDir) {
        return RetentionFixture.open(tmp, coldDir, clock);
    }

    private static Path manifest(Snapshot s) {
        return s.path().resolveSibling(SnapshotName.manifestOf(s.name()));
    }

    /** Six snapshots aged 40, 20, 15, 12, 3 and 1 days. */
    private List<Snapshot> sixSnapshots(Colibri c) throws IOException {
        Snapshot a = take(c, "round", "r70");
        clock.advanceDays(20);
        Snapshot b = take(c, "round", "r71");
        clock.advanceDays(5);
        Snapshot cc = take(c, "session", "r71");
        clock.advanceDays(3);
        Snapshot d = take(c, "premigrate", null);
        clock.advanceDays(9);
        Snapshot e = take(c, "round", "r72");
        clock.advanceDays(2);
        Snapshot f = take(c, "round", "r72");
        clock.advanceDays(1);
        return List.of(f, e, d, cc, b, a);
    }

    @Test
    void listsNewestFirstWithTheDecisionOfEveryTier() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = sixSnapshots(c);
            List<Decision> ds = c.retention().list(Optional.empty());
            assertEquals(s.stream().map(Snapshot::name).toList(), names(ds));
            assertEquals(List.of("keep", "keep", "keep", "keep", "prune", "prune"),
                    ds.stream().map(Decision::retention).toList());
            assertEquals(List.of("hot", "hot", "warm", "warm", "warm", "warm"),
                    ds.stream().map(d -> d.snapshot().tier()).toList());
            assertEquals(NEWEST_CLEAN, ds.get(0).reason());
            assertEquals("hot: taken 3.0 days ago; every snapshot younger than 7 days is kept.", ds.get(1).reason());
            assertEquals("warm: the newest premigrate snapshot between 7 and 30 days old; one premigrate snapshot is"
                    + " kept besides one per round.", ds.get(2).reason());
            assertEquals("warm: the newest snapshot of round r71 between 7 and 30 days old; one per round is kept.",
                    ds.get(3).reason());
            assertEquals("warm: a newer snapshot of round r71 is kept: colibri-r71-20260326.db", ds.get(4).reason());
            assertEquals("older than 30 days (40.0 days): past the warm window, so it is pruned.", ds.get(5).reason());
            assertEquals("colibri-r70-20260301.db", ds.get(5).snapshot().name());
        }
    }

    @Test
    void filtersByTierAndRefusesAnUnknownTier() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = sixSnapshots(c);
            RetentionService r = c.retention();
            assertEquals(List.of(s.get(0).name(), s.get(1).name()), names(r.list(Optional.of("hot"))));
            assertEquals(s.subList(2, 6).stream().map(Snapshot::name).toList(), names(r.list(Optional.of("warm"))));
            assertEquals(List.of(), r.list(Optional.of("cold")));
            // the filter does not change the decisions: the old ones are still judged against the whole set
            assertEquals("prune", r.list(Optional.of("warm")).get(2).retention());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> r.list(Optional.of("lukewarm")));
            assertEquals("tier must be one of hot, warm, cold; got \"lukewarm\"", e.getMessage());
        }
    }

    @Test
    void aDryRunRemovesNothingAndARealPruneRemovesExactlyTheMarkedSnapshotsWithTheirManifests() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = sixSnapshots(c);
            Path backups = c.workspace().backupsDir();
            List<Path> before;
            try (var files = Files.list(backups)) {
                before = files.toList();
            }
            PruneResult dry = c.retention().prune(true);
            assertTrue(dry.dryRun());
            assertEquals(List.of(s.get(4).name(), s.get(5).name()), names(dry.pruned()));
            assertEquals(4, dry.kept());
            assertEquals(footprint(s.subList(4, 6)), dry.freedBytes());
            try (var files = Files.list(backups)) {
                assertTrue(files.toList().containsAll(before), "a dry run removed a file");
            }

            // SQLite leftovers beside a pruned snapshot go with it, so they never pair with a new file of that name
            Path wal = Files.writeString(backups.resolve(s.get(5).name() + "-wal"), "stale");
            Path shm = Files.writeString(backups.resolve(s.get(5).name() + "-shm"), "stale");
            long expected = footprint(s.subList(4, 6));
            PruneResult real = c.retention().prune(false);
            assertFalse(real.dryRun());
            assertEquals(names(dry.pruned()), names(real.pruned()));
            assertEquals(expected, real.freedBytes());
            assertEquals(List.of(), real.failed());
            for (Snapshot gone : s.subList(4, 6)) {
                assertFalse(Files.exists(gone.path()), gone.name());
                assertFalse(Files.exists(manifest(gone)), gone.name());
            }
            assertFalse(Files.exists(wal));
            assertFalse(Files.exists(shm));
            for (Snapshot kept : s.subList(0, 4)) {
                assertTrue(Files.isRegularFile(kept.path()), kept.name());
                assertTrue(Files.isRegularFile(manifest(kept)), kept.name());
            }
            List<Decision> after = c.retention().list(Optional.empty());
            assertEquals(s.subList(0, 4).stream().map(Snapshot::name).toList(), names(after));
            assertTrue(after.stream().noneMatch(Decision::pruned));

            PruneResult again = c.retention().prune(false);
            assertEquals(List.of(), again.pruned());
            assertEquals(0, again.freedBytes());
            assertEquals(4, again.kept());
        }
    }

    /** Bytes of the snapshots, their manifests and any SQLite leftovers beside them. */
    private static long footprint(List<Snapshot> snapshots) throws IOException {
        long bytes = 0;
        for (Snapshot s : snapshots) {
            for (String suffix : List.of("", "-wal", "-shm", "-journal", ".manifest.json")) {
                Path p = s.path().resolveSibling(s.name() + suffix);
                bytes += Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
            }
        }
        return bytes;
    }

    @Test
    void theNewestCleanSnapshotSurvivesEvenWhenEverySnapshotIsOld() throws Exception {
        try (Colibri c = open(null)) {
            Snapshot r1 = take(c, "round", "r1");
            clock.advanceDays(1);
            Snapshot r2 = take(c, "round", "r2");
            clock.advanceDays(1);
            Snapshot r3 = take(c, "round", "r3");
            clock.advanceDays(60);
            List<Decision> ds = c.retention().list(Optional.empty());
            assertEquals(List.of(r3.name(), r2.name(), r1.name()), names(ds));
            assertEquals(NEWEST_CLEAN, ds.get(0).reason());
            assertEquals("keep", ds.get(0).retention());
            assertEquals("older than 30 days (61.0 days): past the warm window, so it is pruned.", ds.get(1).reason());

            PruneResult p = c.retention().prune(false);
            assertEquals(List.of(r2.name(), r1.name()), names(p.pruned()));
            assertTrue(Files.isRegularFile(r3.path()));
            assertTrue(Files.isRegularFile(manifest(r3)));
            assertEquals(List.of(r3.name()), names(c.retention().list(Optional.empty())));
        }
    }

    @Test
    void aCorruptedNewestSnapshotMakesTheNextCleanOneTheProtectedOne() throws Exception {
        try (Colibri c = open(null)) {
            Snapshot r1 = take(c, "round", "r1");
            clock.advanceDays(1);
            Snapshot r2 = take(c, "round", "r2");
            clock.advanceDays(1);
            Snapshot r3 = take(c, "round", "r3");
            clock.advanceDays(60);
            ByteFlip.middleOf(r3.path());

            List<Decision> ds = c.retention().list(Optional.empty());
            assertEquals(List.of(r3.name(), r2.name(), r1.name()), names(ds));
            assertEquals("prune", find(ds, r3.name()).retention());
            assertEquals(NEWEST_CLEAN, find(ds, r2.name()).reason());
            assertEquals("prune", find(ds, r1.name()).retention());

            PruneResult p = c.retention().prune(false);
            assertEquals(List.of(r3.name(), r1.name()), names(p.pruned()));
            assertTrue(Files.isRegularFile(r2.path()));
            assertFalse(Files.exists(r3.path()));
            assertFalse(Files.exists(manifest(r3)));
        }
    }

    @Test
    void aCorruptedHotSnapshotIsKeptAndTheOlderCleanOneIsProtected() throws Exception {
        try (Colibri c = open(null)) {
            Snapshot old = take(c, "round", "r1");
            clock.advanceDays(1);
            Snapshot older = take(c, "round", "r2");
            clock.advanceDays(44);
            Snapshot fresh = take(c, "round", "r3");
            clock.advanceDays(1);
            ByteFlip.middleOf(fresh.path());
            List<Decision> ds = c.retention().list(Optional.empty());
            assertEquals("hot: taken 1.0 days ago; every snapshot younger than 7 days is kept.",
                    find(ds, fresh.name()).reason());
            assertEquals(NEWEST_CLEAN, find(ds, older.name()).reason());
            assertEquals("older than 30 days (46.0 days): past the warm window, so it is pruned.",
                    find(ds, old.name()).reason());
        }
    }

    @Test
    void aSymlinkInTheBackupsFolderIsNeverListedNorDeletedAndItsTargetIsUntouched() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        byte[] secret = "not a snapshot, and not Colibri's to delete".getBytes(StandardCharsets.UTF_8);
        Path target = Files.write(outside.resolve("precious.db"), secret);
        Path manifestTarget = outside.resolve("precious.json");
        try (Colibri c = open(null)) {
            Snapshot r1 = take(c, "round", "r1");
            clock.advanceDays(1);
            Snapshot r2 = take(c, "round", "r2");
            clock.advanceDays(50);
            Path backups = c.workspace().backupsDir();
            Path link = Files.createSymbolicLink(backups.resolve("colibri-r9-20200101.db"), target);
            // r1's manifest becomes a link to a file outside: pruning r1 must not follow it
            Files.move(manifest(r1), manifestTarget);
            Files.createSymbolicLink(manifest(r1), manifestTarget);
            // without its manifest the catalog dates r1 by its file time: keep that on the test clock
            Files.setLastModifiedTime(r1.path(), FileTime.from(Instant.parse(r1.createdAt())));
            byte[] manifestBytes = Files.readAllBytes(manifestTarget);

            List<Decision> ds = c.retention().list(Optional.empty());
            assertEquals(List.of(r2.name(), r1.name()), names(ds));

            PruneResult p = c.retention().prune(false);
            assertEquals(List.of(r1.name()), names(p.pruned()));
            assertTrue(Files.isSymbolicLink(link));
            assertArrayEquals(secret, Files.readAllBytes(target));
            assertArrayEquals(manifestBytes, Files.readAllBytes(manifestTarget));
            assertFalse(Files.exists(r1.path(), LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.isRegularFile(r2.path()));
        }
    }

    @Test
    void aPhaseSnapshotCopiedToTheColdTierIsPrunedLocallyAndKeptForeverThere() throws Exception {
        Path cold = Files.createDirectories(tmp.resolve("cold"));
        try (Colibri c = open(cold)) {
            Snapshot phase = take(c, "phase", "r5");
            clock.advanceDays(1);
            Snapshot r6 = take(c, "round", "r6");
            clock.advanceDays(40);
            RetentionReport report = c.retention().report(Optional.empty());
            assertEquals(ColdTierStatus.reachable(cold), report.coldTier());
            assertEquals(cold.toString(), report.coldTier().describe());
            List<Decision> ds = report.decisions();
            assertEquals(3, ds.size());
            assertEquals(List.of(r6.name(), phase.name(), phase.name()), names(ds));
            assertEquals(NEWEST_CLEAN, ds.get(0).reason());
            assertEquals("older than 30 days (41.0 days): its phase seal copy is safe in the cold tier, so the local"
                    + " copy is pruned.", ds.get(1).reason());
            assertEquals("prune", ds.get(1).retention());
            assertEquals("cold", ds.get(2).snapshot().tier());
            assertEquals("cold: the phase seal snapshot of round r5, kept forever off-host.", ds.get(2).reason());
            assertEquals(List.of(phase.name()), names(c.retention().list(Optional.of("cold"))));

            PruneResult p = c.retention().prune(false);
            assertEquals(List.of(phase.name()), names(p.pruned()));
            assertEquals("warm", p.pruned().get(0).snapshot().tier());
            assertFalse(Files.exists(phase.path()));
            assertTrue(Files.isRegularFile(cold.resolve(phase.name())));
            assertTrue(Files.isRegularFile(cold.resolve(SnapshotName.manifestOf(phase.name()))));
        }
    }

    @Test
    void withoutAColdTierAnOldPhaseSnapshotIsKept() throws Exception {
        try (Colibri c = open(null)) {
            Snapshot phase = take(c, "phase", "r5");
            clock.advanceDays(1);
            take(c, "round", "r6");
            clock.advanceDays(40);
            RetentionReport report = c.retention().report(Optional.empty());
            assertEquals("not configured (set COLIBRI_COLD_DIR)", report.coldTier().describe());
            assertEquals(ColdTierStatus.NOT_CONFIGURED, report.coldTier().state());
            Decision d = find(report.decisions(), phase.name());
            assertEquals("keep", d.retention());
            assertEquals("phase seal snapshot of round r5 and no cold tier is configured (set COLIBRI_COLD_DIR): it is"
                    + " kept here until a copy is off-host.", d.reason());
            assertEquals(List.of(), c.retention().prune(false).pruned());
            assertTrue(Files.isRegularFile(phase.path()));
        }
    }

    @Test
    void anUnreachableColdTierIsReportedAndTheLocalSnapshotsAreStillListed() throws Exception {
        Path unmounted = tmp.resolve("unmounted-drive");
        try (Colibri c = open(unmounted)) {
            Snapshot phase = take(c, "phase", "r5");
            clock.advanceDays(1);
            Snapshot r6 = take(c, "round", "r6");
            clock.advanceDays(40);
            RetentionReport report = c.retention().report(Optional.empty());
            assertEquals(ColdTierStatus.UNREACHABLE, report.coldTier().state());
            assertEquals("the cold tier " + unmounted + " is not a reachable directory (is the drive mounted?); mount it"
                    + " or fix COLIBRI_COLD_DIR. Only the local snapshots are listed", report.coldTier().detail());
            assertEquals(List.of(r6.name(), phase.name()), names(report.decisions()));
            assertEquals("phase seal snapshot of round r5: the cold tier " + unmounted + " cannot be read, so its"
                    + " off-host copy is unconfirmed and it is kept.", report.decisions().get(1).reason());

            Files.writeString(unmounted, "a file where the mount point should be");
            assertEquals(ColdTierStatus.UNREACHABLE, c.retention().report(Optional.empty()).coldTier().state());
            PruneResult p = c.retention().prune(false);
            assertEquals(List.of(), p.pruned());
            assertEquals(ColdTierStatus.UNREACHABLE, p.coldTier().state());
        }
    }

    @Test
    void aMissingBackupsFolderIsAClearErrorThatSaysWhatToDo() throws Exception {
        try (Colibri c = open(null)) {
            Path backups = c.workspace().backupsDir();
            Files.delete(backups);
            IOException e = assertThrows(IOException.class, () -> c.retention().list(Optional.empty()));
            assertEquals("the backups folder " + backups + " does not exist, so there are no local snapshots; take one"
                    + " with backup_create (it recreates the folder) and look for older snapshots in the cold tier"
                    + " (COLIBRI_COLD_DIR)", e.getMessage());
            assertEquals(e.getMessage(), assertThrows(IOException.class, () -> c.retention().prune(true)).getMessage());

            Files.writeString(backups, "not a folder");
            e = assertThrows(IOException.class, () -> c.retention().prune(false));
            assertEquals("the backups folder " + backups + " is not a directory; move what is there aside, then take a"
                    + " snapshot with backup_create", e.getMessage());
            Files.delete(backups);
            Files.createDirectories(backups);
        }
    }

    @Test
    void anEmptyWorkspaceHasNothingToListOrPrune() throws Exception {
        try (Colibri c = open(null)) {
            RetentionReport report = c.retention().report(Optional.empty());
            assertEquals(List.of(), report.decisions());
            assertNull(report.coldTier().detail());
            PruneResult p = c.retention().prune(false);
            assertEquals(0, p.kept());
            assertEquals(0, p.freedBytes());
        }
    }
}
