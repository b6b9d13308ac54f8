package dev.colibri.retention;

import static dev.colibri.retention.RetentionFixture.NEWEST_CLEAN;
import static dev.colibri.retention.RetentionFixture.find;
import static dev.colibri.retention.RetentionFixture.names;
import static dev.colibri.retention.RetentionFixture.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.backup.Check;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.Verdict;
import dev.colibri.testing.ByteFlip;
import dev.colibri.testing.MutableClock;
import dev.colibri.workspace.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention's verdicts from the workspace's {@link dev.colibri.backup.VerdictMemo}: a listing does
 * not verify unchanged snapshots again, sees a changed one (even with its modification time put
 * back), and a real prune verifies afresh what it relies on.
 */
class RetentionServiceVerdictsTest {

    @TempDir
    Path tmp;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    private Colibri open(Path coldDir) {
        return RetentionFixture.open(tmp, coldDir, clock);
    }

    /**
     * Three round snapshots aged 62, 61 and 60 days, their files dated an hour back, then a wait past
     * the memo's two-second window: a file written (or whose inode changed, which a test cannot date
     * back) in the last two seconds is verified on every listing, as its stat cannot vouch for its bytes.
     */
    private List<Snapshot> threeOldSettled(Colibri c) throws IOException, InterruptedException {
        Snapshot r1 = take(c, "round", "r1");
        clock.advanceDays(1);
        Snapshot r2 = take(c, "round", "r2");
        clock.advanceDays(1);
        Snapshot r3 = take(c, "round", "r3");
        clock.advanceDays(60);
        for (Snapshot s : List.of(r1, r2, r3)) {
            Files.setLastModifiedTime(s.path(), anHourAgo());
        }
        Thread.sleep(SETTLE_MILLIS);
        return List.of(r3, r2, r1);
    }

    /** Past VerdictMemo's two-second window. */
    private static final long SETTLE_MILLIS = 2_200;

    private static FileTime anHourAgo() {
        return FileTime.from(Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void aSecondListingOfUnchangedSnapshotsDoesNotVerifyThemAgain() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = threeOldSettled(c);
            RetentionReport first = c.retention().report(Optional.empty());
            Instant firstAt = clock.instant();
            assertEquals(1, c.verdicts().verificationsRun(), "the newest verifies clean: the walk stops there");
            clock.advance(Duration.ofMinutes(10));

            RetentionReport second = c.retention().report(Optional.empty());

            assertEquals(1, c.verdicts().verificationsRun(), "nothing changed, so nothing was verified again");
            Decision newest = second.newestClean().orElseThrow();
            assertEquals(s.get(0).name(), newest.snapshot().name());
            assertEquals(NEWEST_CLEAN, newest.reason());
            assertTrue(newest.verdict().fromMemory());
            assertEquals(firstAt, newest.verdict().verifiedAt());
            assertFalse(first.newestClean().orElseThrow().verdict().fromMemory());
            assertEquals(first.decisions().stream().map(Decision::retention).toList(),
                    second.decisions().stream().map(Decision::retention).toList());
            assertNull(second.decisions().get(1).verdict(), "older snapshots were not needed");

            PruneResult dry = c.retention().prune(true);
            assertEquals(1, c.verdicts().verificationsRun());
            assertEquals(s.get(0).name(), dry.newestClean().snapshot().name());
            assertTrue(dry.newestClean().verdict().fromMemory());
            assertEquals(List.of(s.get(1).name(), s.get(2).name()), names(dry.pruned()));
        }
    }

    @Test
    void aSnapshotCorruptedAfterAListingIsVerifiedAgainByTheNextOne() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = threeOldSettled(c);
            assertEquals(s.get(0).name(), c.retention().report(Optional.empty()).newestClean().orElseThrow()
                    .snapshot().name());

            ByteFlip.middleOf(s.get(0).path()); // a real write: the file's modification time moves
            RetentionReport after = c.retention().report(Optional.empty());

            assertEquals(3, c.verdicts().verificationsRun(), "the damaged file and the next one down were verified");
            Verdict damaged = find(after.decisions(), s.get(0).name()).verdict();
            assertFalse(damaged.fromMemory());
            assertFalse(damaged.safeToRestore());
            assertEquals(Check.fail("checksum", "sha256 " + Sha256.of(s.get(0).path()) + " differs from the manifest's "
                    + s.get(0).manifest().sha256()), damaged.verification().checks().stream()
                            .filter(k -> k.name().equals("checksum")).findFirst().orElseThrow());
            assertEquals("prune", find(after.decisions(), s.get(0).name()).retention());
            Decision newest = after.newestClean().orElseThrow();
            assertEquals(s.get(1).name(), newest.snapshot().name());
            assertEquals(NEWEST_CLEAN, newest.reason());
            assertFalse(newest.verdict().fromMemory());
        }
    }

    @Test
    void aWriteWhoseModificationTimeIsPutBackIsNoticedByTheNextListing() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = threeOldSettled(c);
            Path newest = s.get(0).path();
            c.retention().report(Optional.empty());
            FileTime seen = Files.getLastModifiedTime(newest);
            ByteFlip.middleOf(newest);
            Files.setLastModifiedTime(newest, seen); // size and mtime as before; the inode change time is not

            RetentionReport after = c.retention().report(Optional.empty());

            Verdict damaged = find(after.decisions(), s.get(0).name()).verdict();
            assertFalse(damaged.fromMemory());
            assertFalse(damaged.safeToRestore());
            assertEquals(s.get(1).name(), after.newestClean().orElseThrow().snapshot().name());
            assertEquals(3, c.verdicts().verificationsRun(), "the first listing's, then the damaged one and the next");
        }
    }

    /**
     * Regression (review): a real prune relied on a remembered verdict for the snapshot it protects,
     * which a change the stat cannot show (rot on the medium) would have overturned.
     */
    @Test
    void aRealPruneVerifiesAfreshTheSnapshotItProtects() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = threeOldSettled(c);
            c.retention().report(Optional.empty());
            assertTrue(c.retention().prune(true).newestClean().verdict().fromMemory(), "a dry run may trust the memo");
            assertEquals(1, c.verdicts().verificationsRun());

            PruneResult real = c.retention().prune(false);

            assertEquals(s.get(0).name(), real.newestClean().snapshot().name());
            assertFalse(real.newestClean().verdict().fromMemory(), "verified in full before anything was deleted");
            assertEquals(2, c.verdicts().verificationsRun());
            assertEquals(List.of(s.get(1).name(), s.get(2).name()), names(real.pruned()));
            assertTrue(Files.exists(s.get(0).path()));
        }
    }

    @Test
    void concurrentListingsAgreeAndShareTheVerification() throws Exception {
        try (Colibri c = open(null)) {
            List<Snapshot> s = threeOldSettled(c);
            int threads = 6;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<RetentionReport>> calls = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    calls.add(pool.submit(() -> {
                        start.await();
                        return c.retention().report(Optional.empty());
                    }));
                }
                start.countDown();
                for (Future<RetentionReport> f : calls) {
                    RetentionReport r = f.get(60, TimeUnit.SECONDS);
                    assertEquals(s.stream().map(Snapshot::name).toList(), names(r.decisions()));
                    assertEquals(List.of("keep", "prune", "prune"), r.decisions().stream().map(Decision::retention).toList());
                    assertNotNull(r.newestClean().orElseThrow().verdict());
                }
                assertEquals(1, c.verdicts().verificationsRun());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
