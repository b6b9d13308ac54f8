package dev.colibri.merkle;

import java.util.Objects;

/**
 * Strict lower-case hexadecimal encoding for hashes.
 *
 * <p>{@link #encode(byte[])} always produces lower-case digits, two per byte. {@link #decode(String)}
 * accepts exactly that form and nothing else: an odd number of characters, or any character outside
 * {@code 0-9a-f} (including upper-case {@code A-F}), is rejected. Each hash therefore has exactly
 * one textual form, and {@code encode(decode(s)).equals(s)} holds for every accepted {@code s}.
 * Positions in error messages are 0-based character indices.
 */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    /** Encodes {@code bytes} as lower-case hex, two characters per byte. */
    public static String encode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /**
     * Decodes strict lower-case hex.
     *
     * @throws IllegalArgumentException if {@code hex} has odd length or contains a character outside
     *     {@code 0-9a-f}; the message names the offending position
     */
    public static byte[] decode(String hex) {
        Objects.requireNonNull(hex, "hex");
        int length = hex.length();
        if (length % 2 != 0) {
            throw new IllegalArgumentException(
                    "hex string has odd length " + length + ": incomplete byte at position " + (length - 1));
        }
        byte[] out = new byte[length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((digit(hex, 2 * i) << 4) | digit(hex, 2 * i + 1));
        }
        return out;
    }

    private static int digit(String hex, int position) {
        char c = hex.charAt(position);
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        throw new IllegalArgumentException("invalid hex character '" + c + "' at position " + position
                + " (expected 0-9 or a-f)");
    }
}
