package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchFilesTest {

    @TempDir
    Path dir;

    private void touch(String... names) throws IOException {
        for (String name : names) {
            Files.writeString(dir.resolve(name), "x");
        }
    }

    private Set<String> all() throws IOException {
        return BenchFiles.list(dir, "*");
    }

    @Test
    void listsSnapshotsSortedAndNothingForAMissingFolder() throws IOException {
        touch("colibri-b.db", "colibri-a.db", "colibri-a.db.manifest.json", "notes.txt");
        assertEquals(List.of("colibri-a.db", "colibri-b.db"), List.copyOf(BenchFiles.snapshotsIn(dir)));
        assertEquals(Set.of(), BenchFiles.snapshotsIn(dir.resolve("absent")));
    }

    @Test
    void cleaningRemovesOnlyTheBenchmarksSnapshotsAndTheirManifests() throws IOException {
        touch("colibri-old.db", "colibri-old.db.manifest.json", "colibri-new.db", "colibri-new.db.manifest.json",
                "colibri-kept.db", "colibri-kept.db.manifest.json", "notes.txt");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BenchFiles.cleanBackups(dir, Set.of("colibri-old.db"), List.of("colibri-kept.db"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(List.of("colibri-kept.db", "colibri-kept.db.manifest.json", "colibri-old.db",
                "colibri-old.db.manifest.json", "notes.txt"), List.copyOf(all()));
        assertEquals("", log.toString(StandardCharsets.UTF_8));
        BenchFiles.cleanBackups(dir, Set.of("colibri-old.db"), null, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(List.of("colibri-old.db", "colibri-old.db.manifest.json", "notes.txt"), List.copyOf(all()));
    }

    @Test
    void deletesATreeAndToleratesNone() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(tree.resolve("f"), "x");
        BenchFiles.deleteTree(dir.resolve("a"));
        assertFalse(Files.exists(dir.resolve("a")));
        BenchFiles.deleteTree(dir.resolve("a"));
        BenchFiles.deleteTree(null);
    }
}
