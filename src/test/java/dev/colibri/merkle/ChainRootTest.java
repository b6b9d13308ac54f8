package dev.colibri.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.audit.ChainVerification;
import dev.colibri.workspace.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainRootTest {

    @TempDir
    Path dir;

    private static List<byte[]> hashes(int n) {
        Random random = new Random(n);
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] h = new byte[32];
            random.nextBytes(h);
            hashes.add(h);
        }
        return hashes;
    }

    private static MerkleLog.Recomputed reference(List<byte[]> hashes, long size) {
        RootAccumulator acc = new RootAccumulator();
        for (int i = 0; i < Math.min(size, hashes.size()); i++) {
            acc.addLeafData(hashes.get(i));
        }
        return new MerkleLog.Recomputed(acc.size(), HexFormat.of().formatHex(acc.root()));
    }

    /** Feeds the hashes as a walk cut into {@code ranges} ranges would, every range fully. */
    private static MerkleLog.Recomputed walked(List<byte[]> hashes, long size, int ranges) {
        ChainRoot root = new ChainRoot(size);
        int n = hashes.size();
        List<Consumer<byte[]>> sinks = new ArrayList<>();
        for (int i = 0; i < ranges; i++) {
            sinks.add(root.range((long) n * i / ranges, (long) n * (i + 1) / ranges));
        }
        for (int i = ranges - 1; i >= 0; i--) { // ranges run at the same time: the order between them is free
            for (int p = n * i / ranges; p < n * (i + 1) / ranges; p++) {
                sinks.get(i).accept(hashes.get(p));
            }
        }
        return root.result();
    }

    @Test
    void everySplitOfEveryLengthGivesTheRecomputedRoot() {
        for (int n = 0; n <= 67; n++) {
            List<byte[]> hashes = hashes(n);
            for (long size : new long[] {0, n / 2, Math.max(0, n - 1), n, n + 5}) {
                for (int ranges = 1; ranges <= 5; ranges++) {
                    assertEquals(reference(hashes, size), walked(hashes, size, ranges),
                            "n=" + n + " size=" + size + " ranges=" + ranges);
                }
            }
        }
    }

    @Test
    void rootFromAChainWalkEqualsMerkleLogRecompute() {
        AuditChain chain = new AuditChain(AuditKey.of(new byte[32]), Clock.systemUTC());
        try (Database db = Database.open(dir.resolve("colibri.db"))) {
            db.write(c -> {
                for (int i = 0; i < 120_003; i++) { // over two ranges of AuditChain.MIN_RANGE_RECORDS on two cores
                    chain.append(c, "note", "record " + i, null);
                }
                return null;
            });
            for (long size : new long[] {0, 1, 65_536, 100_000, 120_003}) {
                ChainRoot root = new ChainRoot(size);
                ChainVerification v = db.read(c -> chain.verify(c, root));

                assertTrue(v.ok(), v.reason());
                assertEquals(db.read(c -> MerkleLog.recompute(c, size)), root.result(), "size " + size);
            }
        }
    }
}
