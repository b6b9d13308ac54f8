package dev.colibri.audit;

import dev.colibri.workspace.Sha256;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) over the JDK's SHA-256 digest. {@code javax.crypto.Mac} gives the same
 * bytes (the tests compare them, and check RFC 4231's vectors), but its first use sets up the whole
 * JCE, crypto policy files and security providers included: 35 ms more than the digest alone in a
 * fresh JVM here, up to 0.1 s of a server's busy start-up, for a construction that is two digests.
 * Not thread-safe: one instance per thread or per verification; after {@link #doFinal()} it is
 * ready for the next message under the same key.
 */
final class HmacSha256 {

    static final int LENGTH = 32;
    private static final int BLOCK = 64;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;

    private final MessageDigest inner = Sha256.digest();
    private final MessageDigest outer = Sha256.digest();
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];

    /** @param key the key; one longer than a block is hashed first, as RFC 2104 says */
    HmacSha256(byte[] key) {
        byte[] k = key.length > BLOCK ? Sha256.digest().digest(key) : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ IPAD);
            outerPad[i] = (byte) (b ^ OPAD);
        }
        if (k != key) {
            Arrays.fill(k, (byte) 0);
        }
        inner.update(innerPad);
    }

    void update(byte[] bytes) {
        inner.update(bytes);
    }

    void update(byte[] bytes, int offset, int length) {
        inner.update(bytes, offset, length);
    }

    /** The tag of everything given since the last call (or since construction); starts the next message. */
    byte[] doFinal() {
        byte[] innerHash = inner.digest();
        inner.update(innerPad);
        outer.update(outerPad);
        outer.update(innerHash);
        return outer.digest();
    }

    /** {@link #update(byte[])} then {@link #doFinal()}. */
    byte[] doFinal(byte[] last) {
        inner.update(last);
        return doFinal();
    }
}
