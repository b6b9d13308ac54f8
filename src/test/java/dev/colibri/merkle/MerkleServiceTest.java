package dev.colibri.merkle;

import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.spy;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Meta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MerkleServiceTest {

    private static final String NOW = "2024-01-02T03:04:05.678Z";
    private static final String WS = "ws-1";

    @TempDir
    Path tmp;

    private final Clock clock = Clock.fixed(Instant.parse(NOW), ZoneOffset.UTC);
    private Database db;
    private AuditChain chain;
    private AnchorLog anchors;
    private MerkleService merkle;

    @BeforeEach
    void open() throws IOException {
        db = Database.open(Files.createDirectories(tmp.resolve("data")).resolve("colibri.db"));
        db.write(c -> {
            Meta.put(c, Meta.WORKSPACE_ID, WS);
            return null;
        });
        chain = new AuditChain(AuditKey.of(new byte[32]), clock);
        anchors = new AnchorLog(tmp.resolve("docs").resolve("anchors.jsonl"));
        merkle = new MerkleService(db, anchors, clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void appendRecords(int n) {
        db.write(c -> {
            for (int i = 0; i < n; i++) {
                chain.append(c, "note", "record " + AuditChain.count(c), null);
            }
            return null;
        });
    }

    private String rfcRoot(int first) {
        return db.read(c -> {
            List<byte[]> hashes = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT hash FROM thought_records ORDER BY position LIMIT " + first)) {
                while (rs.next()) {
                    hashes.add(rs.getBytes(1));
                }
            }
            return Hex.encode(MerkleHash.root(hashes));
        });
    }

    private void sql(String statement) {
        db.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(statement);
            }
            return null;
        });
    }

    private TreeHead latestHead() {
        return db.read(MerkleLog::latestHead).orElseThrow();
    }

    private List<Anchor> anchorLines() throws IOException {
        AnchorLogState state = anchors.read();
        assertTrue(state.intact(), state.problem());
        return state.anchors();
    }

    /** A crash after the head committed but before its anchor line was written. */
    private TreeHead finalizeWithoutAnchoring(String round) {
        return db.write(c -> new MerkleLog(clock).finalizeHead(c, round));
    }

    @Test
    void finalizeAndAnchorWritesADurableAnchorLineAndMarksTheHead() throws IOException {
        appendRecords(3);
        assertEquals(3, merkle.pendingRecords());

        FinalizeResult result = merkle.finalizeAndAnchor("r1");

        String root = rfcRoot(3);
        assertEquals(new FinalizeResult(3, root, "r1", true, 3, "finalized and anchored"), result);
        assertEquals(List.of(new Anchor(1, WS, "r1", 3, root, NOW)), anchorLines());
        assertTrue(latestHead().anchored());
        assertEquals(List.of(), db.read(MerkleLog::unanchoredHeads));
        assertEquals("r1", db.read(c -> Meta.get(c, Meta.CURRENT_ROUND)).orElseThrow());
        assertEquals(0, merkle.pendingRecords());
        assertEquals(anchors, merkle.anchors());
    }

    @Test
    void finalizeWithNothingNewAppendsNoSecondLine() throws IOException {
        appendRecords(3);
        FinalizeResult first = merkle.finalizeAndAnchor("r1");

        FinalizeResult again = merkle.finalizeAndAnchor("r2");

        assertEquals(new FinalizeResult(3, first.root(), "r1", true, 0, "no new records since the last tree head"), again);
        assertEquals(1, anchorLines().size());
    }

    @Test
    void successiveFinalizesAnchorAGrowingLog() throws IOException {
        appendRecords(3);
        merkle.finalizeAndAnchor("r1");
        appendRecords(4);

        FinalizeResult second = merkle.finalizeAndAnchor(null);

        assertEquals(new FinalizeResult(7, rfcRoot(7), null, true, 4, "finalized and anchored"), second);
        assertEquals(List.of(new Anchor(1, WS, "r1", 3, rfcRoot(3), NOW), new Anchor(2, WS, null, 7, rfcRoot(7), NOW)),
                anchorLines());
        assertEquals("r1", db.read(c -> Meta.get(c, Meta.CURRENT_ROUND)).orElseThrow(),
                "finalizing without a round keeps the current round");
    }

    @Test
    void crashBetweenCommitAndAnchorIsAnchoredByReconcile() throws IOException {
        appendRecords(3);
        TreeHead head = finalizeWithoutAnchoring("r1");
        assertEquals(List.of(), anchorLines());
        assertEquals("missing", merkle.liveReport().anchorStatus());

        merkle.reconcile();

        assertEquals(List.of(new Anchor(1, WS, "r1", 3, head.root(), NOW)), anchorLines());
        assertTrue(latestHead().anchored());
        assertEquals("match", merkle.liveReport().anchorStatus());

        merkle.reconcile();
        assertEquals(1, anchorLines().size(), "reconcile is idempotent");
    }

    @Test
    void reconcileAnchorsEveryPendingHeadInOrder() throws IOException {
        appendRecords(2);
        TreeHead a = finalizeWithoutAnchoring("r1");
        appendRecords(3);
        TreeHead b = finalizeWithoutAnchoring("r2");

        merkle.reconcile();

        assertEquals(List.of(new Anchor(1, WS, "r1", 2, a.root(), NOW), new Anchor(2, WS, "r2", 5, b.root(), NOW)),
                anchorLines());
        assertEquals(List.of(), db.read(MerkleLog::unanchoredHeads));
    }

    @Test
    void crashAfterTheAnchorLineButBeforeMarkingDoesNotDuplicateTheLine() throws IOException {
        appendRecords(3);
        TreeHead head = finalizeWithoutAnchoring("r1");
        anchors.append(WS, "r1", 3, head.root(), NOW);

        merkle.reconcile();

        assertEquals(1, anchorLines().size());
        assertTrue(latestHead().anchored());
    }

    @Test
    void failedAnchorWriteIsReportedAndTheNextFinalizeAnchors() throws IOException {
        AnchorLog failing = spy(new AnchorLog(anchors.file()));
        doThrow(new IOException("disk full")).when(failing).append(anyString(), any(), anyLong(), anyString(), anyString());
        MerkleService service = new MerkleService(db, failing, clock);
        appendRecords(3);

        FinalizeResult failed = service.finalizeAndAnchor("r1");

        assertEquals(new FinalizeResult(3, rfcRoot(3), "r1", false, 3, "tree head committed but the anchor log "
                + anchors.file() + " could not be written (disk full); fix it and call merkle_finalize again to anchor"),
                failed);
        assertFalse(latestHead().anchored());

        doCallRealMethod().when(failing).append(anyString(), any(), anyLong(), anyString(), anyString());
        FinalizeResult retried = service.finalizeAndAnchor("r1");

        assertEquals(new FinalizeResult(3, rfcRoot(3), "r1", true, 0, "no new records since the last tree head"), retried);
        assertEquals(List.of(new Anchor(1, WS, "r1", 3, rfcRoot(3), NOW)), anchorLines());
        assertTrue(latestHead().anchored());
    }

    /** Regression: an anchor appended after a torn line was glued onto it and never read back. */
    @Test
    void anchorWrittenAfterATornAnchorLineIsReadBack() throws IOException {
        appendRecords(3);
        merkle.finalizeAndAnchor("r1");
        Files.writeString(anchors.file(), "{\"seq\":2,\"wor", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        appendRecords(2);

        FinalizeResult result = merkle.finalizeAndAnchor("r2");

        assertTrue(result.anchored());
        RootReport report = merkle.liveReport();
        assertEquals("match", report.anchorStatus());
        assertEquals(result.root(), report.anchoredRoot());
        assertFalse(report.anchorLogIntact(), "the torn fragment itself is still reported");
    }

    @Test
    void reportMatchesAfterFinalizeAndCountsPendingRecords() {
        appendRecords(3);
        String root = merkle.finalizeAndAnchor("r1").root();
        appendRecords(2);

        RootReport report = merkle.liveReport();

        assertEquals(new RootReport(3, root, root, 5, 2, "match", root, true, "root of size 3 matches anchor #1"), report);
    }

    @Test
    void reportIsMissingBeforeAnyHead() {
        appendRecords(2);

        RootReport report = merkle.liveReport();

        assertEquals(new RootReport(0, Hex.encode(MerkleHash.emptyRoot()), null, 2, 2, "missing", null, true,
                "no tree head has been finalized yet; call merkle_finalize"), report);
    }

    @Test
    void reportIsMissingForAHeadNotYetAnchored() {
        appendRecords(3);
        TreeHead head = finalizeWithoutAnchoring("r1");

        RootReport live = merkle.liveReport();
        RootReport snapshot = db.read(c -> MerkleService.report(c, anchors, false));

        assertEquals(new RootReport(3, head.root(), head.root(), 3, 0, "missing", null, true,
                "the anchor log has no root for size 3; call merkle_finalize to anchor it"), live);
        assertEquals("the anchor log has no root for size 3", snapshot.detail());
    }

    @Test
    void reportIsMismatchWhenTailRecordsWereDeleted() {
        appendRecords(5);
        String root = merkle.finalizeAndAnchor("r1").root();
        sql("DELETE FROM thought_records WHERE position >= 3");

        RootReport report = merkle.liveReport();

        assertEquals(new RootReport(5, rfcRoot(3), root, 3, 0, "mismatch", root, true,
                "the database holds only 3 of the 5 records of its latest tree head: records were deleted from the tail"),
                report);
    }

    @Test
    void reportIsMismatchWhenTailRecordsAndTheirHeadWereDeleted() {
        appendRecords(3);
        merkle.finalizeAndAnchor("r1");
        appendRecords(2);
        merkle.finalizeAndAnchor("r2");
        sql("DELETE FROM thought_records WHERE position >= 3");
        sql("DELETE FROM tree_heads WHERE size = 5");

        RootReport report = merkle.liveReport();

        assertEquals("mismatch", report.anchorStatus());
        assertEquals("the anchor log holds a tree head of size 5 (anchor #2) but the database has only 3 records:"
                + " records were deleted from the tail", report.detail());
        assertEquals("match", db.read(c -> MerkleService.report(c, anchors, false)).anchorStatus(),
                "a snapshot is judged on its own head");
    }

    @Test
    void anchorsBeforeARestoreFloorDoNotCountAsTruncation() {
        appendRecords(3);
        merkle.finalizeAndAnchor("r1");
        appendRecords(2);
        merkle.finalizeAndAnchor("r2");
        sql("DELETE FROM thought_records WHERE position >= 3");
        sql("DELETE FROM tree_heads WHERE size = 5");
        db.write(c -> {
            Meta.put(c, Meta.RESTORE_ANCHOR_SEQ, "2");
            return null;
        });

        RootReport report = merkle.liveReport();

        assertEquals("match", report.anchorStatus());
        assertEquals("root of size 3 matches anchor #1", report.detail());
    }

    @Test
    void reportIsMismatchWhenTheAnchoredRootWasEdited() throws IOException {
        appendRecords(3);
        String root = merkle.finalizeAndAnchor("r1").root();
        String edited = "f".repeat(64);
        String text = Files.readString(anchors.file(), StandardCharsets.UTF_8);
        Files.writeString(anchors.file(), text.replace(root, edited), StandardCharsets.UTF_8);

        RootReport report = merkle.liveReport();

        assertEquals(new RootReport(3, root, root, 3, 0, "mismatch", edited, true,
                "the recomputed root differs from anchor #1 for size 3"), report);
    }

    @Test
    void damagedAnchorLogIsReportedAlongsideTheVerdict() throws IOException {
        appendRecords(3);
        String first = merkle.finalizeAndAnchor("r1").root();
        appendRecords(2);
        merkle.finalizeAndAnchor("r2");
        String text = Files.readString(anchors.file(), StandardCharsets.UTF_8);
        Files.writeString(anchors.file(), text.replace(first, "f".repeat(64)), StandardCharsets.UTF_8);

        RootReport report = merkle.liveReport();

        assertFalse(report.anchorLogIntact());
        assertEquals("match", report.anchorStatus());
        assertEquals("root of size 5 matches anchor #2; the anchor log itself is damaged: line 2 does not link to the"
                + " line before it (edited, reordered or a line removed)", report.detail());
    }

    @Test
    void reportIsMismatchWhenARecordHashNoLongerMatchesTheStoredHead() {
        appendRecords(3);
        String root = merkle.finalizeAndAnchor("r1").root();
        sql("UPDATE thought_records SET hash = zeroblob(32) WHERE position = 1");

        RootReport report = merkle.liveReport();

        assertEquals("mismatch", report.anchorStatus());
        assertEquals("the records no longer hash to the stored tree head of size 3", report.detail());
        assertEquals(root, report.storedRoot());
        assertEquals(rfcRoot(3), report.root());
    }

    @Test
    void anchorsOfAnotherWorkspaceAreIgnored() throws IOException {
        appendRecords(3);
        TreeHead head = finalizeWithoutAnchoring("r1");
        anchors.append("another-workspace", "r1", 3, head.root(), NOW);
        anchors.append("another-workspace", "r9", 99, "e".repeat(64), NOW);

        RootReport report = merkle.liveReport();

        assertEquals("missing", report.anchorStatus());
        assertNull(report.anchoredRoot());
    }

    @Test
    void unreadableAnchorLogIsReportedAsMissingWithTheReason() throws IOException {
        appendRecords(3);
        finalizeWithoutAnchoring("r1");
        Files.createDirectories(anchors.file());

        RootReport report = merkle.liveReport();

        assertEquals("missing", report.anchorStatus());
        assertFalse(report.anchorLogIntact());
        assertTrue(report.detail().startsWith("cannot read the anchor log " + anchors.file() + ": "), report.detail());
    }

    @Test
    void tailCutAndReappendedRecordsAreNotAnchoredOverTheOldRoot() throws IOException {
        appendRecords(5);
        FinalizeResult first = merkle.finalizeAndAnchor("r1");
        assertTrue(first.anchored());
        db.write(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM thought_records WHERE position >= 3");
                s.executeUpdate("DELETE FROM tree_heads");
                s.executeUpdate("DELETE FROM merkle_nodes");
            }
            return null;
        });
        db.write(c -> {
            chain.append(c, "note", "a different record 3", null);
            return chain.append(c, "note", "a different record 4", null);
        });

        FinalizeResult laundered = merkle.finalizeAndAnchor("r2");

        assertFalse(laundered.anchored());
        assertEquals(5, laundered.size());
        assertTrue(laundered.detail().startsWith("the anchor log already holds a different root for size 5 (anchor #1)"),
                laundered.detail());
        assertEquals(1, anchors.read().anchors().size(), "the old root is never anchored over");
        assertEquals("mismatch", merkle.liveReport().anchorStatus());
    }

    @Test
    void finalizeRefusesAChainCutBelowWhatTheTreeCovers() {
        appendRecords(6);
        assertTrue(merkle.finalizeAndAnchor(null).anchored());
        db.write(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM thought_records WHERE position >= 4");
            }
            return null;
        });
        appendRecords(1);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> merkle.finalizeAndAnchor(null));

        assertEquals("cannot finalize: the audit chain holds 5 records at positions 0..4 while the Merkle tree already"
                + " covers 6 (records were deleted); call audit_verify_chain and restore_plan", e.getMessage());
    }

    @Test
    void finalizeCommitsOnceWithTheHeadAlreadyMarkedAnchored() {
        appendRecords(3);
        long writes = db.writesSinceOpen();

        FinalizeResult result = merkle.finalizeAndAnchor("r1");

        assertTrue(result.anchored());
        assertEquals(writes + 1, db.writesSinceOpen(), "nodes, head, anchored mark: one transaction, one commit");
        assertTrue(latestHead().anchored());
    }

    /** A crashing anchor log: the line is written and fsynced, then the process dies before the commit. */
    private MerkleService crashingAfterTheAnchorLine() throws IOException {
        AnchorLog crashing = spy(new AnchorLog(anchors.file()));
        doAnswer(call -> {
            call.callRealMethod();
            throw new IllegalStateException("crash after the anchor line");
        }).when(crashing).append(anyString(), any(), anyLong(), anyString(), anyString());
        return new MerkleService(db, crashing, clock);
    }

    @Test
    void crashAfterTheAnchorLineButBeforeTheCommitIsAnchoredOnceByTheNextFinalize() throws IOException {
        appendRecords(3);
        MerkleService crashing = crashingAfterTheAnchorLine();
        assertThrows(IllegalStateException.class, () -> crashing.finalizeAndAnchor("r1"));
        assertEquals(Optional.empty(), db.read(MerkleLog::latestHead), "the head's transaction rolled back");
        assertEquals(1, anchorLines().size());

        FinalizeResult result = merkle.finalizeAndAnchor("r1");

        assertEquals(new FinalizeResult(3, rfcRoot(3), "r1", true, 3, "finalized and anchored"), result);
        assertEquals(List.of(new Anchor(1, WS, "r1", 3, rfcRoot(3), NOW)), anchorLines(), "the line is not repeated");
        assertTrue(latestHead().anchored());
        assertEquals("match", merkle.liveReport().anchorStatus());
    }

    @Test
    void lineLeftByACrashBeforeTheCommitDoesNotDisturbLaterHeads() throws IOException {
        appendRecords(3);
        MerkleService crashing = crashingAfterTheAnchorLine();
        assertThrows(IllegalStateException.class, () -> crashing.finalizeAndAnchor("r1"));
        appendRecords(2);

        FinalizeResult result = merkle.finalizeAndAnchor("r2");

        assertEquals(new FinalizeResult(5, rfcRoot(5), "r2", true, 5, "finalized and anchored"), result);
        assertEquals(List.of(new Anchor(1, WS, "r1", 3, rfcRoot(3), NOW), new Anchor(2, WS, "r2", 5, rfcRoot(5), NOW)),
                anchorLines());
        assertEquals(new RootReport(5, rfcRoot(5), rfcRoot(5), 5, 0, "match", rfcRoot(5), true,
                "root of size 5 matches anchor #2"), merkle.liveReport());
    }

    @Test
    void differentRootAnchoredBeforeTheRestoreFloorDoesNotBlockAnchoring() throws IOException {
        appendRecords(3);
        anchors.append(WS, "r0", 3, "e".repeat(64), NOW);
        db.write(c -> {
            Meta.put(c, Meta.RESTORE_ANCHOR_SEQ, "1");
            return null;
        });

        FinalizeResult result = merkle.finalizeAndAnchor("r1");

        assertTrue(result.anchored(), result.detail());
        assertEquals(new Anchor(2, WS, "r1", 3, rfcRoot(3), NOW), anchorLines().get(1));
        assertTrue(latestHead().anchored());
    }

    @Test
    void differentRootAnchoredAfterTheRestoreFloorIsRefusedAndLeftUnmarked() throws IOException {
        appendRecords(3);
        anchors.append(WS, "r0", 3, "e".repeat(64), NOW);

        FinalizeResult result = merkle.finalizeAndAnchor("r1");

        assertEquals(new FinalizeResult(3, rfcRoot(3), "r1", false, 3, "the anchor log already holds a different root"
                + " for size 3 (anchor #1): records anchored earlier were rewritten or cut and re-appended. Not anchored;"
                + " call audit_verify_chain and restore_plan"), result);
        assertEquals(1, anchorLines().size());
        assertFalse(latestHead().anchored());
    }
}
