package dev.colibri.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.backup.ProgressListener;
import dev.colibri.workspace.Workspace;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorePlanToolTest {

    @TempDir
    Path tmp;

    private final Clock clock = Clock.fixed(Instant.parse("2026-04-16T10:15:00Z"), ZoneOffset.UTC);

    private Colibri open() {
        return Colibri.open(new Workspace(tmp.resolve("ws"), null, tmp.resolve("keys").resolve("audit.key")), clock);
    }

    private static Tool tool(Colibri c) {
        return ColibriTools.all(c).stream().filter(t -> t.name().equals("restore_plan")).findFirst().orElseThrow();
    }

    private static void assertConforms(Map<String, Object> structured) {
        Map<String, Object> schema = new SchemaCatalog(McpJsonDefaults.getMapper()).output("restore_plan");
        JsonSchemaValidator.ValidationResponse r = McpJsonDefaults.getSchemaValidator().validate(schema, structured);
        assertTrue(r.valid(), r.errorMessage());
    }

    @Test
    void restorePlanIsReadOnlyIdempotentAndNotDestructive() {
        try (Colibri c = open()) {
            assertEquals(new Tool.Hints(true, false, true, false), tool(c).hints());
        }
    }

    @Test
    void restorePlanReturnsSchemaValidContentWithTheCandidate() throws Exception {
        try (Colibri c = open()) {
            c.audit().append("decision", "one", null);
            c.merkle().finalizeAndAnchor("r1");
            String name = c.backups().create("round", "r1", null, ProgressListener.none()).snapshot().name();
            c.audit().append("decision", "two", null);

            ToolResult r = ToolRegistry.run(tool(c), new Arguments(Map.of()), Progress.none());

            assertFalse(r.error(), r.text());
            assertConforms(r.structured());
            assertEquals(name, r.structured().get("candidate"));
            assertEquals(ProcessHandle.current().pid(), r.structured().get("server_pid"));
            @SuppressWarnings("unchecked")
            Map<String, Object> loss = (Map<String, Object>) r.structured().get("data_loss");
            assertEquals(1L, loss.get("records_after_snapshot"));
            assertEquals("restore from " + name + " (hot tier); records after the snapshot: 1; 9 steps, or with the server"
                    + " stopped: java -jar target/colibri.jar restore --snapshot " + name + " --yes", r.text());
        }
    }

    @Test
    void aSecondPlanReusesTheVerdictOnTheUnchangedCandidateAndSaysSo() throws Exception {
        try (Colibri c = open()) {
            c.audit().append("decision", "one", null);
            c.merkle().finalizeAndAnchor("r1");
            Path file = c.backups().create("round", "r1", null, ProgressListener.none()).snapshot().path();
            String name = file.getFileName().toString();
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(1))
                    .truncatedTo(ChronoUnit.SECONDS))); // taken an hour ago: its stat vouches for its bytes
            Thread.sleep(2_200); // past the memo's two-second window: the inode change time cannot be dated back

            ToolResult first = ToolRegistry.run(tool(c), new Arguments(Map.of()), Progress.none());
            ToolResult second = ToolRegistry.run(tool(c), new Arguments(Map.of()), Progress.none());

            assertConforms(first.structured());
            assertConforms(second.structured());
            assertEquals(false, first.structured().get("candidate_verdict_from_memory"));
            assertEquals("2026-04-16T10:15:00Z", first.structured().get("candidate_verified_at"));
            assertEquals(true, second.structured().get("candidate_verdict_from_memory"));
            assertEquals("2026-04-16T10:15:00Z", second.structured().get("candidate_verified_at"));
            assertEquals(1, c.verdicts().verificationsRun());
            assertEquals("restore from " + name + " (hot tier, its clean verdict of 2026-04-16T10:15:00Z reused: the file"
                    + " is unchanged); records after the snapshot: 0; 9 steps, or with the server stopped: java -jar"
                    + " target/colibri.jar restore --snapshot " + name + " --yes", second.text());
        }
    }

    @Test
    void restorePlanWithoutAnySnapshotIsAnErrorResultThatStillValidates() {
        try (Colibri c = open()) {
            ToolResult r = ToolRegistry.run(tool(c), new Arguments(Map.of()), Progress.none());

            assertTrue(r.error());
            assertConforms(r.structured());
            assertNull(r.structured().get("candidate"));
            assertNull(r.structured().get("candidate_verified_at"));
            assertNull(r.structured().get("candidate_verdict_from_memory"));
            assertEquals("no snapshot is safe to restore from (0 rejected): there is no snapshot to restore from: do not"
                    + " write to the live database; keep it as it is for root-cause analysis (no repair in place)", r.text());
        }
    }

    @Test
    void restorePlanRefusesAPathAsSnapshot() {
        try (Colibri c = open()) {
            ToolResult r = ToolRegistry.run(tool(c), new Arguments(Map.of("snapshot", "../../etc/passwd")), Progress.none());

            assertTrue(r.error());
            assertNull(r.structured());
            assertEquals("invalid arguments for restore_plan: snapshot \"../../etc/passwd\" is a path, not a name: names may"
                    + " not contain '/', '\\', '..' or NUL; use a name from backup_list such as colibri-r75-20260416.db",
                    r.text());
        }
    }

    /** Regression: probing the lock file from the server's own process dropped the server's OS lock. */
    @Test
    void restorePlanInsideTheServerKeepsTheWriterLock() throws Exception {
        try (Colibri c = open()) {
            ToolRegistry.run(tool(c), new Arguments(Map.of()), Progress.none());

            String child = otherProcessTriesTheLock(c.workspace().lockFile());

            long pid = ProcessHandle.current().pid();
            assertEquals("REFUSED cannot serve: the workspace is held by pid " + pid + " (lock " + c.workspace().lockFile()
                    + "); stop that process first (kill -INT " + pid + ")", child);
        }
    }

    @Test
    void restorePlanChangesNoFileButTheSharedMemoryIndex() throws Exception {
        try (Colibri c = open()) {
            c.audit().append("decision", "one", null);
            c.backups().create("round", "r1", null, ProgressListener.none());
            Path home = c.workspace().home();
            Map<Path, String> before = hashes(home);

            ToolRegistry.run(tool(c), new Arguments(Map.of()), Progress.none());

            Map<Path, String> after = hashes(home);
            // readers take read marks in the WAL index (-shm); that is SQLite's shared memory, not data
            before.remove(c.workspace().shm());
            after.remove(c.workspace().shm());
            assertEquals(before, after);
        }
    }

    private static String otherProcessTriesTheLock(Path lockFile) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), dev.colibri.workspace.LockProbe.class.getName(),
                lockFile.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe process did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    private static Map<Path, String> hashes(Path dir) throws Exception {
        Map<Path, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(p, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }
}
