package dev.colibri.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.workspace.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regressions found by the fault-injection campaign (dev.colibri.reliability): tamperings that
 * merkle_root reported as a harmless "missing" anchor (not an error, with advice to call
 * merkle_finalize, which does nothing for an already anchored head) instead of a mismatch.
 */
class MerkleRootTamperRegressionTest {

    @TempDir
    Path tmp;

    private Colibri open() {
        return Colibri.open(new Workspace(tmp.resolve("ws"), null, tmp.resolve("keys/audit.key")), Clock.systemUTC());
    }

    private static void seal(Colibri colibri, int records, String round) {
        for (int i = 0; i < records; i++) {
            colibri.audit().append("note", round + " " + i, null);
        }
        colibri.merkle().finalizeAndAnchor(round);
    }

    private static void sql(Colibri colibri, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + colibri.workspace().database());
                Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            for (String statement : statements) {
                s.executeUpdate(statement);
            }
        }
    }

    @Test
    void tailCutTogetherWithEveryTreeHeadIsAnAnchorMismatchNotMissing() throws Exception {
        try (Colibri colibri = open()) {
            seal(colibri, 6, "r1");
            seal(colibri, 4, "r2");
            sql(colibri, "DELETE FROM thought_records WHERE position >= 3", "DELETE FROM tree_heads");
            RootReport r = colibri.merkle().liveReport();
            assertEquals("mismatch", r.anchorStatus(), r.detail());
            assertTrue(r.detail().contains("deleted from the tail"), r.detail());
        }
    }

    @Test
    void anchoredHeadWhoseAnchorLineWasRemovedIsAMismatchNotMissing() throws Exception {
        try (Colibri colibri = open()) {
            seal(colibri, 5, "r1");
            seal(colibri, 3, "r2");
            Path log = colibri.workspace().anchorLog();
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            Files.writeString(log, lines.get(0) + "\n", StandardCharsets.UTF_8); // the last line cut off
            RootReport truncated = colibri.merkle().liveReport();
            assertEquals("mismatch", truncated.anchorStatus(), truncated.detail());
            assertTrue(truncated.detail().contains("anchor log"), truncated.detail());
            Files.delete(log);
            assertEquals("mismatch", colibri.merkle().liveReport().anchorStatus());
            Files.writeString(log, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            assertEquals("match", colibri.merkle().liveReport().anchorStatus());
        }
    }
}
