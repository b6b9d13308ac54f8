package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.colibri.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultsTest {

    @TempDir
    Path tmp;
    Path home;
    Faults faults;

    @BeforeEach
    void setUp() throws Exception {
        home = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(home.resolve("data/backups"));
        ScratchWorkspace ws = new ScratchWorkspace(new Workspace(home, null, tmp.resolve("key")), tmp, Map.of());
        faults = new Faults(ws);
    }

    @Test
    void flipsExactlyTheBytesAskedFor() throws Exception {
        Path db = home.resolve("data/colibri.db");
        Files.write(db, new byte[] {0, 1, 2, 3, 4, 5});
        assertEquals("flipped 2 bytes at offset 3", faults.corrupt("data/colibri.db", 3, 2));
        assertArrayEquals(new byte[] {0, 1, 2, ~3, ~4, 5}, Files.readAllBytes(db));
    }

    @Test
    void staysInsideTheWorkspace() throws Exception {
        Files.writeString(tmp.resolve("outside.db"), "precious");
        assertEquals("../outside.db is not a relative path inside the workspace; refusing to touch it",
                assertThrows(IllegalStateException.class, () -> faults.corrupt("../outside.db", 0, 1)).getMessage());
        Files.createSymbolicLink(home.resolve("link.db"), tmp.resolve("outside.db"));
        assertEquals("link.db leads outside the workspace (a symbolic link); refusing to touch it",
                assertThrows(IllegalStateException.class, () -> faults.corrupt("link.db", 0, 1)).getMessage());
        assertEquals("no file data/none.db in the workspace " + home,
                assertThrows(IllegalStateException.class, () -> faults.corrupt("data/none.db", 0, 1)).getMessage());
        Files.write(home.resolve("small"), new byte[10]);
        assertEquals("small has 10 bytes; cannot flip 4 bytes at offset 8",
                assertThrows(IllegalStateException.class, () -> faults.corrupt("small", 8, 4)).getMessage());
        assertEquals("precious", Files.readString(tmp.resolve("outside.db")));
    }

    @Test
    void agesTheManifestAndTheFileTimes() throws Exception {
        Path backups = home.resolve("data/backups");
        Path snap = backups.resolve("colibri-r1-20261128.db");
        Files.writeString(snap, "db");
        Instant now = Instant.parse("2026-11-28T04:00:00.123Z");
        Files.setLastModifiedTime(snap, FileTime.from(now));
        Files.writeString(backups.resolve("colibri-r1-20261128.db.manifest.json"),
                "{\"name\": \"colibri-r1-20261128.db\", \"created_at\": \"2026-11-28T04:00:00.123Z\", \"size_bytes\": 2}");
        assertEquals("colibri-r1-20261128.db created_at 2026-11-18T04:00:00.123Z (10 days earlier)",
                faults.age("colibri-r1-20261128.db", 10));
        Object manifest = Json.parse(Files.readString(backups.resolve("colibri-r1-20261128.db.manifest.json")));
        assertEquals(Json.parse("{\"name\": \"colibri-r1-20261128.db\", \"created_at\": \"2026-11-18T04:00:00.123Z\","
                + " \"size_bytes\": 2}"), manifest);
        assertEquals(now.minus(Duration.ofDays(10)), Files.getLastModifiedTime(snap).toInstant());
        assertEquals("colibri-r1-20261128.db created_at 2026-11-17T16:00:00.123Z (0.5 days earlier)",
                faults.age("colibri-r1-20261128.db", 0.5));
    }

    @Test
    void refusesToAgeWhatIsNotASnapshotHere() {
        assertEquals("no snapshot colibri-r2-20261128.db in " + home.resolve("data/backups"),
                assertThrows(IllegalStateException.class, () -> faults.age("colibri-r2-20261128.db", 1)).getMessage());
        assertEquals("snapshot \"../colibri.db\" is a path, not a name: names may not contain '/', '\\', '..' or NUL;"
                + " use a name from backup_list such as colibri-r75-20260416.db",
                assertThrows(IllegalStateException.class, () -> faults.age("../colibri.db", 1)).getMessage());
    }
}
