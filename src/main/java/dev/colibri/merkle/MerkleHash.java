package dev.colibri.merkle;

import dev.colibri.workspace.Sha256;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * The SHA-256 Merkle Tree Hash of RFC 6962 §2.1 / RFC 9162 §2.1.1, as pure static functions.
 *
 * <ul>
 *   <li>leaf hash: {@code SHA-256(0x00 || data)};
 *   <li>interior node hash: {@code SHA-256(0x01 || left || right)}, where both children are
 *       {@value #HASH_LENGTH}-byte hashes;
 *   <li>root of the empty tree: {@code SHA-256()} of the empty string.
 * </ul>
 *
 * <p>The domain-separation prefixes make a leaf hash never equal to an interior node hash. Each thread
 * reuses one {@link MessageDigest}, reset before every use (looking a provider up per hash costs more
 * than hashing 64 bytes); calls never share one, so the class is safe to use from any thread.
 */
public final class MerkleHash {
    /** Length in bytes of every hash produced here. */
    public static final int HASH_LENGTH = 32;

    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private MerkleHash() {
    }

    /** Returns the leaf hash {@code SHA-256(0x00 || data)}. */
    public static byte[] leaf(byte[] data) {
        Objects.requireNonNull(data, "data");
        MessageDigest digest = sha256();
        digest.update(LEAF_PREFIX);
        digest.update(data);
        return digest.digest();
    }

    /**
     * Returns the interior node hash {@code SHA-256(0x01 || left || right)}.
     *
     * @throws IllegalArgumentException if either child is not {@value #HASH_LENGTH} bytes long
     */
    public static byte[] node(byte[] left, byte[] right) {
        requireHash(left, "left hash");
        requireHash(right, "right hash");
        MessageDigest digest = sha256();
        digest.update(NODE_PREFIX);
        digest.update(left);
        digest.update(right);
        return digest.digest();
    }

    /** Returns the root of the empty tree, {@code SHA-256} of the empty string. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /**
     * Reference Merkle Tree Hash of a list of leaf inputs, computed literally from the recursive
     * definition of RFC 9162 §2.1.1: for {@code n > 1} leaves, split at the largest power of two
     * {@code k < n} and return {@code node(MTH(D[0:k]), MTH(D[k:n]))}.
     *
     * <p>This costs O(n) hashing and O(log n) stack and is meant as a test oracle; use
     * {@link RootAccumulator} for growing logs.
     */
    public static byte[] root(List<byte[]> leafData) {
        Objects.requireNonNull(leafData, "leafData");
        return leafData.isEmpty() ? emptyRoot() : subtreeRoot(leafData, 0, leafData.size());
    }

    private static byte[] subtreeRoot(List<byte[]> leafData, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaf(leafData.get(from));
        }
        int split = Integer.highestOneBit(n - 1); // largest power of two strictly less than n
        return node(subtreeRoot(leafData, from, from + split), subtreeRoot(leafData, from + split, to));
    }

    /**
     * Checks that {@code hash} is a {@value #HASH_LENGTH}-byte array.
     *
     * @throws IllegalArgumentException "{@code <what> must be 32 bytes, got <n>}"
     */
    static void requireHash(byte[] hash, String what) {
        Objects.requireNonNull(hash, what);
        if (hash.length != HASH_LENGTH) {
            throw new IllegalArgumentException(what + " must be " + HASH_LENGTH + " bytes, got " + hash.length);
        }
    }

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Sha256::digest);

    private static MessageDigest sha256() {
        MessageDigest digest = DIGEST.get();
        digest.reset();
        return digest;
    }
}
