package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {

    @TempDir
    Path tmp;

    private Path cwd() {
        return tmp.resolve("cwd");
    }

    private Path userHome() {
        return tmp.resolve("user");
    }

    private Workspace resolve(Map<String, String> env) {
        return Workspace.fromEnvironment(env, cwd(), userHome());
    }

    @Test
    void emptyEnvironmentFallsBackToWorkingDirectoryAndUserKeyAndNoColdTier() {
        Workspace ws = resolve(Map.of());

        assertEquals(cwd(), ws.home());
        assertNull(ws.coldDir());
        assertEquals(Optional.empty(), ws.cold());
        assertEquals(userHome().resolve(".config/colibri/audit.key"), ws.keyFile());
    }

    @Test
    void blankValuesCountAsUnset() {
        Map<String, String> env = new HashMap<>();
        env.put(Workspace.ENV_HOME, "");
        env.put(Workspace.ENV_COLD, "   ");
        env.put(Workspace.ENV_KEY, "\t");

        Workspace ws = resolve(env);

        assertEquals(cwd(), ws.home());
        assertNull(ws.coldDir());
        assertEquals(userHome().resolve(".config/colibri/audit.key"), ws.keyFile());
    }

    @Test
    void setValuesAreUsedTrimmedAndNormalized() {
        Path home = tmp.resolve("ws");
        Path cold = tmp.resolve("cold");
        Path key = tmp.resolve("keys").resolve("audit.key");
        Workspace ws = resolve(Map.of(
                Workspace.ENV_HOME, "  " + tmp.resolve("ws/sub/..") + "  ",
                Workspace.ENV_COLD, cold + " ",
                Workspace.ENV_KEY, " " + key));

        assertEquals(home, ws.home());
        assertEquals(cold, ws.coldDir());
        assertEquals(Optional.of(cold), ws.cold());
        assertEquals(key, ws.keyFile());
    }

    @Test
    void relativePathsBecomeAbsolute() {
        Workspace ws = new Workspace(Path.of("rel/./ws"), Path.of("rel/cold"), Path.of("k/../audit.key"));

        assertEquals(Path.of("rel/ws").toAbsolutePath(), ws.home());
        assertEquals(Path.of("rel/cold").toAbsolutePath(), ws.coldDir());
        assertEquals(Path.of("audit.key").toAbsolutePath(), ws.keyFile());
        assertTrue(ws.home().isAbsolute() && ws.coldDir().isAbsolute() && ws.keyFile().isAbsolute());
    }

    @Test
    void layoutFollowsTheContract() {
        Path home = tmp.resolve("ws");
        Workspace ws = new Workspace(home, null, tmp.resolve("audit.key"));

        assertEquals(home.resolve("data"), ws.dataDir());
        assertEquals(home.resolve("data/colibri.db"), ws.database());
        assertEquals(home.resolve("data/colibri.db-wal"), ws.wal());
        assertEquals(home.resolve("data/colibri.db-shm"), ws.shm());
        assertEquals(home.resolve("data/colibri.lock"), ws.lockFile());
        assertEquals(home.resolve("data/backups"), ws.backupsDir());
        assertEquals(home.resolve("docs"), ws.docsDir());
        assertEquals(home.resolve("docs/anchors.jsonl"), ws.anchorLog());
        assertEquals(home.resolve("docs/rounds"), ws.roundsDir());
    }

    @Test
    void prepareCreatesEveryDirectoryTheServerWritesTo() {
        Workspace ws = new Workspace(tmp.resolve("fresh/ws"), null, tmp.resolve("audit.key"));

        ws.prepare();
        ws.prepare(); // idempotent

        for (Path dir : new Path[] {ws.dataDir(), ws.backupsDir(), ws.docsDir(), ws.roundsDir()}) {
            assertTrue(Files.isDirectory(dir), dir + " was not created");
        }
        assertFalse(Files.exists(ws.database()), "prepare must not create the database");
    }

    @Test
    void prepareRefusesAHomeThatIsAFile() throws IOException {
        Path home = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Workspace ws = new Workspace(home, null, tmp.resolve("audit.key"));

        WorkspaceException e = assertThrows(WorkspaceException.class, ws::prepare);

        assertEquals("COLIBRI_HOME " + home + " is not a directory; point COLIBRI_HOME at a workspace folder",
                e.getMessage());
        assertEquals("x", Files.readString(home), "the file must be left alone");
    }

    @Test
    void prepareRefusesWhenDataIsAFileNamingThePathAndHome() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("ws"));
        Path data = Files.writeString(home.resolve("data"), "x");
        Workspace ws = new Workspace(home, null, tmp.resolve("audit.key"));

        WorkspaceException e = assertThrows(WorkspaceException.class, ws::prepare);

        assertEquals("cannot create " + data + " (" + data + "); check that COLIBRI_HOME " + home + " is writable",
                e.getMessage());
    }

    @Test
    void prepareRefusesAHomeBelowAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Path home = file.resolve("ws");
        Workspace ws = new Workspace(home, null, tmp.resolve("audit.key"));

        WorkspaceException e = assertThrows(WorkspaceException.class, ws::prepare);

        assertTrue(e.getMessage().startsWith("cannot create " + home.resolve("data") + " ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("); check that COLIBRI_HOME " + home + " is writable"), e.getMessage());
    }
}
