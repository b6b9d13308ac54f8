package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fault 4: the external anchor log ({@code docs/anchors.jsonl}) edited, truncated, reordered,
 * duplicated, removed or extended with forged lines (also rewritten with a consistent SHA-256 line
 * chain, which anyone can compute). {@code merkle_root} on the live database must report it:
 * anchor status mismatch, or {@code log_intact} false, as an error result.
 */
class AnchorLogTamperIT {

    @TempDir
    Path tmp;

    /** Fields of an anchor line whose edit changes what the line proves. */
    private static final List<String> PROOF_FIELDS = List.of("root", "size", "workspace_id", "prev");
    /** Fields that carry no proof; on the last line nothing links to them. */
    private static final List<String> METADATA_FIELDS = List.of("seq", "round", "anchored_at");

    @Test
    void everyEditOrTruncationOfTheAnchorLogIsReported() throws Exception {
        long seed = Trials.seed();
        int lines = Trials.count(8, 4);
        Figures f = new Figures("04-anchor-log-tampering", 4,
                "docs/anchors.jsonl: a field of any line edited, a line deleted, duplicated or moved, the log"
                        + " truncated (whole lines, mid-line, emptied, removed), forged lines appended, the log rewritten"
                        + " with a consistent line chain",
                "merkle_root reports every one as an error: anchor mismatch, or log_intact false with the damaged line"
                        + " named in detail",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        Fixtures.load(ws, 100, 200, "r1", seed, false);
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        Path log = ws.workspace().anchorLog();
        Map<String, int[]> byType = new LinkedHashMap<>();
        int run = 0;
        int detected = 0;
        int metadataEdits = 0;
        int metadataDetected = 0;
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            for (int round = 2; round <= lines; round++) {
                for (int i = 0; i < 10; i++) {
                    s.call("thought_record_append", Map.of("kind", "note", "content", "r" + round + " " + i));
                }
                f.check(s.call("merkle_finalize", Map.of("round", "r" + round)).ok(), "finalize failed");
            }
            byte[] pristine = Files.readAllBytes(log);
            List<String> orig = Files.readAllLines(log, StandardCharsets.UTF_8);
            f.put("anchor_lines", orig.size());
            f.check(orig.size() == lines, "expected " + lines + " anchor lines, got " + orig.size());
            f.check(matches(s), "the pristine log does not match");
            int last = orig.size() - 1;
            Map<String, UnaryOperator<List<String>>> trials = new LinkedHashMap<>();
            for (int i = 0; i <= last; i++) {
                int line = i;
                for (String field : PROOF_FIELDS) {
                    trials.put("edit " + field + " of line " + (line + 1), l -> edit(l, line, field));
                }
                if (line < last) {
                    for (String field : METADATA_FIELDS) {
                        trials.put("edit " + field + " of line " + (line + 1), l -> edit(l, line, field));
                    }
                }
                trials.put("delete line " + (line + 1), l -> without(l, line));
                trials.put("duplicate line " + (line + 1), l -> duplicate(l, line));
                if (line < last) {
                    trials.put("swap lines " + (line + 1) + " and " + (line + 2), l -> swap(l, line, line + 1));
                }
            }
            for (int k = 0; k < orig.size(); k++) {
                int keep = k;
                trials.put("truncate to " + keep + " line(s)", l -> new ArrayList<>(l.subList(0, keep)));
            }
            trials.put("truncate mid-line (torn last line)", l -> {
                List<String> out = new ArrayList<>(l.subList(0, l.size() - 1));
                out.add(l.get(l.size() - 1).substring(0, l.get(l.size() - 1).length() / 2));
                return out;
            });
            trials.put("forged line appended: other root for the current size, chain relinked",
                    l -> appendForged(l, 0));
            trials.put("forged line appended: larger size, chain relinked", l -> appendForged(l, 1));
            trials.put("log rewritten consistently with another root on the last line",
                    l -> relink(edit(l, l.size() - 1, "root")));
            trials.put("log rewritten consistently without its last line", l -> relink(without(l, l.size() - 1)));
            for (Map.Entry<String, UnaryOperator<List<String>>> t : trials.entrySet()) {
                write(log, t.getValue().apply(new ArrayList<>(orig)));
                run++;
                RawServer.ToolCall r = s.call("merkle_root", Map.of());
                String type = t.getKey().replaceAll(" [0-9]+( and [0-9]+)?", " N").replaceAll("to N line", "to N line");
                int[] tally = byType.computeIfAbsent(type, k -> new int[2]);
                tally[0]++;
                if (f.check(reported(r), t.getKey() + ": not reported: " + r)) {
                    detected++;
                    tally[1]++;
                }
                Files.write(log, pristine);
            }
            Files.delete(log);
            run++;
            int[] removed = byType.computeIfAbsent("anchor log file removed", k -> new int[2]);
            removed[0]++;
            RawServer.ToolCall gone = s.call("merkle_root", Map.of());
            if (f.check(reported(gone), "anchor log removed: not reported: " + gone)) {
                detected++;
                removed[1]++;
            }
            Files.write(log, pristine);
            for (String field : METADATA_FIELDS) {
                write(log, edit(new ArrayList<>(orig), last, field));
                metadataEdits++;
                if (reported(s.call("merkle_root", Map.of()))) {
                    metadataDetected++;
                }
                Files.write(log, pristine);
            }
            f.check(matches(s), "the restored log does not match");
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        Map<String, String> perType = new LinkedHashMap<>();
        byType.forEach((k, v) -> perType.put(k, v[1] + "/" + v[0]));
        f.trials(run, 20).detected(detected).put("reported_by_type", perType);
        f.put("last_line_metadata_edits_reported", metadataDetected + "/" + metadataEdits);
        f.assume("edits of seq, round or anchored_at on the LAST line are outside the must-hold set: those fields prove"
                + " nothing (root, size and workspace are checked against the database) and no later line links them;"
                + " shown as last_line_metadata_edits_reported");
        f.keyScan(leak.run());
        f.summary(detected + "/" + run + " tamperings reported as errors (" + byType.size() + " kinds)");
        f.recordAndAssert();
    }

    private static boolean reported(RawServer.ToolCall r) {
        if (r.protocolError() || r.structured() == null) {
            return false;
        }
        String status = r.structured().path("anchor").path("status").asString("");
        boolean intact = r.structured().path("anchor").path("log_intact").asBoolean(true);
        return r.isError() && (!"match".equals(status) || !intact);
    }

    private static boolean matches(RawServer s) {
        RawServer.ToolCall r = s.call("merkle_root", Map.of());
        return r.ok() && "match".equals(r.structured().path("anchor").path("status").asString(""));
    }

    private static void write(Path log, List<String> lines) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        Files.writeString(log, b.toString(), StandardCharsets.UTF_8);
    }

    private static List<String> edit(List<String> l, int line, String field) {
        ObjectNode n = (ObjectNode) RawServer.JSON.readTree(l.get(line));
        switch (field) {
            case "root", "prev" -> {
                String v = n.path(field).asString("");
                n.put(field, (v.charAt(0) == '0' ? "1" : "0") + v.substring(1));
            }
            case "size", "seq" -> n.put(field, n.path(field).asLong() + 1);
            case "workspace_id" -> n.put(field, "00000000-0000-0000-0000-000000000000");
            case "round" -> n.put(field, "r999");
            case "anchored_at" -> n.put(field, "2000-01-01T00:00:00Z");
            default -> throw new IllegalArgumentException(field);
        }
        l.set(line, RawServer.JSON.writeValueAsString(n));
        return l;
    }

    private static List<String> without(List<String> l, int line) {
        l.remove(line);
        return l;
    }

    private static List<String> duplicate(List<String> l, int line) {
        l.add(line + 1, l.get(line));
        return l;
    }

    private static List<String> swap(List<String> l, int a, int b) {
        String t = l.get(a);
        l.set(a, l.get(b));
        l.set(b, t);
        return l;
    }

    /** Appends a well-formed line that links to the last one: another root for the same size, or a larger size. */
    private static List<String> appendForged(List<String> l, int extraSize) {
        ObjectNode n = (ObjectNode) RawServer.JSON.readTree(l.get(l.size() - 1));
        n.put("seq", n.path("seq").asLong() + 1);
        n.put("size", n.path("size").asLong() + extraSize);
        n.put("root", "ab".repeat(32));
        n.put("prev", sha256(l.get(l.size() - 1)));
        l.add(RawServer.JSON.writeValueAsString(n));
        return l;
    }

    /** Recomputes every line's prev so the line chain itself verifies. */
    private static List<String> relink(List<String> l) {
        String prev = "0".repeat(64);
        for (int i = 0; i < l.size(); i++) {
            ObjectNode n = (ObjectNode) RawServer.JSON.readTree(l.get(i));
            n.put("prev", prev);
            l.set(i, RawServer.JSON.writeValueAsString(n));
            prev = sha256(l.get(i));
        }
        return l;
    }

    private static String sha256(String line) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(line.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
