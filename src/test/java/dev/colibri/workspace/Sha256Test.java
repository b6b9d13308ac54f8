package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

    @TempDir
    Path dir;

    @Test
    void emptyFileHasTheKnownDigest() throws IOException {
        Path file = Files.write(dir.resolve("empty"), new byte[0]);

        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.of(file));
    }

    @Test
    void fileLongerThanOneReadHashesAllOfIt() throws IOException {
        byte[] bytes = new byte[Sha256.BUFFER * 2 + 3];
        bytes[bytes.length - 1] = 1;
        Path file = Files.write(dir.resolve("big"), bytes);

        assertEquals(java.util.HexFormat.of().formatHex(Sha256.digest().digest(bytes)), Sha256.of(file));
    }

    @Test
    void missingFileIsAnIoError() {
        assertThrows(NoSuchFileException.class, () -> Sha256.of(dir.resolve("absent")));
    }
}
