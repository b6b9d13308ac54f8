package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictTest {

    private static final Instant AT = Instant.parse("2026-05-01T09:00:00Z");

    private static Snapshot snapshot(String tier, double ageDays) {
        return new Snapshot("colibri-r1-20260501.db", Path.of("/ws/data/backups/colibri-r1-20260501.db"), tier, null,
                4096, "2026-05-01T08:00:00Z", "round", "r1", ageDays);
    }

    @Test
    void aRecalledVerdictKeepsTheChecksAndTimeButSpeaksOfTheSnapshotAsListedNow() {
        Verification v = new Verification(snapshot("hot", 0.1), List.of(Check.ok("integrity_check", "ok"),
                Check.fail("checksum", "no readable manifest")), 1234);
        Verdict made = new Verdict(v, AT, false);
        Snapshot now = snapshot("warm", 8);

        Verdict recalled = made.recalled(now);

        assertTrue(recalled.fromMemory());
        assertEquals(AT, recalled.verifiedAt());
        assertSame(now, recalled.verification().snapshot());
        assertEquals(v.checks(), recalled.verification().checks());
        assertEquals(1234, recalled.verification().durationMillis());
        assertFalse(recalled.safeToRestore());
        assertEquals("checksum: no readable manifest", recalled.failures());
        assertFalse(made.fromMemory());
    }

    @Test
    void aVerdictNeedsItsVerificationAndItsTime() {
        Verification v = new Verification(snapshot("hot", 0.1), List.of(Check.ok("integrity_check", "ok")), 1);
        assertTrue(new Verdict(v, AT, false).safeToRestore());
        assertEquals("verification", assertThrows(NullPointerException.class, () -> new Verdict(null, AT, false))
                .getMessage());
        assertEquals("verifiedAt", assertThrows(NullPointerException.class, () -> new Verdict(v, null, false))
                .getMessage());
    }
}
