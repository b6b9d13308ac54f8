package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 3: the thought records tampered with behind the server's back (a second SQLite connection
 * to the live file, as an attacker with file access would) at many positions: edited fields,
 * deleted, inserted, replayed, reordered, forged hashes, and records cut from the tail. The chain
 * walk must name the exact first bad position; a tail cut leaves a valid shorter chain and must show
 * as a Merkle anchor mismatch. After each trial the table is put back and the chain must verify again.
 */
class ChainTamperIT {

    @TempDir
    Path tmp;

    private record Row(long position, String kind, String content, String taskId, String createdAt, byte[] prev,
            byte[] hash) {
    }

    @Test
    void everyTamperingIsDetectedAtItsExactPosition() throws Exception {
        long seed = Trials.seed();
        Random rnd = new Random(seed);
        int perType = Trials.count(22, 3);
        Figures f = new Figures("03-thought-record-tampering", 3,
                "thought records edited (each field), deleted, inserted (forged or replayed), reordered, hash forged"
                        + " (alone or relinked) at many positions; records cut from the tail, also with the later"
                        + " tree heads rolled back",
                "100% detected; audit_verify_chain break_at is exactly the first tampered position; a tail cut shows"
                        + " as a merkle_root anchor mismatch",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        Fixtures.load(ws, 150, 200, "r1", seed, false);
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        Map<String, int[]> byType = new LinkedHashMap<>();
        int run = 0;
        int detected = 0;
        List<Long> callMs = new ArrayList<>();
        try (RawServer s = RawServer.serve(ws.env(), ws.home()); Connection c = Fixtures.connect(ws.database())) {
            s.call("task_upsert", Map.of("id", "T2", "status", "pending"));
            for (int round = 2; round <= 3; round++) {
                for (int i = 0; i < 50; i++) {
                    Map<String, Object> args = new LinkedHashMap<>(Map.of("kind", "note", "content", "r" + round + " " + i));
                    if (i % 3 == 0) {
                        args.put("task_id", i % 2 == 0 ? "T1" : "T2");
                    }
                    f.check(s.call("thought_record_append", args).ok(), "append failed");
                }
                f.check(s.call("merkle_finalize", Map.of("round", "r" + round)).ok(), "finalize failed");
            }
            List<Row> rows = rows(c);
            List<Object[]> heads = table(c, "SELECT size, root, round, created_at, anchored_at FROM tree_heads", 5);
            int n = rows.size();
            f.put("chain_length", n).put("tree_heads", heads.size());
            String[] types = {"edit_content", "edit_kind", "edit_created_at", "edit_task_id", "edit_prev_hash",
                "forged_hash", "forged_hash_relinked", "delete", "insert_forged", "insert_replay", "swap_adjacent",
                "swap_distant", "tail_truncation", "tail_truncation_heads_rolled_back"};
            for (String type : types) {
                for (int p : positions(type, n, perType, rnd)) {
                    long expected = tamper(c, type, p, rows, n, rnd);
                    run++;
                    int[] tally = byType.computeIfAbsent(type, k -> new int[2]);
                    tally[0]++;
                    long t0 = System.nanoTime();
                    boolean ok;
                    if (type.startsWith("tail_truncation")) {
                        RawServer.ToolCall chain = s.call("audit_verify_chain", Map.of());
                        RawServer.ToolCall root = s.call("merkle_root", Map.of());
                        String status = root.structured() == null ? null
                                : root.structured().path("anchor").path("status").asString(null);
                        ok = f.check(chain.ok() && chain.structured().path("length").asLong() == n - p,
                                type + " of " + p + " records: the shorter chain should still verify: " + chain)
                                & f.check(root.isError() && "mismatch".equals(status),
                                        type + " of " + p + " records: merkle_root should report an anchor mismatch: "
                                                + root);
                    } else {
                        RawServer.ToolCall v = s.call("audit_verify_chain", Map.of());
                        long at = v.structured() == null ? -1 : v.structured().path("break_at").asLong(-1);
                        ok = f.check(v.isError() && "broken".equals(v.str("status")) && at == expected,
                                type + " at " + p + ": expected break_at " + expected + ", got " + v);
                    }
                    callMs.add((System.nanoTime() - t0) / 1_000_000);
                    if (ok) {
                        detected++;
                        tally[1]++;
                    }
                    restore(c, rows, heads);
                    RawServer.ToolCall back = s.call("audit_verify_chain", Map.of());
                    if (!f.check(back.ok() && back.structured().path("length").asLong() == n,
                            "after restoring from " + type + " at " + p + " the chain does not verify: " + back)) {
                        break;
                    }
                }
            }
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        Map<String, String> perTypeFigures = new LinkedHashMap<>();
        byType.forEach((k, v) -> perTypeFigures.put(k, v[1] + "/" + v[0]));
        f.trials(run, Trials.count(250, 40)).detected(detected).put("detected_exactly_by_type", perTypeFigures);
        f.timings("verification_call", callMs);
        f.keyScan(leak.run());
        f.summary(detected + "/" + run + " detected with the exact break_at (tail cuts: anchor mismatch) across "
                + byType.size() + " kinds of tampering");
        f.recordAndAssert();
    }

    /** Positions to tamper at: the edges plus random ones inside the valid range of the type. */
    private static TreeSet<Integer> positions(String type, int n, int count, Random rnd) {
        int lo;
        int hi;
        switch (type) {
            case "forged_hash_relinked", "delete", "swap_adjacent", "swap_distant" -> {
                lo = 0;
                hi = n - 2;
            }
            case "insert_forged" -> {
                lo = 0;
                hi = n;
            }
            case "insert_replay" -> {
                lo = 1;
                hi = n;
            }
            case "tail_truncation", "tail_truncation_heads_rolled_back" -> {
                lo = 1; // records cut
                hi = n;
            }
            default -> {
                lo = 0;
                hi = n - 1;
            }
        }
        TreeSet<Integer> out = new TreeSet<>(List.of(lo, hi));
        if (lo + 1 <= hi) {
            out.add(lo + 1);
        }
        while (out.size() < Math.min(count, hi - lo + 1)) {
            out.add(lo + rnd.nextInt(hi - lo + 1));
        }
        return out;
    }

    /** Applies one tampering; returns the position audit_verify_chain must report. */
    private static long tamper(Connection c, String type, int p, List<Row> rows, int n, Random rnd) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            switch (type) {
                case "edit_content" -> update(c, "UPDATE thought_records SET content = content || '.' WHERE position = ?", p);
                case "edit_kind" -> update(c, "UPDATE thought_records SET kind = kind || 'x' WHERE position = ?", p);
                case "edit_created_at" -> update(c,
                        "UPDATE thought_records SET created_at = replace(created_at, 'Z', '1Z') WHERE position = ?", p);
                case "edit_task_id" -> update(c, "UPDATE thought_records SET task_id = CASE WHEN task_id IS NULL"
                        + " THEN 'T1' ELSE NULL END WHERE position = ?", p);
                case "edit_prev_hash" -> setBlob(c, "prev_hash", p, random32(rnd));
                case "forged_hash" -> setBlob(c, "hash", p, random32(rnd));
                case "forged_hash_relinked" -> {
                    byte[] forged = random32(rnd);
                    setBlob(c, "hash", p, forged);
                    setBlob(c, "prev_hash", p + 1, forged);
                }
                case "delete" -> update(c, "DELETE FROM thought_records WHERE position = ?", p);
                case "insert_forged", "insert_replay" -> {
                    s.executeUpdate("UPDATE thought_records SET position = -(position + 1) WHERE position >= " + p);
                    s.executeUpdate("UPDATE thought_records SET position = -position WHERE position < 0");
                    Row model = "insert_replay".equals(type) ? rows.get(p - 1) : null;
                    byte[] prev = p == 0 ? new byte[32] : rows.get(p - 1).hash();
                    Row inserted = model != null ? new Row(p, model.kind(), model.content(), model.taskId(),
                            model.createdAt(), model.prev(), model.hash())
                            : new Row(p, "decision", "forged record", null, rows.get(Math.min(p, n - 1)).createdAt(),
                                    prev, random32(rnd));
                    insert(c, inserted);
                }
                case "swap_adjacent" -> swap(c, rows.get(p), rows.get(p + 1));
                case "swap_distant" -> swap(c, rows.get(p), rows.get(p + 1 + rnd.nextInt(n - p - 1)));
                case "tail_truncation" -> s.executeUpdate("DELETE FROM thought_records WHERE position >= " + (n - p));
                case "tail_truncation_heads_rolled_back" -> {
                    s.executeUpdate("DELETE FROM thought_records WHERE position >= " + (n - p));
                    s.executeUpdate("DELETE FROM tree_heads WHERE size > " + (n - p));
                }
                default -> throw new IllegalArgumentException(type);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        return p;
    }

    private static void update(Connection c, String sql, long p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, p);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no row at " + p + " for " + sql);
            }
        }
    }

    private static void setBlob(Connection c, String column, long p, byte[] value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE thought_records SET " + column + " = ? WHERE position = ?")) {
            ps.setBytes(1, value);
            ps.setLong(2, p);
            ps.executeUpdate();
        }
    }

    /** Exchanges the content of two records (each keeps its position). */
    private static void swap(Connection c, Row a, Row b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM thought_records WHERE position IN (?, ?)")) {
            ps.setLong(1, a.position());
            ps.setLong(2, b.position());
            ps.executeUpdate();
        }
        insert(c, new Row(a.position(), b.kind(), b.content(), b.taskId(), b.createdAt(), b.prev(), b.hash()));
        insert(c, new Row(b.position(), a.kind(), a.content(), a.taskId(), a.createdAt(), a.prev(), a.hash()));
    }

    private static byte[] random32(Random rnd) {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        return b;
    }

    private static void insert(Connection c, Row r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO thought_records(position, kind, content, task_id,"
                + " created_at, prev_hash, hash) VALUES(?,?,?,?,?,?,?)")) {
            ps.setLong(1, r.position());
            ps.setString(2, r.kind());
            ps.setString(3, r.content());
            ps.setString(4, r.taskId());
            ps.setString(5, r.createdAt());
            ps.setBytes(6, r.prev());
            ps.setBytes(7, r.hash());
            ps.executeUpdate();
        }
    }

    private static List<Row> rows(Connection c) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT position, kind, content, task_id,"
                + " created_at, prev_hash, hash FROM thought_records ORDER BY position")) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getBytes(6), rs.getBytes(7)));
            }
        }
        return rows;
    }

    private static List<Object[]> table(Connection c, String sql, int columns) throws SQLException {
        List<Object[]> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Object[] row = new Object[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = rs.getObject(i + 1);
                }
                out.add(row);
            }
        }
        return out;
    }

    /** Puts the records and tree heads back exactly as they were. */
    private static void restore(Connection c, List<Row> rows, List<Object[]> heads) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM thought_records");
            for (Row r : rows) {
                insert(c, r);
            }
            s.executeUpdate("DELETE FROM tree_heads");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO tree_heads(size, root, round, created_at, anchored_at) VALUES(?,?,?,?,?)")) {
                for (Object[] h : heads) {
                    for (int i = 0; i < h.length; i++) {
                        ps.setObject(i + 1, h[i]);
                    }
                    ps.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
