package dev.colibri.mcp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one JSON document per line. Each line is encoded up front and written with a single
 * {@code write} + {@code flush} under a lock, so messages sent from concurrent request handlers
 * can never interleave their bytes.
 */
final class JsonLineWriter {

    private final OutputStream out;
    private final Object lock = new Object();

    JsonLineWriter(OutputStream out) {
        this.out = out;
    }

    void writeLine(String json) throws IOException {
        if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
            // Only a pretty-printing mapper could do this; it would break the one-message-per-line framing.
            throw new IOException("Refusing to write a JSON message that spans several lines");
        }
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] framed = Arrays.copyOf(body, body.length + 1);
        framed[body.length] = '\n';
        synchronized (lock) {
            out.write(framed);
            out.flush();
        }
    }
}
