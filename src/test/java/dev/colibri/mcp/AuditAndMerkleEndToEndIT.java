package dev.colibri.mcp;

import static dev.colibri.testing.ServerSession.structured;
import static dev.colibri.testing.ServerSession.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.testing.ServerLauncher;
import dev.colibri.testing.ServerSession;
import dev.colibri.testing.TestWorkspace;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real server over stdio: writes, seals, tampering seen through the tools, the single-writer lock. */
class AuditAndMerkleEndToEndIT {

    @TempDir
    java.nio.file.Path tmp;
    TestWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        ws = TestWorkspace.in(tmp);
    }

    private static void appendRecords(ServerSession s, int n) {
        for (int i = 0; i < n; i++) {
            McpSchema.CallToolResult r = s.call("thought_record_append", Map.of("kind", "decision", "content", "step " + i));
            assertFalse(r.isError(), text(r));
            assertEquals((long) i, ((Number) structured(r).get("position")).longValue());
        }
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.database());
                Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.executeUpdate(statement);
        }
    }

    @Test
    void listsEveryContractToolWithSchemasAndAllFourAnnotations() {
        try (ServerSession s = ServerSession.start(ws)) {
            List<McpSchema.Tool> tools = s.client().listTools().tools();
            Set<String> names = tools.stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
            assertTrue(names.containsAll(Set.of("task_upsert", "thought_record_append", "audit_verify_chain",
                    "merkle_finalize", "merkle_root", "round_seal", "backup_create", "backup_verify")), names.toString());
            for (McpSchema.Tool t : tools) {
                assertNotNull(t.inputSchema(), t.name());
                assertNotNull(t.outputSchema(), t.name());
                assertNotNull(t.annotations().readOnlyHint(), t.name());
                assertNotNull(t.annotations().destructiveHint(), t.name());
                assertNotNull(t.annotations().idempotentHint(), t.name());
                assertNotNull(t.annotations().openWorldHint(), t.name());
            }
        }
    }

    @Test
    void writesFinalizesAndVerifiesAgainstTheAnchorLog() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            McpSchema.CallToolResult task = s.call("task_upsert", Map.of("id", "P0.1", "status", "in_progress", "progress", 40));
            assertFalse(task.isError(), text(task));
            assertEquals("in_progress", ((Map<?, ?>) structured(task).get("task")).get("status"));
            appendRecords(s, 5);
            McpSchema.CallToolResult fin = s.call("merkle_finalize", Map.of("round", "r1"));
            assertEquals(Boolean.TRUE, structured(fin).get("anchored"), text(fin));
            assertEquals(5, ((Number) structured(fin).get("size")).intValue());
            McpSchema.CallToolResult root = s.call("merkle_root", Map.of());
            assertEquals("match", ((Map<?, ?>) structured(root).get("anchor")).get("status"), text(root));
            assertEquals(structured(fin).get("root"), structured(root).get("root"));
            McpSchema.CallToolResult chain = s.call("audit_verify_chain", Map.of());
            assertEquals("ok", structured(chain).get("status"));
            assertEquals(5, ((Number) structured(chain).get("length")).intValue());
        }
        String anchors = Files.readString(ws.home().resolve("docs/anchors.jsonl"), StandardCharsets.UTF_8);
        assertTrue(anchors.contains("\"size\":5"), anchors);
    }

    @Test
    void editedRecordIsReportedAtItsExactPosition() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            appendRecords(s, 8);
            sql("UPDATE thought_records SET content = 'rewritten' WHERE position = 3");
            McpSchema.CallToolResult r = s.call("audit_verify_chain", Map.of());
            assertTrue(r.isError());
            assertEquals("broken", structured(r).get("status"));
            assertEquals(3, ((Number) structured(r).get("break_at")).intValue());
        }
    }

    @Test
    void deletedReorderedAndForgedRecordsAreEachCaughtWhereTheyHappen() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            appendRecords(s, 10);
            sql("UPDATE thought_records SET hash = zeroblob(32) WHERE position = 8");
            assertEquals(8, breakAt(s));
            sql("UPDATE thought_records SET content = CASE position WHEN 5 THEN 'step 6' ELSE 'step 5' END"
                    + " WHERE position IN (5, 6)");
            assertEquals(5, breakAt(s));
            sql("DELETE FROM thought_records WHERE position = 2");
            assertEquals(2, breakAt(s));
        }
    }

    private static int breakAt(ServerSession s) {
        McpSchema.CallToolResult r = s.call("audit_verify_chain", Map.of());
        assertEquals("broken", structured(r).get("status"), text(r));
        return ((Number) structured(r).get("break_at")).intValue();
    }

    @Test
    void recordsDeletedFromTheTailShowAsAnAnchorMismatch() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            appendRecords(s, 6);
            assertFalse(s.call("merkle_finalize", Map.of()).isError());
            sql("DELETE FROM thought_records WHERE position >= 4");
            McpSchema.CallToolResult chain = s.call("audit_verify_chain", Map.of());
            assertEquals("ok", structured(chain).get("status"), "a tail cut leaves a valid shorter chain");
            McpSchema.CallToolResult root = s.call("merkle_root", Map.of());
            assertTrue(root.isError());
            assertEquals("mismatch", ((Map<?, ?>) structured(root).get("anchor")).get("status"), text(root));
        }
    }

    @Test
    void aSecondServerOnTheSameWorkspaceIsRefusedNamingThePid() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            long pid = s.process().orElseThrow().pid();
            ProcessBuilder pb = new ProcessBuilder(ServerLauncher.command("serve"));
            pb.environment().putAll(ws.env());
            Process second = pb.start();
            second.getOutputStream().close();
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            String err = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertNotEquals(0, second.exitValue());
            assertTrue(err.contains("held by pid " + pid), err);
            assertEquals("", out, "nothing but JSON-RPC may reach stdout");
        }
    }

    @Test
    void badArgumentsAreErrorResultsAndTheServerKeepsServing() {
        try (ServerSession s = ServerSession.start(ws)) {
            McpSchema.CallToolResult r = s.call("task_upsert", Map.of("id", "A", "progress", 101));
            assertTrue(r.isError());
            McpSchema.CallToolResult dep = s.call("task_upsert", Map.of("id", "B", "deps", List.of("nope")));
            assertTrue(dep.isError());
            assertTrue(text(dep).contains("dep \"nope\" names no task"), text(dep));
            for (String bad : List.of("../colibri.db", "/etc/passwd", "a\\b", "x\0.db", "colibri-r1-2026.db", "z".repeat(10_000))) {
                McpSchema.CallToolResult v = s.call("backup_verify", Map.of("snapshot", bad));
                assertTrue(v.isError(), bad);
            }
            McpSchema.CallToolResult ok = s.call("task_upsert", Map.of("id", "A"));
            assertFalse(ok.isError(), text(ok));
        }
    }
}
