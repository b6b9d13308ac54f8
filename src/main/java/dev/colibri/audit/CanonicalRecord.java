package dev.colibri.audit;

import java.io.ByteArrayOutputStream;
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + content.length());
        out.writeBytes(TAG);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (position >>> shift));
        }
        field(out, kind);
        field(out, content);
        field(out, taskId);
        field(out, createdAt);
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, String value) {
        if (value == null) {
            int32(out, ABSENT);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int32(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void int32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
