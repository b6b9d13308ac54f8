package dev.colibri.cli;

import static dev.colibri.testing.ServerSession.structured;
import static dev.colibri.testing.ServerSession.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.testing.ServerSession;
import dev.colibri.testing.TestWorkspace;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code colibri restore}: the read-only plan (even while a server runs) and the offline restore. */
class RestoreCliIT {

    @TempDir
    Path tmp;
    TestWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        ws = TestWorkspace.in(tmp);
    }

    private ColibriProcess colibri(String... args) throws Exception {
        return ColibriProcess.run(tmp, ws.env(), args);
    }

    /** Seals round r1 over two records and returns its snapshot's name. */
    private static String seal(ServerSession s) {
        for (int i = 0; i < 2; i++) {
            assertFalse(s.call("thought_record_append", Map.of("kind", "note", "content", "record " + i)).isError());
        }
        McpSchema.CallToolResult sealed = s.call("round_seal", Map.of("round", "r1"));
        assertFalse(sealed.isError(), text(sealed));
        return (String) ((Map<?, ?>) structured(sealed).get("snapshot")).get("name");
    }

    @Test
    void thePlanIsReadOnlyAndWorksWhileTheServerRunsButTheRestoreRefuses() throws Exception {
        try (ServerSession server = ServerSession.start(ws)) {
            String snap = seal(server);
            long pid = server.process().orElseThrow().pid();

            ColibriProcess plan = colibri("restore", "--json");
            assertEquals(0, plan.exitCode(), plan.toString());
            Map<String, Object> p = plan.json();
            assertEquals(snap, p.get("candidate"));
            assertEquals(pid, ((Number) p.get("server_pid")).longValue());
            assertFalse(((List<?>) p.get("steps")).isEmpty());

            ColibriProcess human = colibri("restore", "--snapshot", snap);
            assertEquals(0, human.exitCode(), human.toString());
            assertEquals("restore from " + snap + " (hot tier)", human.stdout().lines().findFirst().orElse(""));
            assertTrue(human.stdout().contains("the workspace is held by pid " + pid), human.stdout());

            ColibriProcess refused = colibri("restore", "--snapshot", snap, "--yes", "--json");
            assertEquals(2, refused.exitCode(), refused.toString());
            assertEquals("", refused.stdout());
            assertTrue(refused.stderr().contains("cannot restore: the workspace is held by pid " + pid),
                    refused.stderr());
        }
    }

    @Test
    void restoreWithYesPutsTheSnapshotBackAndKeepsTheOriginal() throws Exception {
        String snap;
        try (ServerSession server = ServerSession.start(ws)) {
            snap = seal(server);
            assertFalse(server.call("thought_record_append", Map.of("kind", "note", "content", "lost")).isError());
        }
        ColibriProcess restore = colibri("restore", "--snapshot", snap, "--yes", "--json");
        assertEquals(0, restore.exitCode(), restore.toString());
        Map<String, Object> r = restore.json();
        assertEquals(Boolean.TRUE, r.get("ok"));
        assertEquals(snap, r.get("snapshot"));
        assertEquals(1, ((Number) r.get("records_lost")).intValue());
        assertEquals("ok", ((Map<?, ?>) r.get("audit_chain")).get("status"));
        assertEquals(2, ((Number) ((Map<?, ?>) r.get("audit_chain")).get("length")).intValue());
        assertTrue(Files.isRegularFile(ws.home().resolve((String) r.get("broken_file"))), restore.stdout());
        assertTrue(((List<?>) r.get("steps")).stream().map(s -> ((Map<?, ?>) s).get("name")).toList()
                .containsAll(List.of("verify", "copy", "move_aside", "put_in_place", "recheck")), restore.stdout());

        try (ServerSession server = ServerSession.start(ws)) {
            McpSchema.CallToolResult chain = server.call("audit_verify_chain", Map.of());
            assertEquals("ok", structured(chain).get("status"), text(chain));
            assertEquals(3, ((Number) structured(chain).get("length")).intValue(), "the restore record is appended");
        }
    }

    @Test
    void withNothingToRestoreFromThePlanExitsOne() throws Exception {
        assertEquals(0, colibri("audit", "verify").exitCode(), "opening the workspace once creates it and its key");
        ColibriProcess plan = colibri("restore", "--json");
        assertEquals(1, plan.exitCode(), plan.toString());
        assertNull(plan.json().get("candidate"));
        ColibriProcess restore = colibri("restore", "--yes");
        assertEquals(1, restore.exitCode(), restore.toString());
        assertTrue(restore.stdout().startsWith("NOT restored"), restore.stdout());
        assertTrue(restore.stderr().contains("colibri: restore step verify failed: there is no snapshot to restore from"),
                restore.stderr());
    }
}
