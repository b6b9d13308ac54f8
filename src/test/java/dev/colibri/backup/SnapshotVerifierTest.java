package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.testing.MutableClock;
import dev.colibri.workspace.Workspace;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier over a chain long enough to be walked in chunks, which the integrity check's thread
 * joins once its own check is done: the verdict is the one a single walk gives, a forged record far
 * into the chain included.
 */
class SnapshotVerifierTest {

    private static final int RECORDS = 110_000;

    @TempDir
    Path tmp;

    private static Check check(Verification v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static Colibri open(Path tmp) {
        return Colibri.open(new Workspace(tmp.resolve("ws"), null, tmp.resolve("audit.key")),
                new MutableClock(Instant.parse("2026-05-01T09:00:00Z")));
    }

    /** A round snapshot of a chain of {@code records}. */
    private static Snapshot roundSnapshot(Colibri c, int records) throws Exception {
        AuditChain chain = c.audit().chain();
        c.database().write(db -> {
            for (int i = 0; i < records; i++) {
                chain.append(db, "note", "record " + i, null);
            }
            return null;
        });
        c.merkle().finalizeAndAnchor("r1");
        return c.backups().create("round", "r1", null, ProgressListener.none()).snapshot();
    }

    private static List<String> verdicts(Verification v) {
        return v.checks().stream().map(x -> x.name() + " " + x.status() + " " + x.detail()).toList();
    }

    private static SnapshotVerifier verifier(Colibri c, int cores) {
        return new SnapshotVerifier(c.audit().chain(), c.merkle().anchors(), c.workspaceId(), cores);
    }

    @Test
    void longChainIsVerifiedInChunksAndAForgeryFarIntoItIsFound() throws Exception {
        try (Colibri c = open(tmp)) {
            Snapshot s = roundSnapshot(c, RECORDS);

            Verification clean = c.verifier().verify(s);

            assertTrue(clean.safeToRestore(), clean.failures());
            assertEquals(List.of("integrity_check", "foreign_key_check", "load_bearing_tables", "checksum", "audit_chain",
                    "merkle_root", "workspace"), clean.checks().stream().map(Check::name).toList());
            assertTrue(check(clean, "audit_chain").detail().startsWith(RECORDS + " records verify, head "));

            try (Connection f = DriverManager.getConnection("jdbc:sqlite:" + s.path()); Statement st = f.createStatement()) {
                st.execute("UPDATE thought_records SET content = 'forged' WHERE position = 100000");
            }
            Verification forged = c.verifier().verify(s);

            assertEquals("broken at position 100000: hash of record 100000 does not authenticate its content"
                    + " (edited, reordered or forged)", check(forged, "audit_chain").detail());
            assertEquals("fail", check(forged, "checksum").status());
            assertEquals("ok", check(forged, "integrity_check").status());
        }
    }

    /**
     * With a copying checksum on two cores the walk starts when the first of the integrity check and
     * the checksum is done; on four it starts at once. Whichever order the work ends in, the verdict is
     * the plain verification's, check for check.
     */
    @Test
    void aCopyingChecksumChangesWhenTheWalkStartsNotTheVerdict() throws Exception {
        try (Colibri c = open(tmp)) {
            Snapshot s = roundSnapshot(c, 30_000);
            List<String> plain = verdicts(c.verifier().verify(s));
            Function<Snapshot, Check> slow = x -> {
                try {
                    Thread.sleep(1_500); // ends after the integrity check and the walk would have
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return SnapshotVerifier.checksum(x);
            };
            for (int cores : new int[] {1, 2, 4}) {
                assertEquals(plain, verdicts(verifier(c, cores).verify(s, SnapshotVerifier::checksum)), cores + " cores");
                assertEquals(plain, verdicts(verifier(c, cores).verify(s, slow)), cores + " cores, slow checksum");
            }
            assertTrue(plain.stream().allMatch(v -> v.contains(" ok ")), String.join("\n", plain));
        }
    }

    @Test
    void aCopyingChecksumThatThrowsFailsOnlyTheChecksumAndTheChainIsStillWalked() throws Exception {
        try (Colibri c = open(tmp)) {
            Snapshot s = roundSnapshot(c, 5_000);

            Verification v = verifier(c, 2).verify(s, x -> {
                throw new IllegalStateException("disk gone (injected)");
            });

            assertEquals("checksum fail cannot read " + s.path() + ": disk gone (injected)", verdicts(v).get(3));
            assertEquals("ok", check(v, "audit_chain").status(), check(v, "audit_chain").detail());
            assertEquals("ok", check(v, "integrity_check").status());
            assertEquals(7, v.checks().size());
        }
    }
}
