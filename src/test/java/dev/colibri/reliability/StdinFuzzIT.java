package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Fault 9: hostile bytes on the server's stdin, written raw to the process after an initialize
 * handshake: random bytes, invalid UTF-8, truncated and deeply nested JSON, lines over the 4 MiB
 * cap, and well-formed JSON-RPC with wrong types in every field. Afterwards a valid
 * {@code tools/list} must still be answered, every line the server wrote must be a JSON-RPC 2.0
 * message, and its memory must stay bounded.
 */
class StdinFuzzIT {

    static final int CAP = 4 * 1024 * 1024;
    private static final long RSS_BOUND_KB = 600 * 1024;

    @TempDir
    Path tmp;

    @Test
    void hostileInputNeverBreaksTheProtocolOrTheServer() throws Exception {
        int lines = Trials.count(10_000, 1_000);
        int huge = Trials.count(24, 3);
        long seed = Trials.seed();
        Random rnd = new Random(seed);
        Figures f = new Figures("09-stdin-fuzz", 9,
                "hostile stdin after the initialize handshake: random bytes, invalid UTF-8, truncated JSON, deeply"
                        + " nested JSON, lines over the 4 MiB cap, JSON-RPC with wrong types in every field, stray"
                        + " responses and notifications",
                "a valid tools/list is still answered (and a tool still works); every stdout line is a JSON-RPC 2.0"
                        + " message whose id is null or one the client sent; the process stays up with its resident"
                        + " memory bounded (< 600 MB)",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        Fixtures.load(ws, 20, 100, "r1", seed, false);
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        TreeMap<String, Integer> kinds = new TreeMap<>();
        long bytesSent = 0;
        java.util.Set<String> sentIds = new java.util.HashSet<>();
        try (RawServer s = RawServer.serve(ws.env(), ws.home(), true)) {
            long rssBefore = s.statusKb("VmRSS");
            long t0 = System.nanoTime();
            int[] hugeAt = rnd.ints(huge, 0, lines).sorted().toArray();
            int h = 0;
            for (int i = 0; i < lines; i++) {
                byte[] line;
                String kind;
                if (h < hugeAt.length && hugeAt[h] == i) {
                    h++;
                    kind = "over_4MiB_cap";
                    line = hugeLine(rnd);
                } else {
                    int pick = rnd.nextInt(100);
                    kind = pick < 14 ? "random_bytes" : pick < 26 ? "invalid_utf8" : pick < 40 ? "truncated_json"
                            : pick < 50 ? "deeply_nested" : pick < 80 ? "wrong_types" : pick < 88 ? "stray_messages"
                            : pick < 94 ? "odd_but_valid_json" : "valid_requests";
                    line = switch (kind) {
                        case "random_bytes" -> randomBytes(rnd);
                        case "invalid_utf8" -> invalidUtf8(rnd);
                        case "truncated_json" -> truncated(rnd);
                        case "deeply_nested" -> nested(rnd);
                        case "wrong_types" -> wrongTypes(rnd, i);
                        case "stray_messages" -> stray(rnd, i);
                        case "odd_but_valid_json" -> odd(rnd, i);
                        default -> valid(rnd, i);
                    };
                }
                kinds.merge(kind, 1, Integer::sum);
                if (line.length < CAP) {
                    idsIn(line, sentIds);
                }
                s.writeRaw(line);
                bytesSent += line.length;
            }
            s.writeRaw(new byte[] {'\n'});
            f.timing("write_all_lines_ms", (System.nanoTime() - t0) / 1_000_000);
            long t1 = System.nanoTime();
            JsonNode list = s.request("tools/list", Map.of(), Duration.ofSeconds(120));
            f.timing("tools_list_after_fuzz_ms", (System.nanoTime() - t1) / 1_000_000);
            int tools = list.path("result").path("tools").size();
            f.check(tools > 0, "tools/list after the fuzz was not answered with tools: " + list);
            RawServer.ToolCall chain = s.call("audit_verify_chain", Map.of());
            f.check(chain.ok(), "audit_verify_chain after the fuzz: " + chain);
            long rssAfter = s.statusKb("VmRSS");
            long hwm = s.statusKb("VmHWM");
            f.put("lines_sent", lines + 1).put("mib_sent", bytesSent / 1048576).put("line_kinds", kinds);
            f.put("stdout_lines", s.stdoutLines()).put("stdout_lines_not_json_rpc", s.invalidLines().size());
            f.put("tools_listed_after", tools);
            f.put("rss_before_mib", rssBefore / 1024).put("rss_after_mib", rssAfter / 1024).put("rss_peak_mib", hwm / 1024);
            f.check(s.invalidLines().isEmpty(), "stdout lines that are not JSON-RPC 2.0: " + s.invalidLines());
            int answered = 0;
            for (JsonNode response : s.unmatched()) {
                String id = RawServer.canonicalId(response.get("id"));
                if (id != null) {
                    answered++;
                    f.check(sentIds.contains(id), "a response carries id " + response.get("id")
                            + ", which the client never sent: " + response);
                }
            }
            f.put("responses_to_fuzz_ids", answered).put("distinct_ids_sent", sentIds.size());
            f.check(rssAfter > 0 && rssAfter < RSS_BOUND_KB && hwm < RSS_BOUND_KB,
                    "resident memory " + rssAfter / 1024 + " MiB (peak " + hwm / 1024 + " MiB) is not under 600 MB");
            f.check(s.alive(), "the server died");
            int code = s.closeAndWait(Duration.ofSeconds(60));
            f.check(code == 0, "exit code " + code + " after stdin closed");
            leak.server(s);
        }
        f.trials(lines, Trials.count(10_000, 1_000));
        f.keyScan(leak.run());
        f.summary(lines + " hostile lines (" + f.count("mib_sent") + " MiB, " + kinds.getOrDefault("over_4MiB_cap", 0)
                + " over the cap): tools/list answered, " + f.count("stdout_lines") + " stdout lines all JSON-RPC 2.0,"
                + " RSS " + f.count("rss_before_mib") + " -> " + f.count("rss_after_mib") + " MiB (peak "
                + f.count("rss_peak_mib") + ")");
        f.recordAndAssert();
    }

    /** The ids of the JSON objects in a line (as the server's parser would see them). */
    private static void idsIn(byte[] line, java.util.Set<String> ids) {
        int from = 0;
        for (int i = 0; i <= line.length; i++) {
            if (i == line.length || line[i] == '\n') {
                if (i > from) {
                    try {
                        JsonNode n = RawServer.JSON.readTree(new String(line, from, i - from, StandardCharsets.UTF_8));
                        String id = n.isObject() ? RawServer.canonicalId(n.get("id")) : null;
                        if (id != null) {
                            ids.add(id);
                        }
                    } catch (RuntimeException | StackOverflowError e) {
                        // not JSON: the server answers it with a null id
                    }
                }
                from = i + 1;
            }
        }
    }

    private static byte[] nl(String s) {
        return (s + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 64 * 1024 : 600)];
        rnd.nextBytes(b);
        byte[] out = Arrays.copyOf(b, b.length + 1);
        out[b.length] = '\n';
        return out;
    }

    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xBF, (byte) 0xBF},
    };

    private static byte[] invalidUtf8(Random rnd) {
        byte[] base = request(rnd, "tools/call", "{\"name\":\"thought_record_append\",\"arguments\":{\"kind\":\"note\","
                + "\"content\":\"caf\u00e9 " + rnd.nextInt() + "\"}}", "\"u" + rnd.nextInt(1000) + "\"");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 1 + rnd.nextInt(base.length - 2);
        out.write(base, 0, at);
        byte[] bad = BAD_UTF8[rnd.nextInt(BAD_UTF8.length)];
        out.write(bad, 0, bad.length);
        out.write(base, at, base.length - at);
        return out.toByteArray();
    }

    private static byte[] request(Random rnd, String method, String params, String id) {
        return nl("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    private static byte[] truncated(Random rnd) {
        String full = "{\"jsonrpc\":\"2.0\",\"id\":\"t" + rnd.nextInt(1000) + "\",\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"task_upsert\",\"arguments\":{\"id\":\"fz" + rnd.nextInt(50) + "\",\"status\":\"pending\","
                + "\"deps\":[\"a\",\"b\"],\"progress\":" + rnd.nextInt(100) + "}}}";
        return nl(full.substring(0, rnd.nextInt(full.length() - 1)));
    }

    private static byte[] nested(Random rnd) {
        int depth = rnd.nextInt(4) == 0 ? 50_000 + rnd.nextInt(200_000) : 100 + rnd.nextInt(5_000);
        StringBuilder b = new StringBuilder(depth * 6 + 100);
        int shape = rnd.nextInt(4);
        switch (shape) {
            case 0 -> b.append("[".repeat(depth)).append("]".repeat(depth));
            case 1 -> b.append("{\"jsonrpc\":\"2.0\",\"id\":\"n\",\"method\":\"tools/call\",\"params\":")
                    .append("{\"a\":".repeat(depth)).append("1").append("}".repeat(depth)).append("}");
            case 2 -> b.append("{\"jsonrpc\":\"2.0\",\"id\":\"n\",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"task_upsert\",\"arguments\":{\"id\":\"n1\",\"deps\":").append("[".repeat(depth))
                    .append("]".repeat(depth)).append("}}}");
            default -> b.append("[{\"x\":".repeat(depth)); // never closed
        }
        return nl(b.toString());
    }

    private static final String[] WRONG = {"{}", "[]", "true", "false", "null", "1.5", "-1e400", "1e999", "\"\"",
        "123456789012345678901234567890", "-1", "0", "\"\\u0000\"", "[1,2,3]", "{\"a\":1}", "\"x\"", "NaN"};

    private static String wrong(Random rnd) {
        return WRONG[rnd.nextInt(WRONG.length)];
    }

    private static byte[] wrongTypes(Random rnd, int i) {
        String tool = List.of("backup_create", "backup_verify", "task_upsert", "thought_record_append",
                "audit_verify_chain", "merkle_root", "merkle_finalize", "round_seal", "backup_list", "restore_plan",
                "backup_prune", "no_such_tool").get(rnd.nextInt(12));
        String arg = List.of("kind", "round", "label", "snapshot", "id", "status", "progress", "deps", "content",
                "task_id", "tier", "dry_run").get(rnd.nextInt(12));
        return switch (rnd.nextInt(10)) {
            case 0 -> nl("{\"jsonrpc\":\"2.0\",\"id\":" + wrong(rnd) + ",\"method\":\"tools/list\"}");
            case 1 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"w" + i + "\",\"method\":" + wrong(rnd) + "}");
            case 2 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"w" + i + "\",\"method\":\"tools/call\",\"params\":" + wrong(rnd) + "}");
            case 3 -> nl("{\"jsonrpc\":" + wrong(rnd) + ",\"id\":\"w" + i + "\",\"method\":\"tools/list\"}");
            case 4 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"w" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + wrong(rnd) + ",\"arguments\":{}}}");
            case 5 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"w" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":\""
                    + tool + "\",\"arguments\":" + wrong(rnd) + "}}");
            case 6 -> nl("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                    + tool + "\",\"arguments\":{\"" + arg + "\":" + wrong(rnd) + "}}}");
            case 7 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"w" + i + "\",\"method\":\"" + List.of("initialize",
                    "resources/list", "prompts/get", "completion/complete", "logging/setLevel", "sampling/createMessage",
                    "tools/call", "rpc.discover", "").get(rnd.nextInt(9)) + "\",\"params\":{\"level\":" + wrong(rnd)
                    + ",\"protocolVersion\":" + wrong(rnd) + "}}");
            case 8 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"w" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":\""
                    + tool + "\",\"arguments\":{\"" + arg + "\":" + wrong(rnd) + "},\"_meta\":{\"progressToken\":"
                    + wrong(rnd) + "}}}");
            default -> nl("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/" + List.of("cancelled", "progress",
                    "initialized", "roots/list_changed", "message").get(rnd.nextInt(5)) + "\",\"params\":" + wrong(rnd) + "}");
        };
    }

    private static byte[] stray(Random rnd, int i) {
        return switch (rnd.nextInt(5)) {
            case 0 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"s" + i + "\",\"result\":" + wrong(rnd) + "}");
            case 1 -> nl("{\"jsonrpc\":\"2.0\",\"id\":" + wrong(rnd) + ",\"error\":{\"code\":-32000,\"message\":\"x\"}}");
            case 2 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"s" + i + "\",\"error\":" + wrong(rnd) + "}");
            case 3 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"s" + i + "\",\"result\":{},\"error\":{\"code\":1,\"message\":\"y\"}}");
            default -> nl("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":"
                    + wrong(rnd) + ",\"reason\":" + wrong(rnd) + "}}");
        };
    }

    private static byte[] odd(Random rnd, int i) {
        return switch (rnd.nextInt(7)) {
            case 0 -> nl("");
            case 1 -> nl(" \t ");
            case 2 -> nl("\uFEFF{\"jsonrpc\":\"2.0\",\"id\":\"o" + i + "\",\"method\":\"ping\"}");
            case 3 -> ("{\"jsonrpc\":\"2.0\",\"id\":\"o" + i + "\",\"method\":\"ping\"}\r\n").getBytes(StandardCharsets.UTF_8);
            case 4 -> nl("{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"id\":\"o" + i + "\",\"id\":\"p" + i
                    + "\",\"method\":\"ping\"}");
            case 5 -> nl("/* comment */ {\"jsonrpc\":\"2.0\",\"id\":\"o" + i + "\",\"method\":\"ping\"}");
            default -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"o" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"backup_verify\",\"arguments\":{\"snapshot\":\"" + "\\u0000\\u202e\\ud800".repeat(1 + rnd.nextInt(50))
                    + "\"}}}");
        };
    }

    private static byte[] valid(Random rnd, int i) {
        return switch (rnd.nextInt(4)) {
            case 0 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"v" + i + "\",\"method\":\"tools/list\"}");
            case 1 -> nl("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"ping\"}");
            case 2 -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"v" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"thought_record_append\",\"arguments\":{\"kind\":\"fuzz\",\"content\":\"line " + i + "\"}}}");
            default -> nl("{\"jsonrpc\":\"2.0\",\"id\":\"v" + i + "\",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"merkle_root\",\"arguments\":{}}}");
        };
    }

    private static byte[] hugeLine(Random rnd) {
        int size = CAP + 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 2 * 1024 * 1024);
        byte[] b = new byte[size + 1];
        String head = "{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"tools/call\",\"params\":{\"name\":\"thought_record_append\","
                + "\"arguments\":{\"kind\":\"note\",\"content\":\"";
        byte[] hb = head.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(hb, 0, b, 0, hb.length);
        Arrays.fill(b, hb.length, size, (byte) 'A');
        b[size] = '\n';
        return b;
    }
}
