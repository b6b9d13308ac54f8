package dev.colibri.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Append-only accumulator ("compact range" from leaf 0, also called the frontier) that yields the
 * RFC 9162 §2.1.1 root of a growing list of leaves while keeping only O(log n) hashes.
 *
 * <h2>Node addressing</h2>
 * A node is named by {@code (level, index)}. Level 0 holds the leaf hashes: {@code (0, i)} is
 * {@link MerkleHash#leaf leaf(D[i])}. The node {@code (L, j)} for {@code L >= 1} is the root of the
 * perfect subtree over the {@code 2^L} leaves {@code [j * 2^L, (j + 1) * 2^L)}, i.e.
 * {@code node((L-1, 2j), (L-1, 2j+1))}. Such a node exists, and never changes again, as soon as the
 * tree holds {@code (j + 1) * 2^L} leaves. A tree of {@code n} leaves therefore contains exactly
 * {@code 2n - Long.bitCount(n)} perfect-subtree nodes. Nodes that are not perfect subtrees
 * (the right spine of a tree whose size is not a power of two) are never named or stored; they are
 * recomputed from the frontier by {@link #root()}.
 *
 * <h2>Frontier</h2>
 * The frontier of size {@code n} is the list of perfect subtrees that tile {@code [0, n)} according to
 * the binary decomposition of {@code n}, largest (leftmost) first: one node per set bit {@code L} of
 * {@code n}, at {@code (L, (n >> L) - 1)}. For example {@code n = 6 = 0b110} has frontier
 * {@code [(2, 0), (1, 2)]}, covering leaves {@code [0, 4)} and {@code [4, 6)}.
 * {@link #frontierPositions(long)} lists those positions so a caller can load exactly these
 * {@code bitCount(n)} nodes from storage and {@link #resume resume}.
 *
 * <h2>Root</h2>
 * With frontier {@code f0 .. f(k-1)}, the root is {@code node(f0, node(f1, ... node(f(k-2), f(k-1))))};
 * the empty tree has root {@link MerkleHash#emptyRoot()}. This equals RFC 9162's recursive definition:
 * for {@code n} not a power of two the largest power of two below {@code n} is the highest set bit of
 * {@code n}, so the RFC's left half is exactly {@code f0} and its right half is the tree over the
 * remaining leaves, whose frontier is {@code f1 .. f(k-1)}; for {@code n} a power of two the whole
 * tree is the single perfect subtree {@code f0}.
 *
 * <h2>Cost</h2>
 * Adding a leaf performs one hash per completed node, so adding {@code k} leaves costs {@code O(k)}
 * amortised hashing (at most {@code 2k} node reports). {@link #root()} costs at most
 * {@code bitCount(n) - 1} hashes. Memory is {@code bitCount(n)} hashes.
 *
 * <p>Instances are not thread-safe. All hashes passed in or handed out are defensive copies.
 */
public final class RootAccumulator {

    /**
     * Receives every perfect-subtree node as soon as it is complete, so a caller can persist it.
     * For each leaf added, the leaf hash {@code (0, i)} is reported first, followed by every node
     * it completes, in increasing level. Over the life of a tree (including across {@link #resume}),
     * each {@code (level, index)} is reported exactly once, unless a sink call throws (see
     * {@link RootAccumulator#addLeafHash}).
     */
    @FunctionalInterface
    public interface NodeSink {
        /**
         * @param level 0 for a leaf hash; {@code L} for the root of {@code 2^L} leaves
         * @param index position within the level: the node covers leaves {@code [index * 2^level, (index + 1) * 2^level)}
         * @param hash a fresh 32-byte copy the sink may keep
         */
        void completed(int level, long index, byte[] hash);
    }

    private static final NodeSink NO_SINK = (level, index, hash) -> { };

    private final NodeSink sink;
    /** Perfect-subtree hashes of the binary decomposition of {@link #size}, largest first. */
    private final List<byte[]> frontier;
    private long size;

    /** An empty accumulator with no sink. */
    public RootAccumulator() {
        this(NO_SINK);
    }

    /** An empty accumulator reporting completed nodes to {@code sink}. */
    public RootAccumulator(NodeSink sink) {
        this(0, new ArrayList<>(), sink);
    }

    private RootAccumulator(long size, List<byte[]> frontier, NodeSink sink) {
        this.size = size;
        this.frontier = frontier;
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Same as {@link #resume(long, List, NodeSink)} without a sink. */
    public static RootAccumulator resume(long size, List<byte[]> frontier) {
        return resume(size, frontier, NO_SINK);
    }

    /**
     * Continues a tree of {@code size} leaves from its frontier, e.g. as loaded from the positions
     * given by {@link #frontierPositions(long)}. The hashes are trusted, not re-verified.
     *
     * @param frontier the {@code Long.bitCount(size)} perfect-subtree hashes of the frontier, largest first
     * @throws IllegalArgumentException if {@code size} is negative, the hash count differs from
     *     {@code Long.bitCount(size)}, or a hash is not 32 bytes long
     */
    public static RootAccumulator resume(long size, List<byte[]> frontier, NodeSink sink) {
        requireSize(size);
        Objects.requireNonNull(frontier, "frontier");
        int expected = Long.bitCount(size);
        if (frontier.size() != expected) {
            throw new IllegalArgumentException("frontier for size " + size + " must have " + expected
                    + " hashes, got " + frontier.size());
        }
        List<byte[]> copy = new ArrayList<>(expected);
        for (int i = 0; i < expected; i++) {
            byte[] hash = frontier.get(i);
            MerkleHash.requireHash(hash, "frontier hash " + i);
            copy.add(hash.clone());
        }
        return new RootAccumulator(size, copy, sink);
    }

    /** Appends the leaf with input {@code data}, hashed with {@link MerkleHash#leaf}. */
    public void addLeafData(byte[] data) {
        append(MerkleHash.leaf(data));
    }

    /**
     * Appends a leaf given its leaf hash (already {@link MerkleHash#leaf}-hashed).
     *
     * <p>The sink is called before the accumulator changes: if it throws, the leaf is not added and
     * the state is as before, so the caller may retry; nodes reported before the failure are then
     * reported again with the same hashes.
     *
     * @throws IllegalArgumentException if {@code leafHash} is not 32 bytes long
     * @throws IllegalStateException if the tree already holds {@code Long.MAX_VALUE} leaves
     */
    public void addLeafHash(byte[] leafHash) {
        MerkleHash.requireHash(leafHash, "leaf hash");
        append(leafHash.clone());
    }

    private void append(byte[] leafHash) {
        if (size == Long.MAX_VALUE) {
            throw new IllegalStateException("tree is full at " + size + " leaves");
        }
        // Each trailing 1-bit of size is a frontier subtree of the same level as the running hash,
        // immediately to its left: merge with it. The last frontier entry is the lowest level.
        int merges = Long.numberOfTrailingZeros(~size);
        int top = frontier.size();
        byte[] hash = leafHash;
        sink.completed(0, size, hash.clone());
        for (int level = 1; level <= merges; level++) {
            hash = MerkleHash.node(frontier.get(top - level), hash);
            sink.completed(level, size >> level, hash.clone());
        }
        frontier.subList(top - merges, top).clear();
        frontier.add(hash);
        size++;
    }

    /**
     * Appends a whole perfect subtree of {@code 2^level} leaves given its root, as if its leaves were
     * added one by one: the tree's size must be a multiple of {@code 2^level} (the subtree is then
     * aligned, as every node of the tree is).
     *
     * @throws IllegalArgumentException if the size is not a multiple of {@code 2^level}, the level is
     *     outside 0..62 or {@code root} is not 32 bytes long
     */
    public void addSubtree(int level, byte[] root) {
        if (level < 0 || level > 62) {
            throw new IllegalArgumentException("subtree level must be within 0..62, got " + level);
        }
        MerkleHash.requireHash(root, "subtree root");
        long leaves = 1L << level;
        if (size % leaves != 0) {
            throw new IllegalArgumentException("a subtree of " + leaves + " leaves cannot follow " + size
                    + " leaves: the size must be a multiple of " + leaves);
        }
        if (size > Long.MAX_VALUE - leaves) {
            throw new IllegalStateException("tree is full at " + size + " leaves");
        }
        long units = size >> level;
        int merges = Long.numberOfTrailingZeros(~units);
        int top = frontier.size();
        byte[] hash = root.clone();
        sink.completed(level, units, hash.clone());
        for (int up = 1; up <= merges; up++) {
            hash = MerkleHash.node(frontier.get(top - up), hash);
            sink.completed(level + up, units >> up, hash.clone());
        }
        frontier.subList(top - merges, top).clear();
        frontier.add(hash);
        size += leaves;
    }

    /** Number of leaves added so far (including those before a {@link #resume}). */
    public long size() {
        return size;
    }

    /** The RFC 9162 root of the current tree; {@link MerkleHash#emptyRoot()} if it is empty. */
    public byte[] root() {
        if (frontier.isEmpty()) {
            return MerkleHash.emptyRoot();
        }
        byte[] hash = frontier.get(frontier.size() - 1).clone();
        for (int i = frontier.size() - 2; i >= 0; i--) {
            hash = MerkleHash.node(frontier.get(i), hash);
        }
        return hash;
    }

    /** A copy of the frontier hashes, largest subtree first, at the positions of {@link #frontierPositions(long) frontierPositions(size())}. */
    public List<byte[]> frontier() {
        List<byte[]> copy = new ArrayList<>(frontier.size());
        for (byte[] hash : frontier) {
            copy.add(hash.clone());
        }
        return copy;
    }

    /**
     * The {@code (level, index)} positions of the frontier of a tree of {@code size} leaves, largest
     * subtree first: one {@code long[] {level, index}} per set bit {@code L} of {@code size}, with
     * {@code index = (size >> L) - 1}.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public static List<long[]> frontierPositions(long size) {
        requireSize(size);
        List<long[]> positions = new ArrayList<>(Long.bitCount(size));
        for (int level = 63 - Long.numberOfLeadingZeros(size); level >= 0; level--) {
            if ((size >> level & 1) != 0) {
                positions.add(new long[] {level, (size >> level) - 1});
            }
        }
        return positions;
    }

    private static void requireSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be non-negative, got " + size);
        }
    }
}
