package dev.colibri.mcp;

import static dev.colibri.testing.ServerSession.structured;
import static dev.colibri.testing.ServerSession.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.testing.ByteFlip;
import dev.colibri.testing.ServerSession;
import dev.colibri.testing.TestWorkspace;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots through the real server: under a busy foreign writer, and rejected when damaged. */
class BackupEndToEndIT {

    @TempDir
    Path tmp;
    TestWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        ws = TestWorkspace.in(tmp);
    }

    private static void seed(ServerSession s, int records) {
        for (int i = 0; i < records; i++) {
            assertFalse(s.call("thought_record_append", Map.of("kind", "note", "content", "record " + i)).isError());
        }
        McpSchema.CallToolResult fin = s.call("merkle_finalize", Map.of("round", "r1"));
        assertFalse(fin.isError(), text(fin));
    }

    private static Map<String, Object> snapshotOf(McpSchema.CallToolResult r) {
        assertFalse(r.isError(), text(r));
        @SuppressWarnings("unchecked")
        Map<String, Object> snap = (Map<String, Object>) structured(r).get("snapshot");
        return snap;
    }

    private static Map<String, String> checks(McpSchema.CallToolResult verify) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checks = (List<Map<String, Object>>) structured(verify).get("checks");
        Map<String, String> byName = new java.util.LinkedHashMap<>();
        checks.forEach(c -> byName.put((String) c.get("name"), (String) c.get("status")));
        return byName;
    }

    @Test
    void backupUnderAForeignWriterFinishesWithEveryRowCommittedBeforeItStarted() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            seed(s, 50);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong committed = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.database());
                        Statement st = c.createStatement()) {
                    st.execute("PRAGMA busy_timeout = 10000");
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO tasks(id, status, progress, created_at,"
                            + " updated_at) VALUES(?, 'pending', 0, 'x', 'x')")) {
                        for (long i = 1; !stop.get(); i++) {
                            ps.setString(1, String.format("load-%08d", i));
                            ps.executeUpdate();
                            committed.set(i);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            try {
                while (committed.get() < 200) {
                    Thread.sleep(5);
                }
                for (int round = 0; round < 3; round++) {
                    long before = committed.get();
                    long t0 = System.nanoTime();
                    Map<String, Object> snap = snapshotOf(s.call("backup_create", Map.of("kind", "session")));
                    long during = committed.get() - before;
                    assertTrue(during >= 0);
                    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + snap.get("path"));
                            Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery("SELECT count(*) FROM tasks WHERE id <= '"
                                    + String.format("load-%08d", before) + "' AND id LIKE 'load-%'")) {
                        rs.next();
                        assertEquals(before, rs.getLong(1), "every row committed before backup_create started");
                    }
                    McpSchema.CallToolResult verify = s.call("backup_verify", Map.of("snapshot", snap.get("name")));
                    assertEquals(Boolean.TRUE, structured(verify).get("safe_to_restore"), text(verify));
                    assertTrue((System.nanoTime() - t0) / 1e9 < 60);
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertTrue(committed.get() > 300, "the writer kept committing: " + committed.get());
        }
    }

    @Test
    void flippedByteTruncationAndAForeignWorkspaceAreAllUnsafeWithReasons() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            seed(s, 20);
            Map<String, Object> a = snapshotOf(s.call("backup_create", Map.of()));
            Map<String, Object> b = snapshotOf(s.call("backup_create", Map.of("kind", "premigrate")));
            assertEquals(Boolean.TRUE, structured(s.call("backup_verify", Map.of("snapshot", a.get("name"))))
                    .get("safe_to_restore"));
            ByteFlip.middleOf(Path.of((String) a.get("path")));
            McpSchema.CallToolResult v1 = s.call("backup_verify", Map.of("snapshot", a.get("name")));
            assertTrue(v1.isError());
            assertEquals(Boolean.FALSE, structured(v1).get("safe_to_restore"));
            assertEquals("fail", checks(v1).get("checksum"), text(v1));

            Path truncated = Path.of((String) b.get("path"));
            try (RandomAccessFile f = new RandomAccessFile(truncated.toFile(), "rw")) {
                f.setLength(f.length() - 4096);
            }
            McpSchema.CallToolResult v2 = s.call("backup_verify", Map.of("snapshot", b.get("name")));
            assertEquals(Boolean.FALSE, structured(v2).get("safe_to_restore"));
            assertTrue(text(v2).contains("checksum"), text(v2));
        }
        // a snapshot taken in another workspace, dropped into this one's backups folder
        TestWorkspace other = TestWorkspace.in(tmp.resolve("other"));
        String foreign;
        try (ServerSession s = ServerSession.start(other)) {
            seed(s, 3);
            Map<String, Object> snap = snapshotOf(s.call("backup_create", Map.of("kind", "round", "round", "r9")));
            foreign = (String) snap.get("name");
            Path from = Path.of((String) snap.get("path"));
            Files.copy(from, ws.home().resolve("data/backups").resolve(foreign));
            Files.copy(from.resolveSibling(foreign + ".manifest.json"),
                    ws.home().resolve("data/backups").resolve(foreign + ".manifest.json"));
        }
        try (ServerSession s = ServerSession.start(ws)) {
            McpSchema.CallToolResult v = s.call("backup_verify", Map.of("snapshot", foreign));
            assertEquals(Boolean.FALSE, structured(v).get("safe_to_restore"));
            Map<String, String> c = checks(v);
            assertEquals("fail", c.get("workspace"), text(v));
            assertEquals("fail", c.get("audit_chain"), text(v));
        }
    }

    @Test
    void progressNotificationsArriveWhenTheClientSendsAToken() {
        try (ServerSession s = ServerSession.start(ws)) {
            seed(s, 5);
            McpSchema.CallToolResult r = s.callWithProgress("backup_create", Map.of(), "tok-1");
            assertFalse(r.isError(), text(r));
            assertFalse(s.progress().isEmpty(), "expected progress notifications");
            assertEquals("tok-1", s.progress().get(0).progressToken());
        }
    }

    @Test
    void aPhaseSnapshotIsCopiedToTheColdTierAndVerifiedThere() throws Exception {
        Path cold = Files.createDirectories(tmp.resolve("cold"));
        TestWorkspace withCold = ws.withCold(cold);
        try (ServerSession s = ServerSession.start(withCold)) {
            seed(s, 4);
            Map<String, Object> snap = snapshotOf(s.call("backup_create", Map.of("kind", "phase", "round", "r1")));
            assertEquals("copied", snap.get("cold"));
            assertTrue(Files.exists(cold.resolve((String) snap.get("name"))));
            assertTrue(Files.exists(cold.resolve(snap.get("name") + ".manifest.json")));
        }
    }

    @Test
    void aCorruptLiveDatabaseStopsWritesButKeepsReadsServing() throws Exception {
        try (ServerSession s = ServerSession.start(ws)) {
            seed(s, 200);
            assertFalse(s.call("backup_create", Map.of()).isError());
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.database());
                    Statement st = c.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            try (RandomAccessFile f = new RandomAccessFile(ws.database().toFile(), "rw")) {
                for (long pos = 4096; pos < f.length(); pos += 4096) {
                    f.seek(pos);
                    f.write(new byte[64]);
                }
            }
            McpSchema.CallToolResult first = s.call("thought_record_append", Map.of("kind", "note", "content", "after"));
            McpSchema.CallToolResult second = s.call("thought_record_append", Map.of("kind", "note", "content", "again"));
            assertTrue(first.isError() && second.isError(), text(first) + " / " + text(second));
            assertTrue(text(second).contains("restore_plan"), text(second));
            McpSchema.CallToolResult list = s.call("backup_verify", Map.of("snapshot",
                    Files.list(ws.home().resolve("data/backups")).map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".db")).findFirst().orElseThrow()));
            assertEquals(Boolean.TRUE, structured(list).get("safe_to_restore"), "reads keep serving: " + text(list));
        }
    }
}
