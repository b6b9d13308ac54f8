package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableTest {

    @TempDir
    Path dir;

    private List<String> temporaries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(Durable.TEMP_PREFIX)).toList();
        }
    }

    @Test
    void writeAtomicallyCreatesThenReplacesContentAndLeavesNoTemporary() throws IOException {
        Path target = dir.resolve("manifest.json");

        Durable.writeAtomically(target, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(target));

        Durable.writeAtomically(target, "second, longer".getBytes(StandardCharsets.UTF_8));
        assertEquals("second, longer", Files.readString(target));

        Durable.writeAtomically(target, new byte[0]);
        assertArrayEquals(new byte[0], Files.readAllBytes(target));

        assertEquals(List.of(), temporaries());
    }

    @Test
    void failedWriteAtomicallyKeepsTheTargetAndRemovesItsTemporary() throws IOException {
        Path target = Files.createDirectories(dir.resolve("occupied"));
        Files.writeString(target.resolve("inside"), "keep me");

        assertThrows(IOException.class, () -> Durable.writeAtomically(target, "x".getBytes(StandardCharsets.UTF_8)));

        assertEquals("keep me", Files.readString(target.resolve("inside")));
        assertEquals(List.of(), temporaries());
    }

    @Test
    void tempSiblingIsBesideTheTargetAndCarriesThePrefix() {
        Path target = dir.resolve("colibri.db");
        Path temp = Durable.tempSibling(target);

        assertEquals(dir, temp.getParent());
        assertTrue(temp.getFileName().toString().startsWith(Durable.TEMP_PREFIX + "colibri.db-"), temp.toString());
    }

    @Test
    void moveAtomicallyWithoutReplaceRefusesAnExistingTargetAndChangesNothing() throws IOException {
        Path source = Files.writeString(dir.resolve("new.db"), "new");
        Path target = Files.writeString(dir.resolve("old.db"), "old");

        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> Durable.moveAtomically(source, target, false));

        assertEquals(target + ": refusing to overwrite an existing file", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals("new", Files.readString(source));
    }

    @Test
    void moveAtomicallyWithoutReplaceMovesToAFreeName() throws IOException {
        Path source = Files.writeString(dir.resolve("a"), "content");
        Path target = dir.resolve("b");

        Durable.moveAtomically(source, target, false);

        assertFalse(Files.exists(source));
        assertEquals("content", Files.readString(target));
    }

    @Test
    void moveAtomicallyWithReplaceOverwrites() throws IOException {
        Path source = Files.writeString(dir.resolve("a"), "new");
        Path target = Files.writeString(dir.resolve("b"), "old");

        Durable.moveAtomically(source, target, true);

        assertFalse(Files.exists(source));
        assertEquals("new", Files.readString(target));
    }

    @Test
    void appendLineCreatesTheFileThenAppendsNewlineTerminatedLines() throws IOException {
        Path log = dir.resolve("anchors.jsonl");

        Durable.appendLine(log, "{\"seq\":1}");
        assertEquals("{\"seq\":1}\n", Files.readString(log));

        Durable.appendLine(log, "{\"seq\":2,\"note\":\"héllo\"}");
        assertEquals("{\"seq\":1}\n{\"seq\":2,\"note\":\"héllo\"}\n", Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void fsyncAndFsyncDirectoryAcceptExistingPaths() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");

        Durable.fsync(file);
        Durable.fsyncDirectory(dir);

        assertEquals("x", Files.readString(file));
    }
}
