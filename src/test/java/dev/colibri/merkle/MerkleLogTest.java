package dev.colibri.merkle;

import dev.colibri.testing.MutableClock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.DatabaseException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MerkleLogTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-01-02T03:04:05.678Z"));
    private Database db;
    private AuditChain chain;
    private MerkleLog log;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("colibri.db"));
        chain = new AuditChain(AuditKey.of(new byte[32]), clock);
        log = new MerkleLog(clock);
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

    private TreeHead finalizeHead(String round) {
        return db.write(c -> log.finalizeHead(c, round));
    }

    /** The leaf data of the tree: the records' 32-byte hashes, in position order. */
    private List<byte[]> recordHashes() {
        return db.read(c -> {
            List<byte[]> hashes = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT hash FROM thought_records ORDER BY position")) {
                while (rs.next()) {
                    hashes.add(rs.getBytes(1));
                }
            }
            return hashes;
        });
    }

    private String rfcRoot() {
        return Hex.encode(MerkleHash.root(recordHashes()));
    }

    private long nodeCount() {
        return db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM merkle_nodes")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private long headCount() {
        return db.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM tree_heads")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private byte[] storedNode(int level, long index) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")) {
                ps.setInt(1, level);
                ps.setLong(2, index);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
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

    @ParameterizedTest(name = "{0} records")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100})
    void finalizeGivesTheRfcRootOverTheRecordHashes(int k) {
        appendRecords(k);

        TreeHead head = finalizeHead("r1");

        assertEquals(k, head.size());
        assertEquals(rfcRoot(), head.root());
        assertEquals("r1", head.round());
        assertEquals("2024-01-02T03:04:05.678Z", head.createdAt());
        assertFalse(head.anchored());
        assertEquals(Optional.of(head), db.read(MerkleLog::latestHead));
    }

    @Test
    void emptyTreeFinalizesToTheEmptyRoot() {
        TreeHead head = finalizeHead(null);

        assertEquals(0, head.size());
        assertEquals(Hex.encode(MerkleHash.emptyRoot()), head.root());
        assertEquals(0, nodeCount());
    }

    @Test
    void incrementalFinalizeOverManyRoundsEqualsFullRecompute() {
        Random random = new Random(20240102);
        long finalized = 0;
        for (int round = 1; round <= 60; round++) {
            appendRecords(random.nextInt(10));
            clock.advanceSeconds(1);

            TreeHead head = finalizeHead("r" + round);

            long n = recordHashes().size();
            assertEquals(n, head.size(), "round " + round);
            assertEquals(rfcRoot(), head.root(), "round " + round);
            assertEquals(new MerkleLog.Recomputed(n, head.root()), db.read(c -> MerkleLog.recompute(c, n)));
            assertEquals(2 * n - Long.bitCount(n), nodeCount(), "stored nodes after round " + round);
            finalized = n;
        }
        assertTrue(finalized > 100, "the rounds should have grown a sizeable tree, got " + finalized);
    }

    @Test
    void finalizeWithNoNewRecordsReturnsTheSameHead() {
        appendRecords(5);
        TreeHead first = finalizeHead("r1");
        clock.advanceSeconds(60);

        TreeHead again = finalizeHead("r2");

        assertEquals(first, again);
        assertEquals(1, headCount());
        assertEquals(2L * 5 - Long.bitCount(5), nodeCount());
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 2, 3, 6, 7, 8, 13, 64, 65})
    void storedNodeCountIsTwoNMinusBitCount(int n) {
        appendRecords(n);
        finalizeHead(null);

        assertEquals(2L * n - Integer.bitCount(n), nodeCount());
    }

    @Test
    void storedNodesArePerfectSubtrees() {
        appendRecords(6);
        finalizeHead(null);
        List<byte[]> data = recordHashes();

        for (int i = 0; i < 6; i++) {
            assertArrayEquals(MerkleHash.leaf(data.get(i)), storedNode(0, i), "leaf " + i);
        }
        assertArrayEquals(MerkleHash.root(data.subList(0, 4)), storedNode(2, 0));
        assertArrayEquals(MerkleHash.root(data.subList(4, 6)), storedNode(1, 2));
        assertEquals(null, storedNode(2, 1), "an incomplete subtree is never stored");
    }

    @Test
    void recomputeAfterDeletingTailRecordsReportsFewerLeaves() {
        appendRecords(10);
        TreeHead head = finalizeHead(null);
        sql("DELETE FROM thought_records WHERE position >= 7");

        MerkleLog.Recomputed rec = db.read(c -> MerkleLog.recompute(c, head.size()));

        assertEquals(7, rec.leaves());
        assertEquals(rfcRoot(), rec.root());
        assertFalse(rec.root().equals(head.root()));
    }

    @Test
    void recomputeStopsAtTheRequestedSizeAndIgnoresStoredNodes() {
        appendRecords(10);
        finalizeHead(null);
        sql("UPDATE merkle_nodes SET hash = zeroblob(32)");

        MerkleLog.Recomputed rec = db.read(c -> MerkleLog.recompute(c, 5));

        assertEquals(new MerkleLog.Recomputed(5, Hex.encode(MerkleHash.root(recordHashes().subList(0, 5)))), rec);
    }

    @Test
    void missingFrontierNodeStopsFinalizeAndChangesNothing() {
        appendRecords(8);
        finalizeHead(null);
        sql("DELETE FROM merkle_nodes WHERE level = 3 AND idx = 0");
        appendRecords(1);

        DatabaseException e = assertThrows(DatabaseException.class, () -> finalizeHead(null));

        assertEquals("write failed on " + dir.resolve("colibri.db") + ": merkle_nodes lacks node level 3 index 0 of the"
                + " frontier; the proof tree is damaged: restore from a clean snapshot", e.getMessage());
        assertEquals(8, db.read(MerkleLog::latestHead).orElseThrow().size());
        assertEquals(2L * 8 - 1 - 1, nodeCount());
    }

    @Test
    void headsStayUnanchoredUntilMarked() throws SQLException {
        appendRecords(2);
        TreeHead a = finalizeHead("r1");
        appendRecords(3);
        clock.advanceSeconds(1);
        TreeHead b = finalizeHead("r2");

        assertEquals(List.of(a, b), db.read(MerkleLog::unanchoredHeads));

        db.write(c -> {
            log.markAnchored(c, a.size());
            return null;
        });

        assertEquals(List.of(b), db.read(MerkleLog::unanchoredHeads));
        db.write(c -> {
            log.markAnchored(c, b.size());
            return null;
        });
        assertEquals(List.of(), db.read(MerkleLog::unanchoredHeads));
        assertTrue(db.read(MerkleLog::latestHead).orElseThrow().anchored());
    }

    @Test
    void finalizeJoinsTheCallersTransaction() {
        appendRecords(3);

        assertThrows(IllegalStateException.class, () -> db.write(c -> {
            log.finalizeHead(c, "r1");
            throw new IllegalStateException("caller fails after finalizing");
        }));

        assertEquals(Optional.empty(), db.read(MerkleLog::latestHead));
        assertEquals(0, nodeCount());
    }

    @Test
    void finalizeStoresNodesOverSeveralBatches() {
        appendRecords(1000);

        TreeHead head = finalizeHead(null);

        assertEquals(rfcRoot(), head.root());
        assertEquals(2L * 1000 - Long.bitCount(1000), nodeCount());
        appendRecords(1);
        assertEquals(rfcRoot(), finalizeHead(null).root(), "the stored frontier carries on");
    }

    @Test
    void strayNodeInTheWayStopsFinalizeNamingItsBatchAndChangesNothing() {
        appendRecords(4);
        finalizeHead(null);
        sql("INSERT INTO merkle_nodes(level, idx, hash) VALUES(1, 3, zeroblob(32))");
        appendRecords(4);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> finalizeHead(null));

        assertEquals("cannot store Merkle nodes 0/4 to 3/0: [SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint"
                + " failed (UNIQUE constraint failed: merkle_nodes.level, merkle_nodes.idx)", e.getMessage());
        assertEquals(4, db.read(MerkleLog::latestHead).orElseThrow().size());
        assertEquals(2L * 4 - 1 + 1, nodeCount());
    }
}
