package dev.colibri.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.workspace.Database;
import dev.colibri.workspace.DatabaseException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A walk cut into chunks that any thread may claim: who walked a chunk never changes the verdict,
 * and a chunk that cannot be read stops only the chunks after it.
 */
class ChainWalkTest {

    private static final int RECORDS = 10;
    private static final int CHUNKS = 5;

    @TempDir
    Path dir;

    private Database db;
    private AuditChain chain;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("colibri.db"));
        chain = new AuditChain(AuditKey.of(new byte[32]), Clock.fixed(Instant.parse("2026-05-01T09:00:00Z"), ZoneOffset.UTC));
        db.write(c -> {
            for (int i = 0; i < RECORDS; i++) {
                chain.append(c, "note", "record " + i, null);
            }
            return null;
        });
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** The names of the threads that walked each chunk (by the chunk's first position), in chunk order. */
    private static final class Walkers implements LeafSink {

        final List<List<String>> chunks = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Consumer<byte[]> range(long from, long to) {
            List<String> threads = Collections.synchronizedList(new ArrayList<>());
            chunks.add(threads);
            return hash -> threads.add(Thread.currentThread().getName());
        }
    }

    /** A sink whose chunk {@code failing} cannot take its first leaf, as if the chunk's read had failed there. */
    private static LeafSink failingAt(int failing) {
        int[] range = {0};
        return (from, to) -> range[0]++ == failing ? hash -> {
            throw new IllegalStateException("disk I/O error at chunk " + failing);
        } : hash -> { };
    }

    private void tamper(long position) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE thought_records SET content = 'forged' WHERE position = ?")) {
                ps.setLong(1, position);
                return ps.executeUpdate();
            }
        });
    }

    @Test
    void chunksClaimedByAHelperAreOnlyJoinedByFinish() {
        ChainVerification sequential = db.read(c -> chain.verify(c, 1));
        Walkers walkers = new Walkers();

        ChainVerification v = db.read(c -> {
            ChainWalk walk = chain.walk(c, CHUNKS, walkers, TaskIdSink.NONE);
            CompletableFuture.runAsync(walk::help, r -> new Thread(r, "helper").start()).join();
            return walk.finish(0);
        });

        assertEquals(sequential, v);
        assertTrue(v.ok());
        assertEquals(CHUNKS, walkers.chunks.size());
        for (List<String> chunk : walkers.chunks) {
            assertEquals(List.of("helper", "helper"), chunk);
        }
    }

    @Test
    void helpAfterEveryChunkIsClaimedOpensNothingAndReturns() {
        Walkers walkers = new Walkers();

        ChainVerification v = db.read(c -> {
            ChainWalk walk = chain.walk(c, CHUNKS, walkers, TaskIdSink.NONE);
            ChainVerification done = walk.finish(0);
            walk.help();
            return done;
        });

        assertTrue(v.ok());
        String caller = Thread.currentThread().getName();
        assertEquals(RECORDS, walkers.chunks.stream().flatMap(List::stream).filter(caller::equals).count());
    }

    @Test
    void chunkThatCannotBeReadIsReportedWhenNoRecordBeforeItIsBad() {
        DatabaseException e = assertThrows(DatabaseException.class,
                () -> db.read(c -> chain.walk(c, CHUNKS, failingAt(2), TaskIdSink.NONE).finish(1)));

        assertEquals(SQLException.class, e.getCause().getClass());
        assertEquals("cannot verify the audit chain: disk I/O error at chunk 2", e.getCause().getMessage());
    }

    @Test
    void badRecordBeforeAChunkThatCannotBeReadWins() {
        tamper(1);

        ChainVerification v = db.read(c -> chain.walk(c, CHUNKS, failingAt(3), TaskIdSink.NONE).finish(1));

        assertFalse(v.ok());
        assertEquals(1, v.breakAt());
        assertEquals("hash of record 1 does not authenticate its content (edited, reordered or forged)", v.reason());
    }

    @Test
    void chunksAfterAKnownBadRecordAreNotWalked() {
        tamper(3);
        Walkers walkers = new Walkers();

        ChainVerification v = db.read(c -> chain.walk(c, CHUNKS, walkers, TaskIdSink.NONE).finish(0));

        assertEquals(3, v.breakAt());
        List<Integer> leaves = walkers.chunks.stream().map(List::size).toList();
        assertEquals(List.of(2, 1, 0, 0, 0), leaves); // records 0-2 pass; 3 does not; 4-9 are never read
    }

    @Test
    void errorInAHelpersChunkIsRaisedAsItselfOnceEveryWalkerIsDone() {
        LeafSink failing = (from, to) -> from == 4 ? hash -> {
            throw new AssertionError("simulated error at chunk 2");
        } : hash -> { };

        AssertionError e = assertThrows(AssertionError.class,
                () -> db.read(c -> chain.walk(c, CHUNKS, failing, TaskIdSink.NONE).finish(2)));

        assertEquals("simulated error at chunk 2", e.getMessage());
        assertNoWalkerLeft();
    }

    @Test
    void finishReturnsOnlyOnceTheThreadsItStartedHaveClosedTheirConnections() {
        for (int i = 0; i < 20; i++) {
            assertTrue(db.read(c -> chain.walk(c, CHUNKS, LeafSink.NONE, TaskIdSink.NONE).finish(CHUNKS - 1)).ok());
            assertNoWalkerLeft();
        }
    }

    private static void assertNoWalkerLeft() {
        List<String> alive = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("colibri-chain-")).toList();
        assertEquals(List.of(), alive, "walker threads still running after finish returned");
    }
}
