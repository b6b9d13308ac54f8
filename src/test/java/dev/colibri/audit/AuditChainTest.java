package dev.colibri.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.workspace.Database;
import dev.colibri.workspace.PageFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditChainTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String GENESIS_HEX = "0".repeat(64);
    private static final Instant NOW = Instant.parse("2024-01-02T03:04:05.678Z");
    private static final String HASH_REASON = "hash of record %d does not authenticate its content (edited, reordered or forged)";

    @TempDir
    Path dir;

    private Database db;
    private AuditChain chain;

    private static byte[] sequentialKey() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("colibri.db"));
        chain = new AuditChain(AuditKey.of(sequentialKey()), Clock.fixed(NOW, ZoneOffset.UTC));
        db.write(c -> sql(c, "INSERT INTO tasks(id, title, status, progress, created_at, updated_at)"
                + " VALUES('T1', 't', 'pending', 0, 'x', 'x')"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private ThoughtRecord append(String kind, String content, String taskId) {
        return db.write(c -> chain.append(c, kind, content, taskId));
    }

    /** Five records; record 2 belongs to task T1. */
    private List<ThoughtRecord> fiveRecords() {
        List<ThoughtRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(append(i % 2 == 0 ? "decision" : "note", "content " + i, i == 2 ? "T1" : null));
        }
        return records;
    }

    private static Void sql(Connection c, String statement, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
        return null;
    }

    private void tamper(String statement, Object... args) {
        db.write(c -> sql(c, statement, args));
    }

    /**
     * Verifies the chain walked as one range and cut into 2..6 ranges (each on its own connection and
     * thread): every split must report exactly what the sequential walk reports, so each scenario
     * below also covers a tampering at, before and after every range boundary.
     */
    private ChainVerification verify() {
        ChainVerification sequential = db.read(c -> chain.verify(c, 1));
        for (int ranges = 2; ranges <= 6; ranges++) {
            int n = ranges;
            assertEquals(sequential, db.read(c -> chain.verify(c, n)), "cut into " + n + " ranges");
        }
        assertEquals(sequential, db.read(chain::verify), "the default split");
        // The same file with its WAL emptied: a read transaction then pins it, and the walk reads the
        // records' pages directly; its verdict must be SQLite's, split or not.
        assertEquals(0, db.checkpoint("TRUNCATE"));
        PageFile pages = pages();
        boolean direct = db.read(c -> {
            ChainWalk w = chain.walk(c, 1, LeafSink.NONE, TaskIdSink.NONE, pages);
            w.finish(0);
            return w.readsPages();
        });
        assertTrue(direct, "the pinned file is read directly");
        for (int ranges = 1; ranges <= 6; ranges++) {
            int n = ranges;
            assertEquals(sequential, db.read(c -> chain.walk(c, n, LeafSink.NONE, TaskIdSink.NONE, pages).finish(n - 1)),
                    "read from the pages, cut into " + n + " ranges");
        }
        assertEquals(sequential, db.read(c -> chain.verify(c, pages)), "read from the pages, the default split");
        return sequential;
    }

    private static void assertBroken(ChainVerification v, long breakAt, String reason, long length, String headHash) {
        assertFalse(v.ok());
        assertEquals("broken", v.status());
        assertEquals(breakAt, v.breakAt());
        assertEquals(reason, v.reason());
        assertEquals(length, v.length());
        assertEquals(headHash, v.headHash());
    }

    @Test
    void appendLinksEachRecordToItsPredecessor() {
        List<ThoughtRecord> r = fiveRecords();

        assertEquals(GENESIS_HEX, r.get(0).prevHash());
        for (int i = 0; i < r.size(); i++) {
            assertEquals(i, r.get(i).position());
            assertEquals("content " + i, r.get(i).content());
            assertEquals("2024-01-02T03:04:05.678Z", r.get(i).createdAt());
            if (i > 0) {
                assertEquals(r.get(i - 1).hash(), r.get(i).prevHash());
            }
        }
        assertEquals("T1", r.get(2).taskId());
        assertNull(r.get(3).taskId());
        assertEquals(Optional.of(r.get(4)), db.read(AuditChain::head));
        assertEquals(5, db.read(AuditChain::count));
    }

    @Test
    void firstHashIsHmacOfGenesisAndCanonicalBytes() {
        // HMAC-SHA256(key 00..1f, 32 zero bytes || canonical(0, "decision", "first", null, NOW)), computed outside Java.
        ThoughtRecord first = append("decision", "first", null);

        assertEquals("3da4338004756d77bcee541165e876db2ffd191102bd41560a849454352662c6", first.hash());
    }

    @Test
    void intactChainVerifiesWithItsHead() {
        List<ThoughtRecord> r = fiveRecords();

        ChainVerification v = verify();

        assertEquals(new ChainVerification(true, 5, r.get(4).hash(), null, null), v);
        assertEquals("ok", v.status());
        assertTrue(db.read(chain::authenticatesHead));
    }

    @Test
    void emptyChainIsOkWithTheGenesisHead() {
        ChainVerification v = verify();

        assertEquals(new ChainVerification(true, 0, GENESIS_HEX, null, null), v);
        assertEquals(GENESIS_HEX, HEX.formatHex(AuditChain.genesis()));
        assertEquals(Optional.empty(), db.read(AuditChain::head));
        assertTrue(db.read(chain::authenticatesHead));
    }

    @Test
    void editedContentBreaksAtThatRecord() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET content = 'content 2, revised' WHERE position = 2");

        assertBroken(verify(), 2, HASH_REASON.formatted(2), 5, r.get(1).hash());
    }

    @Test
    void editedKindBreaksAtThatRecord() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET kind = 'decision' WHERE position = 3");

        assertBroken(verify(), 3, HASH_REASON.formatted(3), 5, r.get(2).hash());
    }

    @Test
    void editedCreatedAtBreaksAtThatRecord() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET created_at = '2024-01-02T03:04:05.679Z' WHERE position = 1");

        assertBroken(verify(), 1, HASH_REASON.formatted(1), 5, r.get(0).hash());
    }

    @Test
    void removedTaskIdBreaksAtThatRecord() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET task_id = NULL WHERE position = 2");

        assertBroken(verify(), 2, HASH_REASON.formatted(2), 5, r.get(1).hash());
    }

    @Test
    void deletedMiddleRecordBreaksAtTheGap() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("DELETE FROM thought_records WHERE position = 2");

        assertBroken(verify(), 2, "record 2 is missing (the next stored position is 3)", 4, r.get(1).hash());
    }

    /** Regression: the quick read took the record moved into the gap for the missing one and blamed the next link. */
    @Test
    void recordMovedIntoTheGapItLeftIsReportedAsTheGap() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("DELETE FROM thought_records WHERE position = 3");
        tamper("UPDATE thought_records SET position = 3 WHERE position = 2");

        assertBroken(verify(), 2, "record 2 is missing (the next stored position is 3)", 4, r.get(1).hash());
    }

    @Test
    void deletedFirstRecordBreaksAtZero() {
        fiveRecords();
        tamper("DELETE FROM thought_records WHERE position = 0");

        assertBroken(verify(), 0, "record 0 is missing (the next stored position is 1)", 4, GENESIS_HEX);
    }

    @Test
    void swappedContentsBreakAtTheEarlierRecord() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET content = CASE position WHEN 1 THEN 'content 3' ELSE 'content 1' END"
                + " WHERE position IN (1, 3)");

        assertBroken(verify(), 1, HASH_REASON.formatted(1), 5, r.get(0).hash());
    }

    @Test
    void forgedHashBreaksAtThatRecord() {
        List<ThoughtRecord> r = fiveRecords();
        byte[] forged = HEX.parseHex(r.get(2).hash());
        forged[0] ^= 1;
        tamper("UPDATE thought_records SET hash = ? WHERE position = 2", (Object) forged);

        assertBroken(verify(), 2, HASH_REASON.formatted(2), 5, r.get(1).hash());
    }

    @Test
    void forgedHashWithTheNextRecordRelinkedStillBreaksAtTheForgery() {
        List<ThoughtRecord> r = fiveRecords();
        byte[] forged = new byte[32];
        forged[31] = 9;
        tamper("UPDATE thought_records SET hash = ? WHERE position = 2", (Object) forged);
        tamper("UPDATE thought_records SET prev_hash = ? WHERE position = 3", (Object) forged);

        assertBroken(verify(), 2, HASH_REASON.formatted(2), 5, r.get(1).hash());
    }

    @Test
    void prevHashRelinkedToAnOlderRecordBreaksAtThatRecord() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET prev_hash = ? WHERE position = 3", (Object) HEX.parseHex(r.get(1).hash()));

        assertBroken(verify(), 3, "prev_hash of record 3 does not equal the hash of record 2", 5, r.get(2).hash());
    }

    /** Regression: the walk in ranges starts at position 0 and never read a record stored below it. */
    @Test
    void recordInsertedAtANegativePositionBreaksAtZero() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("INSERT INTO thought_records(position, kind, content, task_id, created_at, prev_hash, hash)"
                + " SELECT -1, kind, content, task_id, created_at, prev_hash, hash FROM thought_records WHERE position = 0");

        assertBroken(verify(), 0, "unexpected position -1 where 0 was expected", 6, GENESIS_HEX);
        assertEquals(r.get(0).prevHash(), GENESIS_HEX);
    }

    @Test
    void tamperingsInTwoRangesReportTheEarlierOne() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET content = 'edited' WHERE position IN (1, 4)");

        assertBroken(verify(), 1, HASH_REASON.formatted(1), 5, r.get(0).hash());
    }

    @Test
    void shortPrevHashBreaksAsALinkEvenWhenTheBytesAroundItStillLineUp() {
        List<ThoughtRecord> r = fiveRecords();
        byte[] shortened = java.util.Arrays.copyOf(HEX.parseHex(r.get(2).hash()), 31);
        tamper("UPDATE thought_records SET prev_hash = ? WHERE position = 3", (Object) shortened);

        assertBroken(verify(), 3, "prev_hash of record 3 does not equal the hash of record 2", 5, r.get(2).hash());
    }

    /** 32 characters of text but 64 bytes: the joined read must not take them for a 32-byte hash. */
    @Test
    void prevHashOfThirtyTwoWideCharactersBreaksAsALink() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET prev_hash = ? WHERE position = 3", "\u00e9".repeat(32));

        assertBroken(verify(), 3, "prev_hash of record 3 does not equal the hash of record 2", 5, r.get(2).hash());
    }

    @Test
    void separatorCharactersInTheShortFieldsStillVerify() {
        db.write(c -> sql(c, "INSERT INTO tasks(id, title, status, progress, created_at, updated_at)"
                + " VALUES(?, 't', 'pending', 0, 'x', 'x')", "\u001eT\u001f2"));
        append("a\u001fb", "c\u001fd", "\u001eT\u001f2");
        append("\u001ex", "e", null);
        db.write(c -> sql(c, "INSERT INTO tasks(id, title, status, progress, created_at, updated_at)"
                + " VALUES('', 't', 'pending', 0, 'x', 'x')"));
        append("empty task id", "g", "");
        ThoughtRecord last = append("ok", "f", "T1");

        ChainVerification v = verify();

        assertTrue(v.ok(), v.reason());
        assertEquals(last.hash(), v.headHash());
    }

    @Test
    void contentStoredAsABlobOfTheSameBytesStillVerifies() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("UPDATE thought_records SET content = CAST(content AS BLOB), kind = CAST(kind AS BLOB)");

        ChainVerification v = verify();

        assertTrue(v.ok(), v.reason());
        assertEquals(r.get(4).hash(), v.headHash());
    }

    /** What each range of a walk handed to a {@link TaskIdSink}, in position order, joined. */
    private List<String> taskIdsSeen(int ranges) {
        return taskIdsSeen(ranges, null);
    }

    /** {@link #taskIdsSeen(int)} of a walk that may read the pages through {@code pages}. */
    private List<String> taskIdsSeen(int ranges, PageFile pages) {
        List<List<String>> seen = new ArrayList<>();
        TaskIdSink sink = (from, to) -> {
            List<String> range = new ArrayList<>();
            seen.add(range);
            return new TaskIdSink.Range() {
                @Override
                public void text(byte[] taskId) {
                    range.add(taskId == null ? "null" : new String(taskId, java.nio.charset.StandardCharsets.UTF_8));
                }

                @Override
                public void unclassified(long position) {
                    range.add("unclassified " + position);
                }
            };
        };
        assertTrue(db.read(c -> chain.walk(c, ranges, LeafSink.NONE, sink, pages).finish(ranges - 1)).ok());
        return seen.stream().flatMap(List::stream).toList();
    }

    @Test
    void walkHandsOverEveryTaskIdAndWhetherItSawItsClass() {
        fiveRecords();
        append("x\u001fy", "separator in the kind: read column by column", "T1");
        append("note", "task id stored as a blob below", "T1");
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("colibri.db"))) {
            sql(c, "UPDATE thought_records SET task_id = CAST(task_id AS BLOB) WHERE position = 6"); // foreign keys off
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        List<String> expected = List.of("null", "null", "T1", "null", "null", "unclassified 5", "unclassified 6");
        for (int ranges = 1; ranges <= 3; ranges++) {
            assertEquals(expected, taskIdsSeen(ranges), "cut into " + ranges + " ranges");
        }
        // Read from the pages, a separator in a field is no reason to read column by column: only the
        // task id stored as a blob is left unclassified.
        assertEquals(0, db.checkpoint("TRUNCATE"));
        List<String> fromPages = List.of("null", "null", "T1", "null", "null", "T1", "unclassified 6");
        for (int ranges = 1; ranges <= 3; ranges++) {
            int n = ranges;
            assertEquals(fromPages, taskIdsSeen(n, pages()), "read from the pages, cut into " + n + " ranges");
        }
    }

    private PageFile pages() {
        try {
            return db.pages();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void recordAppendedWithAWrongKeyBreaksAtThatRecord() {
        List<ThoughtRecord> r = fiveRecords();
        byte[] otherKey = sequentialKey();
        otherKey[0] = 42;
        AuditChain impostor = new AuditChain(AuditKey.of(otherKey), Clock.fixed(NOW, ZoneOffset.UTC));

        ThoughtRecord forged = db.write(c -> impostor.append(c, "decision", "not ours", null));

        assertEquals(r.get(4).hash(), forged.prevHash(), "the impostor links correctly; only the key is wrong");
        assertBroken(verify(), 5, HASH_REASON.formatted(5), 6, r.get(4).hash());
        assertFalse(db.read(chain::authenticatesHead));
        assertTrue(db.read(impostor::authenticatesHead));
    }

    @Test
    void editedHeadFailsTheStartupCheck() {
        fiveRecords();
        tamper("UPDATE thought_records SET content = 'rewritten' WHERE position = 4");

        assertFalse(db.read(chain::authenticatesHead));
    }

    @Test
    void truncatedTailStillLinksSoTheChainAloneCannotSeeIt() {
        List<ThoughtRecord> r = fiveRecords();
        tamper("DELETE FROM thought_records WHERE position >= 3");

        // Tail truncation is the Merkle anchor's job (see MerkleServiceTest); the chain verifies what remains.
        assertEquals(new ChainVerification(true, 3, r.get(2).hash(), null, null), verify());
    }

    @Test
    void appendRefusesBadArgumentsWithExactMessagesAndConsumesNoPosition() {
        String tooLongKind = "k".repeat(AuditChain.MAX_KIND_CHARS + 1);
        String tooBig = "x".repeat(AuditChain.MAX_CONTENT_BYTES - 1) + "é";

        assertEquals("kind must be a non-empty string, e.g. \"decision\"",
                assertThrows(IllegalArgumentException.class, () -> append(" ", "c", null)).getMessage());
        assertEquals("kind must be a non-empty string, e.g. \"decision\"",
                assertThrows(IllegalArgumentException.class, () -> append(null, "c", null)).getMessage());
        assertEquals("kind has 65 characters; at most 64",
                assertThrows(IllegalArgumentException.class, () -> append(tooLongKind, "c", null)).getMessage());
        assertEquals("content must be a non-empty string",
                assertThrows(IllegalArgumentException.class, () -> append("k", "", null)).getMessage());
        assertEquals("content has 1048577 bytes; at most 1048576",
                assertThrows(IllegalArgumentException.class, () -> append("k", tooBig, null)).getMessage());
        assertEquals("task_id \"T9\" names no task; create it with task_upsert first or omit task_id",
                assertThrows(IllegalArgumentException.class, () -> append("k", "c", "T9")).getMessage());

        assertEquals(0, append("k".repeat(64), "x".repeat(AuditChain.MAX_CONTENT_BYTES), null).position());
        assertEquals(1, db.read(AuditChain::count));
    }

    @Test
    void shortChainIsOneChunkAndALongOneStartsWithShortChunksForEachThread() {
        assertArrayEquals(new long[] {0, 99_999}, AuditChain.chunks(99_999));
        assertArrayEquals(new long[] {0, 2_000, 4_000, 6_000, 8_000, 38_666, 69_333, 100_000}, AuditChain.chunks(100_000));

        long[] bounds = AuditChain.chunks(1_000_000);
        assertEquals(4 + 39 + 1, bounds.length); // (1,000,000 - 8,000) / 25,000 = 39 chunks after the warm-up ones
        assertEquals(8_000 + 992_000 / 39, bounds[5]);
        assertEquals(1_000_000, bounds[bounds.length - 1]);
    }

    @Test
    void largeChainVerifiesByStreaming() {
        int n = 200_000;
        db.write(c -> {
            for (int i = 0; i < n; i++) {
                chain.append(c, "note", "record " + i, null);
            }
            return null;
        });

        ChainVerification v = verify();

        assertTrue(v.ok(), v.reason());
        assertEquals(n, v.length());
        assertEquals(db.read(AuditChain::head).orElseThrow().hash(), v.headHash());
    }
}
