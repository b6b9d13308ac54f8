package dev.colibri.audit;

import java.util.function.Consumer;

/**
 * Receives the hashes of the records a chain walk reads, range by range, so that a Merkle root can
 * be computed in the same pass over the records instead of a second one.
 */
public interface LeafSink {

    /** A sink that ignores every hash. */
    LeafSink NONE = (from, to) -> hash -> { };

    /**
     * The consumer of the hashes of positions {@code [from, to)}, fed in position order by the one
     * thread that walks that range. Called once per range, in range order, before any walking starts.
     * Hashes stop at the first record the walk finds bad.
     */
    Consumer<byte[]> range(long from, long to);
}
