package dev.colibri.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into {@code '\n'}-terminated UTF-8 lines while holding at most
 * {@code maxLineBytes + 1} bytes of any one line in memory.
 *
 * <p>A line longer than the cap is not buffered: its surplus bytes are counted and dropped as they
 * stream past, and the caller gets an {@link Oversized} marker instead. A trailing {@code '\r'} is
 * stripped; a final line without {@code '\n'} before end of stream is still returned. Not thread-safe:
 * one reader thread owns an instance.
 */
final class BoundedLineReader {

    /** One framed line of input. */
    sealed interface Line permits Text, NotUtf8, Oversized {
    }

    /** A line that decoded cleanly as UTF-8 (may be blank). */
    record Text(String text) implements Line {
    }

    /** A line whose bytes are not valid UTF-8. */
    record NotUtf8(int length) implements Line {
    }

    /** A line longer than the cap; {@code length} is its full size in bytes, none of which were kept. */
    record Oversized(long length) implements Line {
    }

    private static final int CHUNK_BYTES = 8192;
    private static final int INITIAL_LINE_CAPACITY = 1024;
    private static final int RETAINED_LINE_CAPACITY = 64 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private int chunkPos;
    private int chunkLen;
    private boolean endOfStream;

    private byte[] line = new byte[INITIAL_LINE_CAPACITY];
    private int kept;
    private long seen;
    private byte lastByte;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes <= 0 || maxLineBytes >= Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxLineBytes out of range: " + maxLineBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads the next line, blocking until one is complete.
     *
     * @return the line, or {@code null} once the stream has ended and no partial line is left
     */
    Line next() throws IOException {
        startLine();
        while (true) {
            if (chunkPos == chunkLen && !fillChunk()) {
                return seen == 0 ? null : finishLine();
            }
            int newline = indexOfNewline();
            int end = newline < 0 ? chunkLen : newline;
            append(chunkPos, end - chunkPos);
            chunkPos = newline < 0 ? chunkLen : newline + 1;
            if (newline >= 0) {
                return finishLine();
            }
        }
    }

    private void startLine() {
        kept = 0;
        seen = 0;
        lastByte = 0;
        if (line.length > RETAINED_LINE_CAPACITY) {
            line = new byte[INITIAL_LINE_CAPACITY];
        }
    }

    private boolean fillChunk() throws IOException {
        if (endOfStream) {
            return false;
        }
        int n = in.read(chunk, 0, chunk.length);
        while (n == 0) {
            n = in.read(chunk, 0, chunk.length);
        }
        if (n < 0) {
            endOfStream = true;
            return false;
        }
        chunkPos = 0;
        chunkLen = n;
        return true;
    }

    private int indexOfNewline() {
        for (int i = chunkPos; i < chunkLen; i++) {
            if (chunk[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Keeps bytes up to the cap (plus one for a possible '\r'); beyond that only counts them. */
    private void append(int from, int count) {
        if (count == 0) {
            return;
        }
        seen += count;
        lastByte = chunk[from + count - 1];
        int room = maxLineBytes + 1 - kept;
        int keep = Math.min(count, Math.max(room, 0));
        if (keep > 0) {
            ensureCapacity(kept + keep);
            System.arraycopy(chunk, from, line, kept, keep);
            kept += keep;
        }
    }

    private void ensureCapacity(int needed) {
        if (needed > line.length) {
            int grown = Math.max(needed, Math.min(line.length * 2, maxLineBytes + 1));
            line = Arrays.copyOf(line, grown);
        }
    }

    private Line finishLine() {
        long length = lastByte == '\r' ? seen - 1 : seen;
        if (length > maxLineBytes) {
            return new Oversized(length);
        }
        return decode((int) length);
    }

    private Line decode(int length) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length))
                    .toString();
            return new Text(text);
        } catch (CharacterCodingException e) {
            return new NotUtf8(length);
        }
    }
}
