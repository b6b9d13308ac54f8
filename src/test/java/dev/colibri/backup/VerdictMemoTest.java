package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.testing.ByteFlip;
import dev.colibri.testing.MutableClock;
import dev.colibri.workspace.Sha256;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memo over real snapshots of a real workspace: which changes make it verify again, and which
 * (the documented limit) it cannot see. Snapshot files are dated an hour back, as a snapshot listed
 * a while after it was taken is, so that their stat vouches for their bytes.
 */
class VerdictMemoTest {

    @TempDir
    Path tmp;
    /**
     * The file clock three seconds ahead: every file touched before a call counts as settled. A test
     * can date a file's modification time back, but not its inode change time, which the memo also
     * reads, and which is "now" for every file the test just wrote.
     */
    private static final Clock AHEAD = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(3));
    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T09:00:00Z"));

    private VerdictMemo memo() {
        return new VerdictMemo(VerdictMemo.CAPACITY, clock, AHEAD);
    }

    private Colibri open() {
        return Colibri.open(new Workspace(tmp.resolve("ws"), null, tmp.resolve("keys").resolve("audit.key")), clock);
    }

    /** Three records sealed into a tree head and anchored, then a round snapshot dated an hour back; its name. */
    private String sealedSnapshot(Colibri c, String round) throws IOException {
        for (int i = 0; i < 3; i++) {
            c.audit().append("decision", round + " decision " + i, null);
        }
        c.merkle().finalizeAndAnchor(round);
        Snapshot s = c.backups().create("round", round, null, ProgressListener.none()).snapshot();
        setTime(s.path(), anHourAgo());
        clock.advance(Duration.ofMinutes(1));
        return s.name();
    }

    private static FileTime anHourAgo() {
        return FileTime.from(Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));
    }

    private static void setTime(Path file, FileTime time) throws IOException {
        Files.setLastModifiedTime(file, time);
    }

    private static Check check(Verdict v, String name) {
        return v.verification().checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aSecondCallOnAnUnchangedSnapshotReusesTheVerdictWithoutVerifying() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            VerdictMemo memo = memo();
            Verdict first = memo.verdictOf(c.verifier(), c.catalog().resolve(name));
            Instant firstAt = clock.instant();
            clock.advance(Duration.ofMinutes(5));

            Snapshot listedAgain = c.catalog().resolve(name);
            Verdict second = memo.verdictOf(c.verifier(), listedAgain);

            assertTrue(first.safeToRestore(), first.failures());
            assertFalse(first.fromMemory());
            assertEquals(firstAt, first.verifiedAt());
            assertTrue(second.fromMemory());
            assertEquals(firstAt, second.verifiedAt(), "the verdict of the first call, not a new one");
            assertEquals(first.verification().checks(), second.verification().checks());
            assertSame(listedAgain, second.verification().snapshot(), "handed out for the caller's snapshot");
            assertEquals(1, memo.verificationsRun());
            assertEquals(1, memo.size());
        }
    }

    @Test
    void aFileWrittenWithinTheTimestampGranularityIsVerifiedOnEveryCall() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            Path file = c.catalog().resolve(name).path();
            setTime(file, FileTime.from(Instant.now())); // just written: a same-size write in this tick would not show
            VerdictMemo memo = new VerdictMemo(VerdictMemo.CAPACITY, clock, Clock.systemUTC());

            Verdict first = memo.verdictOf(c.verifier(), c.catalog().resolve(name));
            Verdict second = memo.verdictOf(c.verifier(), c.catalog().resolve(name));

            assertFalse(first.fromMemory());
            assertFalse(second.fromMemory());
            assertEquals(2, memo.verificationsRun());
            assertEquals(0, memo.size());

            // the same file checked three seconds later (file clock moved on) is remembered
            VerdictMemo later = new VerdictMemo(VerdictMemo.CAPACITY, clock,
                    Clock.offset(Clock.systemUTC(), Duration.ofSeconds(3)));
            later.verdictOf(c.verifier(), c.catalog().resolve(name));
            assertTrue(later.verdictOf(c.verifier(), c.catalog().resolve(name)).fromMemory());
            assertEquals(1, later.verificationsRun());
        }
    }

    @Test
    void corruptedBytesMakeTheNextCallVerifyAgainAndSeeTheDamageWhichIsNotRemembered() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            Path file = c.catalog().resolve(name).path();
            VerdictMemo memo = memo();
            assertTrue(memo.verdictOf(c.verifier(), c.catalog().resolve(name)).safeToRestore());

            ByteFlip.middleOf(file); // a real write: the modification time moves
            setTime(file, FileTime.from(anHourAgo().toInstant().plusSeconds(30))); // settled, but not the time seen before
            String sha = Sha256.of(file);
            String recorded = c.catalog().resolve(name).manifest().sha256();

            Verdict damaged = memo.verdictOf(c.verifier(), c.catalog().resolve(name));
            Verdict again = memo.verdictOf(c.verifier(), c.catalog().resolve(name));

            assertFalse(damaged.fromMemory());
            assertFalse(damaged.safeToRestore());
            assertEquals(Check.fail("checksum", "sha256 " + sha + " differs from the manifest's " + recorded),
                    check(damaged, "checksum"));
            assertFalse(again.fromMemory(), "a failed verdict is not remembered: it may have failed for a passing reason");
            assertFalse(again.safeToRestore());
            assertEquals(damaged.failures(), again.failures());
            assertEquals(3, memo.verificationsRun());
            assertEquals(0, memo.size());
        }
    }

    @Test
    void bytesChangedWithSizeAndModificationTimePutBackAreStillNoticed() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            Path file = c.catalog().resolve(name).path();
            VerdictMemo memo = memo();
            Verdict clean = memo.verdictOf(c.verifier(), c.catalog().resolve(name));
            FileTime seen = Files.getLastModifiedTime(file);

            ByteFlip.middleOf(file);
            setTime(file, seen); // the bytes differ, size, modification time and inode do not

            Verdict listed = memo.verdictOf(c.verifier(), c.catalog().resolve(name));
            assertTrue(clean.safeToRestore());
            assertFalse(listed.fromMemory(), "the inode change time moved with the write, and cannot be set back");
            assertFalse(listed.safeToRestore());
            assertEquals(Check.fail("checksum", "sha256 " + Sha256.of(file) + " differs from the manifest's "
                    + c.catalog().resolve(name).manifest().sha256()), check(listed, "checksum"));

            clock.advance(Duration.ofMinutes(1));
            Verdict explicit = memo.verifyAndRemember(c.verifier(), c.catalog().resolve(name));
            assertFalse(explicit.fromMemory());
            assertFalse(explicit.safeToRestore());
            assertEquals(0, memo.size(), "a failed verdict replaces the clean one by nothing");
            assertEquals(3, memo.verificationsRun());
        }
    }

    @Test
    void verifyAndRememberAlwaysVerifiesInFullAndRefreshesTheVerdict() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            VerdictMemo memo = memo();
            memo.verdictOf(c.verifier(), c.catalog().resolve(name));
            clock.advance(Duration.ofMinutes(1));
            Verdict first = memo.verifyAndRemember(c.verifier(), c.catalog().resolve(name));
            clock.advance(Duration.ofMinutes(1));
            Verdict second = memo.verifyAndRemember(c.verifier(), c.catalog().resolve(name));

            assertFalse(first.fromMemory());
            assertFalse(second.fromMemory());
            assertEquals(3, memo.verificationsRun());
            Verdict listed = memo.verdictOf(c.verifier(), c.catalog().resolve(name));
            assertTrue(listed.fromMemory());
            assertEquals(second.verifiedAt(), listed.verifiedAt());
            assertEquals(3, memo.verificationsRun());
        }
    }

    @Test
    void aChangedAnchorLogMakesTheNextCallVerifyAgainAndSeeTheMismatch() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            VerdictMemo memo = memo();
            assertTrue(memo.verdictOf(c.verifier(), c.catalog().resolve(name)).safeToRestore());
            Path log = c.workspace().anchorLog();
            String line = Files.readString(log);
            String root = c.catalog().resolve(name).manifest().merkleRoot();
            String forged = (root.charAt(0) == '0' ? "1" : "0") + root.substring(1);
            Files.writeString(log, line.replace(root, forged)); // the anchored root of the snapshot's tree head edited

            Verdict v = memo.verdictOf(c.verifier(), c.catalog().resolve(name));

            assertFalse(v.fromMemory());
            assertEquals(Check.fail("merkle_root", "anchor mismatch: the recomputed root differs from anchor #1 for size 3"),
                    check(v, "merkle_root"));
            assertEquals(2, memo.verificationsRun());

            Files.writeString(log, line); // put back: the content is what it was, but not the verdict remembered last
            assertTrue(memo.verdictOf(c.verifier(), c.catalog().resolve(name)).safeToRestore());
            assertEquals(3, memo.verificationsRun());
        }
    }

    @Test
    void aNewAnchorLineOrAChangedManifestOrJournalOrVerifierMeansAFullVerification() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            VerdictMemo memo = memo();
            memo.verdictOf(c.verifier(), c.catalog().resolve(name));

            c.audit().append("decision", "after the snapshot", null);
            c.merkle().finalizeAndAnchor("r2"); // a line appended to the anchor log
            assertFalse(memo.verdictOf(c.verifier(), c.catalog().resolve(name)).fromMemory());
            assertTrue(memo.verdictOf(c.verifier(), c.catalog().resolve(name)).fromMemory());
            assertEquals(2, memo.verificationsRun());

            Path manifest = c.catalog().resolve(name).path().resolveSibling(SnapshotName.manifestOf(name));
            Files.writeString(manifest, Files.readString(manifest).replace("\"label\" : null", "\"label\" : \"renamed\""));
            assertEquals("renamed", c.catalog().resolve(name).manifest().label());
            assertFalse(memo.verdictOf(c.verifier(), c.catalog().resolve(name)).fromMemory());
            assertEquals(3, memo.verificationsRun());

            Path journal = c.catalog().resolve(name).path().resolveSibling(name + "-journal");
            Files.write(journal, new byte[0]);
            assertFalse(memo.verdictOf(c.verifier(), c.catalog().resolve(name)).fromMemory());
            assertEquals(4, memo.verificationsRun());

            SnapshotVerifier foreign = new SnapshotVerifier(c.audit().chain(), c.merkle().anchors(), "another-workspace");
            Verdict v = memo.verdictOf(foreign, c.catalog().resolve(name));
            assertFalse(v.fromMemory());
            assertEquals(Check.fail("workspace", "the snapshot belongs to workspace " + c.workspaceId()
                    + ", not to this one (another-workspace)"), check(v, "workspace"));
            assertEquals(5, memo.verificationsRun());
        }
    }

    @Test
    void theMemoKeepsAtMostItsCapacityDroppingTheLeastRecentlyUsed() throws Exception {
        try (Colibri c = open()) {
            String a = sealedSnapshot(c, "r1");
            String b = sealedSnapshot(c, "r2");
            String d = sealedSnapshot(c, "r3");
            VerdictMemo memo = new VerdictMemo(2, clock, AHEAD);
            memo.verdictOf(c.verifier(), c.catalog().resolve(a));
            memo.verdictOf(c.verifier(), c.catalog().resolve(b));
            assertTrue(memo.verdictOf(c.verifier(), c.catalog().resolve(a)).fromMemory()); // a is now the most recent
            memo.verdictOf(c.verifier(), c.catalog().resolve(d)); // drops b
            assertEquals(2, memo.size());
            assertEquals(3, memo.verificationsRun());

            assertTrue(memo.verdictOf(c.verifier(), c.catalog().resolve(a)).fromMemory());
            assertTrue(memo.verdictOf(c.verifier(), c.catalog().resolve(d)).fromMemory());
            assertFalse(memo.verdictOf(c.verifier(), c.catalog().resolve(b)).fromMemory());
            assertEquals(4, memo.verificationsRun());
            assertEquals(2, memo.size());

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new VerdictMemo(0, clock, Clock.systemUTC()));
            assertEquals("capacity must be at least 1, got 0", e.getMessage());
        }
    }

    @Test
    void concurrentCallsOnTheSameUnchangedSnapshotShareOneVerification() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            VerdictMemo memo = memo();
            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Verdict>> calls = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    calls.add(pool.submit(() -> {
                        start.await();
                        return memo.verdictOf(c.verifier(), c.catalog().resolve(name));
                    }));
                }
                start.countDown();
                List<Verdict> verdicts = new ArrayList<>();
                for (Future<Verdict> f : calls) {
                    verdicts.add(f.get(60, TimeUnit.SECONDS));
                }
                assertEquals(1, memo.verificationsRun());
                assertEquals(1, verdicts.stream().filter(v -> !v.fromMemory()).count());
                assertTrue(verdicts.stream().allMatch(Verdict::safeToRestore));
                assertEquals(1, verdicts.stream().map(Verdict::verifiedAt).distinct().count());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aMissingSnapshotFileIsVerifiedAndNotRemembered() throws Exception {
        try (Colibri c = open()) {
            String name = sealedSnapshot(c, "r1");
            Snapshot listed = c.catalog().resolve(name);
            VerdictMemo memo = memo();
            Files.delete(listed.path());

            Verdict v = memo.verdictOf(c.verifier(), listed);

            assertFalse(v.safeToRestore());
            assertEquals(Check.fail("integrity_check", "cannot read " + name + ": no database file at " + listed.path()),
                    check(v, "integrity_check"));
            assertEquals(0, memo.size());
            assertFalse(memo.verdictOf(c.verifier(), listed).fromMemory());
            assertEquals(2, memo.verificationsRun());
        }
    }
}
