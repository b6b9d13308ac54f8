package dev.colibri.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Real byte corruption for tests: one byte inverted in place, the file's size unchanged. */
public final class ByteFlip {

    private ByteFlip() {
    }

    /** Inverts the byte in the middle of {@code file} (a write through the file system: its times move). */
    public static void middleOf(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xFF);
        }
    }
}
