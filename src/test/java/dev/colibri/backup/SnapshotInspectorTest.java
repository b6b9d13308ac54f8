package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.audit.ChainVerification;
import dev.colibri.audit.ThoughtRecord;
import dev.colibri.testing.TestWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotInspectorTest {

    @TempDir
    Path tmp;

    /**
     * Regression: {@code audit_verify_chain} on the live database read the chain through SQLite
     * whenever the log held a commit; it now verifies as {@code AuditService.verifyLive} does, on a
     * read begun after its own checkpoint (so from the file's pages).
     */
    @Test
    void theLiveChainIsVerifiedOnAReadBegunAfterTheLogWasEmptied() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        try (Colibri c = Colibri.openForOneCommand(ws.workspace(), Clock.systemUTC())) {
            c.audit().append("note", "one", null);
            ThoughtRecord last = c.audit().append("note", "two", null);
            Path wal = ws.workspace().database().resolveSibling("colibri.db-wal");
            assertTrue(Files.size(wal) > 0, "precondition: the log holds the records");

            ChainVerification live = c.inspector().verifyChain(null);

            assertTrue(live.ok(), live::toString);
            assertEquals(last.position() + 1, live.length());
            assertEquals(last.hash(), live.headHash());
            assertEquals(0, Files.size(wal), "the log was emptied before the walk began");
        }
    }
}
