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

    @Test
    void longChainIsVerifiedInChunksAndAForgeryFarIntoItIsFound() throws Exception {
        try (Colibri c = Colibri.open(new Workspace(tmp.resolve("ws"), null, tmp.resolve("audit.key")),
                new MutableClock(Instant.parse("2026-05-01T09:00:00Z")))) {
            AuditChain chain = c.audit().chain();
            c.database().write(db -> {
                for (int i = 0; i < RECORDS; i++) {
                    chain.append(db, "note", "record " + i, null);
                }
                return null;
            });
            c.merkle().finalizeAndAnchor("r1");
            Snapshot s = c.backups().create("round", "r1", null, ProgressListener.none()).snapshot();

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
}
