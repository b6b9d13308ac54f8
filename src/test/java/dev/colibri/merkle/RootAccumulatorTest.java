package dev.colibri.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RootAccumulatorTest {
    private static final int MAX = 200;

    /** Leaf inputs: the 8 CT vectors, then varied lengths (including empty). */
    private static List<byte[]> leaves;
    /** REF_ROOTS[n] = MerkleHash.root(first n leaves), hex. */
    private static String[] refRoots;
    /** Every perfect subtree of the MAX-leaf tree, key "level/index", computed with the reference root(). */
    private static Map<String, String> refNodes;

    @BeforeAll
    static void buildReference() {
        List<byte[]> data = new ArrayList<>(CtVectors.leafInputs());
        for (int i = data.size(); i < MAX; i++) {
            byte[] leaf = new byte[i % 7];
            for (int k = 0; k < leaf.length; k++) {
                leaf[k] = (byte) (i * 31 + k);
            }
            data.add(leaf);
        }
        leaves = Collections.unmodifiableList(data);
        refRoots = new String[MAX + 1];
        for (int n = 0; n <= MAX; n++) {
            refRoots[n] = Hex.encode(MerkleHash.root(leaves.subList(0, n)));
        }
        refNodes = new LinkedHashMap<>();
        for (int level = 0; (1 << level) <= MAX; level++) {
            for (int index = 0; (index + 1) << level <= MAX; index++) {
                List<byte[]> covered = leaves.subList(index << level, (index + 1) << level);
                refNodes.put(key(level, index), Hex.encode(MerkleHash.root(covered)));
            }
        }
    }

    private static String key(long level, long index) {
        return level + "/" + index;
    }

    /** Keys of all perfect subtrees of a tree of n leaves. */
    private static Set<String> expectedKeys(int n) {
        Set<String> keys = new HashSet<>();
        for (int level = 0; (1 << level) <= n; level++) {
            for (int index = 0; (index + 1) << level <= n; index++) {
                keys.add(key(level, index));
            }
        }
        return keys;
    }

    /** Records reported nodes and fails on a second report of the same position. */
    private static final class Recorder implements RootAccumulator.NodeSink {
        final Map<String, String> nodes = new LinkedHashMap<>();

        @Override
        public void completed(int level, long index, byte[] hash) {
            assertEquals(32, hash.length);
            String previous = nodes.put(key(level, index), Hex.encode(hash));
            assertNull(previous, "node " + key(level, index) + " reported twice");
        }
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(Hex::encode).toList();
    }

    // ---- published vectors ----

    @Test
    void matchesPublishedRootsFrontiersAndNodes() {
        Recorder recorder = new Recorder();
        RootAccumulator acc = new RootAccumulator(recorder);
        List<byte[]> inputs = CtVectors.leafInputs();
        for (int n = 0; n <= inputs.size(); n++) {
            assertEquals(CtVectors.ROOTS.get(n), Hex.encode(acc.root()), "root of size " + n);
            List<String> expectedFrontier = CtVectors.COMPACT_TREES.get(n).stream()
                    .map(p -> CtVectors.NODE_HASHES.get(p[0]).get(p[1])).toList();
            assertEquals(expectedFrontier, hex(acc.frontier()), "frontier of size " + n);
            if (n < inputs.size()) {
                acc.addLeafData(inputs.get(n));
            }
        }
        Map<String, String> published = new LinkedHashMap<>();
        for (int level = 0; level < CtVectors.NODE_HASHES.size(); level++) {
            for (int index = 0; index < CtVectors.NODE_HASHES.get(level).size(); index++) {
                published.put(key(level, index), CtVectors.NODE_HASHES.get(level).get(index));
            }
        }
        assertEquals(published, recorder.nodes);
    }

    // ---- agreement with the reference definition ----

    @Test
    void rootEqualsReferenceForEverySizeUpTo200() {
        RootAccumulator byData = new RootAccumulator();
        RootAccumulator byHash = new RootAccumulator();
        for (int n = 0; n <= MAX; n++) {
            assertEquals(n, byData.size());
            assertEquals(refRoots[n], Hex.encode(byData.root()), "root of size " + n);
            assertEquals(refRoots[n], Hex.encode(byHash.root()), "root of size " + n + " (leaf hashes)");
            assertEquals(Long.bitCount(n), byData.frontier().size());
            if (n < MAX) {
                byData.addLeafData(leaves.get(n));
                byHash.addLeafHash(MerkleHash.leaf(leaves.get(n)));
            }
        }
    }

    @Test
    void resumeAtEverySplitPointGivesTheSameRoots() {
        List<List<byte[]>> frontiers = new ArrayList<>();
        RootAccumulator acc = new RootAccumulator();
        for (int n = 0; n <= MAX; n++) {
            frontiers.add(acc.frontier());
            if (n < MAX) {
                acc.addLeafData(leaves.get(n));
            }
        }
        for (int split = 0; split <= MAX; split++) {
            RootAccumulator resumed = RootAccumulator.resume(split, frontiers.get(split));
            assertEquals(split, resumed.size());
            assertEquals(refRoots[split], Hex.encode(resumed.root()), "resumed at " + split);
            for (int n = split; n < MAX; n++) {
                resumed.addLeafData(leaves.get(n));
                assertEquals(refRoots[n + 1], Hex.encode(resumed.root()), "resumed at " + split + ", size " + (n + 1));
            }
        }
    }

    // ---- node sink ----

    @Test
    void sinkReportsEveryPerfectSubtreeExactlyOnceWithReferenceHashes() {
        for (int n = 0; n <= MAX; n++) {
            Recorder recorder = new Recorder();
            RootAccumulator acc = new RootAccumulator(recorder);
            for (int i = 0; i < n; i++) {
                acc.addLeafData(leaves.get(i));
            }
            assertEquals(2 * n - Integer.bitCount(n), recorder.nodes.size(), "node count for " + n);
            assertEquals(expectedKeys(n), recorder.nodes.keySet(), "positions for " + n);
            for (Map.Entry<String, String> node : recorder.nodes.entrySet()) {
                assertEquals(refNodes.get(node.getKey()), node.getValue(), "hash of node " + node.getKey());
            }
        }
    }

    @Test
    void sinkReportsLeafFirstThenCompletedNodesByLevel() {
        Recorder recorder = new Recorder();
        RootAccumulator acc = new RootAccumulator(recorder);
        for (int i = 0; i < 7; i++) {
            acc.addLeafData(leaves.get(i));
        }
        recorder.nodes.clear();
        acc.addLeafData(leaves.get(7));
        assertEquals(List.of("0/7", "1/3", "2/1", "3/0"), new ArrayList<>(recorder.nodes.keySet()));
    }

    @Test
    void sinkAcrossResumeReportsEachNodeExactlyOnce() {
        for (int split = 0; split <= MAX; split++) {
            Recorder before = new Recorder();
            RootAccumulator first = new RootAccumulator(before);
            for (int i = 0; i < split; i++) {
                first.addLeafData(leaves.get(i));
            }
            Recorder after = new Recorder();
            RootAccumulator second = RootAccumulator.resume(split, first.frontier(), after);
            for (int i = split; i < MAX; i++) {
                second.addLeafData(leaves.get(i));
            }
            Set<String> overlap = new HashSet<>(before.nodes.keySet());
            overlap.retainAll(after.nodes.keySet());
            assertEquals(Set.of(), overlap, "reported on both sides of split " + split);
            Map<String, String> all = new LinkedHashMap<>(before.nodes);
            all.putAll(after.nodes);
            assertEquals(refNodes, Map.copyOf(all), "nodes with split " + split);
        }
    }

    @Test
    void frontierPositionsMatchTheNodesTheSinkReported() {
        Recorder recorder = new Recorder();
        RootAccumulator acc = new RootAccumulator(recorder);
        for (int n = 0; n <= MAX; n++) {
            List<long[]> positions = RootAccumulator.frontierPositions(n);
            List<String> loaded = positions.stream().map(p -> recorder.nodes.get(key(p[0], p[1]))).toList();
            assertEquals(hex(acc.frontier()), loaded, "frontier of size " + n);
            // The positions tile [0, n), largest first.
            long covered = 0;
            long previousLevel = Long.MAX_VALUE;
            for (long[] p : positions) {
                assertTrue(p[0] < previousLevel, "levels strictly decreasing for " + n);
                assertEquals(covered, p[1] << p[0], "subtree start for " + n);
                covered += 1L << p[0];
                previousLevel = p[0];
            }
            assertEquals(n, covered);
            if (n < MAX) {
                acc.addLeafData(leaves.get(n));
            }
        }
    }

    @Test
    void frontierPositionsOfLargeSizes() {
        assertEquals(List.of(), RootAccumulator.frontierPositions(0));
        List<long[]> max = RootAccumulator.frontierPositions(Long.MAX_VALUE);
        assertEquals(63, max.size());
        assertArrayEquals(new long[] {62, 0}, max.get(0));
        assertArrayEquals(new long[] {0, Long.MAX_VALUE - 1}, max.get(62));
        List<long[]> six = RootAccumulator.frontierPositions(6);
        assertArrayEquals(new long[] {2, 0}, six.get(0));
        assertArrayEquals(new long[] {1, 2}, six.get(1));
    }

    @Test
    void resumedLargeTreeReportsPositionsBeyondIntRange() {
        long size = (1L << 40) - 1; // 40 frontier nodes; the next leaf completes levels 0..40
        List<byte[]> frontier = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            frontier.add(MerkleHash.leaf(new byte[] {(byte) i}));
        }
        Recorder recorder = new Recorder();
        RootAccumulator acc = RootAccumulator.resume(size, frontier, recorder);
        byte[] leaf = MerkleHash.leaf(new byte[] {42});
        acc.addLeafHash(leaf);
        assertEquals(1L << 40, acc.size());
        assertEquals(41, recorder.nodes.size());
        for (int level = 0; level <= 40; level++) {
            assertTrue(recorder.nodes.containsKey(key(level, size >> level)), "level " + level);
        }
        byte[] expected = leaf;
        for (int i = 39; i >= 0; i--) {
            expected = MerkleHash.node(frontier.get(i), expected);
        }
        assertEquals(List.of(Hex.encode(expected)), hex(acc.frontier()));
        assertArrayEquals(expected, acc.root());
    }

    @Test
    void fullTreeRejectsAnotherLeaf() {
        List<byte[]> frontier = new ArrayList<>();
        for (int i = 0; i < 63; i++) {
            frontier.add(new byte[32]);
        }
        RootAccumulator acc = RootAccumulator.resume(Long.MAX_VALUE, frontier);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> acc.addLeafData(new byte[0]));
        assertEquals("tree is full at 9223372036854775807 leaves", e.getMessage());
    }

    @Test
    void failingSinkLeavesTheAccumulatorUnchanged() {
        boolean[] fail = {false};
        RootAccumulator acc = new RootAccumulator((level, index, hash) -> {
            if (fail[0] && level == 2) {
                throw new IllegalStateException("disk full");
            }
        });
        for (int i = 0; i < 3; i++) {
            acc.addLeafData(leaves.get(i));
        }
        List<String> frontierBefore = hex(acc.frontier());
        fail[0] = true;
        assertThrows(IllegalStateException.class, () -> acc.addLeafData(leaves.get(3)));
        assertEquals(3, acc.size());
        assertEquals(frontierBefore, hex(acc.frontier()));
        assertEquals(refRoots[3], Hex.encode(acc.root()));
        fail[0] = false;
        acc.addLeafData(leaves.get(3));
        assertEquals(refRoots[4], Hex.encode(acc.root()));
    }

    @Test
    void hashesHandedInOrOutAreCopies() {
        List<byte[]> reported = new ArrayList<>();
        RootAccumulator acc = new RootAccumulator((level, index, hash) -> reported.add(hash));
        byte[] leafHash = MerkleHash.leaf(leaves.get(0));
        acc.addLeafHash(leafHash);
        leafHash[0] ^= 1;
        acc.addLeafData(leaves.get(1));
        acc.addLeafData(leaves.get(2));
        reported.forEach(h -> h[0] ^= 1);
        acc.frontier().forEach(h -> h[0] ^= 1);
        acc.root()[0] ^= 1;
        assertEquals(refRoots[3], Hex.encode(acc.root()));

        List<byte[]> frontier = acc.frontier();
        RootAccumulator resumed = RootAccumulator.resume(3, frontier);
        frontier.forEach(h -> h[0] ^= 1);
        assertEquals(refRoots[3], Hex.encode(resumed.root()));
    }

    // ---- validation ----

    @Test
    void resumeRejectsWrongFrontierCount() {
        byte[] h = new byte[32];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RootAccumulator.resume(5, List.of(h)));
        assertEquals("frontier for size 5 must have 2 hashes, got 1", e.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> RootAccumulator.resume(0, List.of(h)));
        assertEquals("frontier for size 0 must have 0 hashes, got 1", empty.getMessage());
    }

    @Test
    void resumeRejectsShortHash() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RootAccumulator.resume(3, List.of(new byte[32], new byte[31])));
        assertEquals("frontier hash 1 must be 32 bytes, got 31", e.getMessage());
    }

    @Test
    void rejectsNegativeSizesAndBadLeafHashes() {
        IllegalArgumentException resume = assertThrows(IllegalArgumentException.class,
                () -> RootAccumulator.resume(-1, List.of()));
        assertEquals("size must be non-negative, got -1", resume.getMessage());
        IllegalArgumentException positions = assertThrows(IllegalArgumentException.class,
                () -> RootAccumulator.frontierPositions(-2));
        assertEquals("size must be non-negative, got -2", positions.getMessage());
        RootAccumulator acc = new RootAccumulator();
        IllegalArgumentException leaf = assertThrows(IllegalArgumentException.class,
                () -> acc.addLeafHash(new byte[31]));
        assertEquals("leaf hash must be 32 bytes, got 31", leaf.getMessage());
        assertEquals(0, acc.size());
    }

    @Test
    void addingAlignedSubtreesGivesTheSameRootAsAddingTheirLeaves() {
        for (int n = 0; n <= 70; n++) {
            RootAccumulator byLeaves = new RootAccumulator();
            RootAccumulator bySubtrees = new RootAccumulator();
            for (int i = 0; i < n; i++) {
                byLeaves.addLeafData(leaves.get(i));
            }
            int position = 0;
            while (position < n) { // largest aligned power of two that fits, as ChainRoot cuts its ranges
                int level = position == 0 ? 30 : Integer.numberOfTrailingZeros(position);
                while ((1 << level) > n - position) {
                    level--;
                }
                bySubtrees.addSubtree(level, MerkleHash.root(leaves.subList(position, position + (1 << level))));
                position += 1 << level;
            }
            assertArrayEquals(byLeaves.root(), bySubtrees.root(), "n=" + n);
            assertEquals(n, bySubtrees.size());
        }
    }

    @Test
    void subtreeThatWouldStraddleANodeIsRefused() {
        RootAccumulator acc = new RootAccumulator();
        acc.addLeafData(leaves.get(0));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> acc.addSubtree(1, new byte[32]));

        assertEquals("a subtree of 2 leaves cannot follow 1 leaves: the size must be a multiple of 2", e.getMessage());
        assertEquals(1, acc.size());
    }
}
