package dev.colibri.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.colibri.mcp.BoundedLineReader.NotUtf8;
import dev.colibri.mcp.BoundedLineReader.Oversized;
import dev.colibri.mcp.BoundedLineReader.Text;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoundedLineReaderTest {

    @Test
    void splitsOnNewlineStripsCarriageReturnAndKeepsFinalUnterminatedLine() throws IOException {
        BoundedLineReader reader = reader("a\r\n\nb\rc\nlast", 100);
        assertEquals(new Text("a"), reader.next());
        assertEquals(new Text(""), reader.next());
        assertEquals(new Text("b\rc"), reader.next());
        assertEquals(new Text("last"), reader.next());
        assertNull(reader.next());
        assertNull(reader.next());
    }

    @Test
    void decodesMultiByteCharactersArrivingOneByteAtATime() throws IOException {
        byte[] bytes = "héllo €\n".getBytes(StandardCharsets.UTF_8);
        BoundedLineReader reader = new BoundedLineReader(new OneByteAtATime(bytes), 100);
        assertEquals(new Text("héllo €"), reader.next());
    }

    @Test
    void reportsInvalidUtf8WithoutThrowing() throws IOException {
        BoundedLineReader reader = new BoundedLineReader(
                new ByteArrayInputStream(new byte[] {(byte) 0xC3, 0x28, '\n', 'o', 'k', '\n'}), 100);
        assertEquals(new NotUtf8(2), reader.next());
        assertEquals(new Text("ok"), reader.next());
    }

    @Test
    void acceptsExactlyTheCapAndRejectsOneByteMore() throws IOException {
        String atCap = "x".repeat(10);
        BoundedLineReader reader = reader(atCap + "\r\n" + atCap + "y\n" + "next\n", 10);
        assertEquals(new Text(atCap), reader.next());
        assertEquals(new Oversized(11), reader.next());
        assertEquals(new Text("next"), reader.next());
    }

    /** A line longer than any Java array can hold can only be measured if it is discarded as it streams. */
    @Test
    void discardsLineLargerThanAnyBufferWhileItStreams() throws IOException {
        long huge = Integer.MAX_VALUE + 100_000_000L;
        BoundedLineReader reader = new BoundedLineReader(new GeneratedLine(huge, "after\n"), 1024);
        assertEquals(new Oversized(huge), reader.next());
        assertEquals(new Text("after"), reader.next());
        assertNull(reader.next());
    }

    private static BoundedLineReader reader(String input, int cap) {
        return new BoundedLineReader(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), cap);
    }

    /** Delivers its bytes one per read call, like a slow pipe. */
    private static final class OneByteAtATime extends InputStream {

        private final byte[] bytes;
        private int pos;

        OneByteAtATime(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int next = read();
            if (next < 0) {
                return -1;
            }
            b[off] = (byte) next;
            return 1;
        }
    }

    /** {@code length} bytes of 'x' and a newline, then {@code tail}, generated without storing them. */
    private static final class GeneratedLine extends InputStream {

        private final long length;
        private final byte[] tail;
        private long produced;
        private int tailPos;

        GeneratedLine(long length, String tail) {
            this.length = length;
            this.tail = ("\n" + tail).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (produced < length) {
                int n = (int) Math.min(len, length - produced);
                Arrays.fill(b, off, off + n, (byte) 'x');
                produced += n;
                return n;
            }
            if (tailPos == tail.length) {
                return -1;
            }
            int n = Math.min(len, tail.length - tailPos);
            System.arraycopy(tail, tailPos, b, off, n);
            tailPos += n;
            return n;
        }
    }
}
