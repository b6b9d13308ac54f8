package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupMeasurementsTest {

    @TempDir
    Path project;

    private Path jar() throws IOException {
        Path jar = Files.createDirectories(project.resolve("target")).resolve("colibri.jar");
        Files.writeString(jar, "jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-11-28T05:00:00Z")));
        return jar;
    }

    private Path script(String permissions) throws IOException {
        Path script = Files.createDirectories(project.resolve("bin")).resolve("colibri");
        Files.writeString(script, "#!/usr/bin/env bash\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString(permissions));
        return script;
    }

    @Test
    void theLauncherIsBinColibriOfTheProjectTheJarWasBuiltIn() throws IOException {
        Path jar = jar();
        assertNull(StartupMeasurements.launcher(jar));
        assertNull(StartupMeasurements.launcher(null));
        Path script = script("rwxr-xr-x");
        assertEquals(script, StartupMeasurements.launcher(jar));
    }

    @Test
    void theScriptIsSpawnedItselfAsAClientWouldSpawnIt() throws IOException {
        Path script = script("rwxr-xr-x");
        assertEquals(List.of(script.toString()), StartupMeasurements.launcherCommand(script));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of("bash", script.toString()), StartupMeasurements.launcherCommand(script));
    }

    @Test
    void theArchiveCountsOnlyWhenTheScriptWouldUseIt() throws IOException {
        Path jar = jar();
        assertEquals("bin/colibri WITHOUT (run bin/build-cds) the AppCDS archive target/colibri.jsa; flags: see the script",
                StartupMeasurements.archiveNote(jar));
        Path jsa = jar.resolveSibling("colibri.jsa");
        Files.writeString(jsa, "archive");
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.parse("2026-11-28T05:00:01Z")));
        assertEquals("bin/colibri with the AppCDS archive target/colibri.jsa; flags: see the script",
                StartupMeasurements.archiveNote(jar));
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.parse("2026-11-28T05:00:00Z")));
        assertEquals("bin/colibri WITHOUT (older than the jar: run bin/build-cds) the AppCDS archive"
                + " target/colibri.jsa; flags: see the script", StartupMeasurements.archiveNote(jar));
    }

    @Test
    void theRowsLabelsAreTheDocumentedOnes() {
        assertEquals("cold start: spawn `java -jar colibri.jar` to tools/list answered", StartupMeasurements.COLD_START);
        assertEquals("cold start via bin/colibri (AppCDS + launcher flags)", StartupMeasurements.COLD_START_LAUNCHER);
        assertEquals("  floor: the MCP SDK's own stdio server, one tool, same launcher", StartupMeasurements.BARE_SDK_START);
    }
}
