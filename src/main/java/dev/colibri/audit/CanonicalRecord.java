package dev.colibri.audit;

import java.nio.charset.StandardCharsets;

/**
 * The canonical byte encoding of a thought record, the input of its HMAC. Fixed field order, each
 * field length-prefixed so no two records share an encoding:
 *
 * <pre>
 *   "colibri.thought.v1"          18 ASCII bytes, a version tag
 *   position                      8 bytes, unsigned big-endian
 *   kind, content, task_id, created_at
 *                                 each: 4-byte big-endian length, then the UTF-8 bytes;
 *                                 an absent task_id is the length 0xFFFFFFFF with no bytes
 * </pre>
 *
 * and {@code hash = HMAC-SHA256(key, prev_hash || canonical)} where {@code prev_hash} is the 32
 * raw bytes of the previous record's hash, or 32 zero bytes for position 0.
 */
public final class CanonicalRecord {

    static final byte[] TAG = "colibri.thought.v1".getBytes(StandardCharsets.US_ASCII);
    private static final int ABSENT = 0xFFFFFFFF;

    private CanonicalRecord() {
    }

    /** Encodes the hashed fields of a record. */
    public static byte[] encode(long position, String kind, String content, String taskId, String createdAt) {
        return encodeUtf8(position, utf8(kind), utf8(content), utf8(taskId), utf8(createdAt));
    }

    /**
     * Encodes the hashed fields given as their UTF-8 bytes (null for an absent field), exactly as
     * {@link #encode} does for the strings: the chain walk reads the stored UTF-8 bytes and skips
     * decoding them to strings and encoding them back.
     */
    static byte[] encodeUtf8(long position, byte[] kind, byte[] content, byte[] taskId, byte[] createdAt) {
        Writer w = new Writer();
        int n = w.encode(position, kind, content, taskId, createdAt);
        return java.util.Arrays.copyOf(w.buffer(), n);
    }

    /** Encodes records into one reusable buffer (no allocation per record once it has grown). */
    static final class Writer {

        private byte[] buffer = new byte[1024];

        /** Encodes a record as {@link #encodeUtf8} does into {@link #buffer()}; returns its length. */
        int encode(long position, byte[] kind, byte[] content, byte[] taskId, byte[] createdAt) {
            int n = TAG.length + 8 + 16 + length(kind) + length(content) + length(taskId) + length(createdAt);
            int at = start(position, n);
            at = field(buffer, at, kind, 0, size(kind));
            at = field(buffer, at, content, 0, size(content));
            at = field(buffer, at, taskId, 0, size(taskId));
            field(buffer, at, createdAt, 0, size(createdAt));
            return n;
        }

        /**
         * Encodes a record whose fields are slices of one array (a record as SQLite stores it):
         * {@code at} and {@code length} give kind, content, task id and created_at in that order,
         * a length of -1 for an absent task id. Returns the encoding's length in {@link #buffer()}.
         */
        int encode(long position, byte[] src, int[] at, int[] length) {
            int n = TAG.length + 8 + 16 + length[0] + length[1] + Math.max(length[2], 0) + length[3];
            int w = start(position, n);
            for (int i = 0; i < 4; i++) {
                w = field(buffer, w, src, at[i], length[i]);
            }
            return n;
        }

        /** Makes room for {@code n} bytes and writes the tag and the position; returns where the fields start. */
        private int start(long position, int n) {
            if (buffer.length < n) {
                buffer = new byte[Math.max(n, buffer.length * 2)];
            }
            System.arraycopy(TAG, 0, buffer, 0, TAG.length);
            int at = TAG.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                buffer[at++] = (byte) (position >>> shift);
            }
            return at;
        }

        byte[] buffer() {
            return buffer;
        }
    }

    private static byte[] utf8(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    private static int length(byte[] value) {
        return value == null ? 0 : value.length;
    }

    /** A field's length as encoded: ABSENT for none. */
    private static int size(byte[] value) {
        return value == null ? ABSENT : value.length;
    }

    /** Writes a field's 4-byte length ({@code length} ABSENT: none, and no bytes) and its bytes from {@code src}. */
    private static int field(byte[] out, int at, byte[] src, int offset, int length) {
        out[at] = (byte) (length >>> 24);
        out[at + 1] = (byte) (length >>> 16);
        out[at + 2] = (byte) (length >>> 8);
        out[at + 3] = (byte) length;
        if (length <= 0) {
            return at + 4;
        }
        System.arraycopy(src, offset, out, at + 4, length);
        return at + 4 + length;
    }
}
