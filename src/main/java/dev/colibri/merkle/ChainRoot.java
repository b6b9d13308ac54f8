package dev.colibri.merkle;

import dev.colibri.audit.LeafSink;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Merkle root over the first {@code size} records, computed from the hashes a chain walk reads
 * (a {@link LeafSink}), so that verifying a snapshot reads its records once for both proofs. The
 * walk cuts the chain into ranges walked at the same time; each range is split into aligned perfect
 * subtrees (the largest power of two that starts at each position and fits), whose roots it computes
 * on its own thread, and {@link #result()} joins them in order: the same root as
 * {@link MerkleLog#recompute}, since every node of an RFC 9162 tree is such an aligned subtree.
 *
 * <p>Valid only when the walk read every record below {@code size} (a chain that verifies).
 */
public final class ChainRoot implements LeafSink {

    private static final HexFormat HEX = HexFormat.of();

    private final long size;
    private final List<Range> ranges = new ArrayList<>();

    /** @param size the leaves the root covers: the latest tree head's size */
    public ChainRoot(long size) {
        this.size = size;
    }

    @Override
    public Consumer<byte[]> range(long from, long to) {
        Range range = new Range(Math.min(from, size), Math.min(to, size));
        ranges.add(range);
        return range;
    }

    /** The root over the leaves the walk delivered (at most {@code size}), as {@link MerkleLog#recompute} reports it. */
    public MerkleLog.Recomputed result() {
        RootAccumulator acc = new RootAccumulator();
        for (Range range : ranges) {
            for (Subtree s : range.done) {
                acc.addSubtree(s.level(), s.root());
            }
            if (range.current != null && range.current.size() > 0) {
                // an incomplete last subtree: only when the walk stopped early, and then the result is unused
                return new MerkleLog.Recomputed(acc.size() + range.current.size(), HEX.formatHex(acc.root()));
            }
        }
        return new MerkleLog.Recomputed(acc.size(), HEX.formatHex(acc.root()));
    }

    private record Subtree(int level, byte[] root) {
    }

    /** One range's leaves, cut into aligned perfect subtrees. */
    private static final class Range implements Consumer<byte[]> {

        private final long end;
        private final List<Subtree> done = new ArrayList<>();
        private long position;
        private int level;
        private RootAccumulator current;

        Range(long from, long end) {
            this.position = from;
            this.end = end;
            next();
        }

        /** Starts the largest aligned perfect subtree at {@code position} that ends by {@code end}. */
        private void next() {
            if (position >= end) {
                current = null;
                return;
            }
            int k = position == 0 ? 62 : Long.numberOfTrailingZeros(position);
            while ((1L << k) > end - position) {
                k--;
            }
            level = k;
            current = new RootAccumulator();
        }

        @Override
        public void accept(byte[] hash) {
            if (current == null) {
                return; // beyond the tree head: not a leaf of this root
            }
            current.addLeafData(hash);
            if (current.size() == 1L << level) {
                done.add(new Subtree(level, current.root()));
                position += 1L << level;
                next();
            }
        }
    }
}
