package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Fault 10: hostile names. Every tool argument that names a snapshot gets paths, traversals, NUL,
 * backslashes, absolute paths (also of real snapshots), 10,000 characters; round arguments get
 * traversals too, and so does the current round stored in the database. Symbolic links planted in
 * data/backups and the cold tier, pointing outside, must never be followed: not listed, verified,
 * planned, pruned or cleaned, and their targets untouched. Nothing outside the workspace and the
 * cold directory may be written.
 */
class NamesIT {

    @TempDir
    Path tmp;

    @Test
    void hostileNamesAreRefusedAndLinksOutOfTheWorkspaceAreNeverFollowed() throws Exception {
        long seed = Trials.seed();
        Figures f = new Figures("10-hostile-names-and-links", 10,
                "snapshot names with /, \\, .., NUL, absolute paths (also of real snapshots), 10,000 characters, URL"
                        + " and Unicode tricks, in every tool argument that names a snapshot; traversal in round"
                        + " arguments and in the stored current round; symbolic links in data/backups and the cold tier"
                        + " pointing outside the workspace",
                "every hostile name refused with an isError result (never a protocol error); links never followed: not"
                        + " listed, verified, planned, pruned or cleaned, targets untouched; nothing outside the"
                        + " workspace and the cold directory written (sentinel directory fingerprinted before and after)",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp).withCold(Files.createDirectories(tmp.resolve("cold")));
        Fixtures.load(ws, 40, 200, "r1", seed, false);
        Path backups = ws.workspace().backupsDir();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home()).dir(ws.coldDir());
        String real;
        String coldName;
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            RawServer.ToolCall r1 = s.call("backup_create", Map.of("kind", "round", "round", "r1"));
            f.check(r1.ok(), "backup_create: " + r1);
            real = r1.structured().path("snapshot").path("name").asString();
            RawServer.ToolCall phase = s.call("backup_create", Map.of("kind", "phase", "round", "r2"));
            f.check(phase.ok(), "phase backup_create: " + phase);
            coldName = phase.structured().path("snapshot").path("name").asString();
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        // a whole, valid snapshot outside the workspace, and other targets
        Files.copy(backups.resolve(real), outside.resolve("colibri-r1-20200101.db"));
        Files.copy(backups.resolve(real + ".manifest.json"), outside.resolve("colibri-r1-20200101.db.manifest.json"));
        Files.writeString(outside.resolve("secret.txt"), "outside the workspace\n");
        Files.createDirectories(outside.resolve("subdir"));
        Map<String, Path> links = new LinkedHashMap<>();
        links.put("colibri-r7-20200101.db", outside.resolve("colibri-r1-20200101.db"));
        links.put("colibri-r7-20200101.db.manifest.json", outside.resolve("colibri-r1-20200101.db.manifest.json"));
        links.put("colibri-r8-20200101.db", outside.resolve("secret.txt"));
        links.put("colibri-premigrate-20200101.db", outside.resolve("subdir"));
        links.put("colibri-r9-20200101.db", outside.resolve("nonexistent.db"));
        links.put(".colibri-tmp-planted", outside.resolve("secret.txt"));
        for (Map.Entry<String, Path> l : links.entrySet()) {
            Files.createSymbolicLink(backups.resolve(l.getKey()), l.getValue());
        }
        Files.createSymbolicLink(ws.coldDir().resolve("colibri-r6-20200101.db"), outside.resolve("colibri-r1-20200101.db"));
        Files.createSymbolicLink(ws.coldDir().resolve("colibri-r6-20200101.db.manifest.json"),
                outside.resolve("colibri-r1-20200101.db.manifest.json"));
        List<String> linkNames = List.of("colibri-r7-20200101.db", "colibri-r8-20200101.db",
                "colibri-premigrate-20200101.db", "colibri-r9-20200101.db", "colibri-r6-20200101.db");
        TreeMap<String, String> outsideBefore = Fixtures.fingerprint(outside);
        TreeMap<String, String> keysBefore = Fixtures.fingerprint(ws.keyFile().getParent());
        List<String> tmpBefore = listing(tmp);

        List<String> hostile = hostileNames(backups.resolve(real), ws.coldDir().resolve(coldName), outside);
        int run = 0;
        int refused = 0;
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            Map<String, List<String>> nameArgs = snapshotArguments(s.tools());
            f.put("tools_with_a_snapshot_argument", nameArgs.toString());
            f.check(nameArgs.containsKey("backup_verify"), "backup_verify has no snapshot argument?");
            for (Map.Entry<String, List<String>> t : nameArgs.entrySet()) {
                for (String arg : t.getValue()) {
                    for (String name : hostile) {
                        run++;
                        RawServer.ToolCall r = s.call(t.getKey(), Map.of(arg, name));
                        boolean ok = !r.protocolError() && r.isError() && !mentionsOutsideContent(r);
                        refused += f.check(ok, t.getKey() + "(" + arg + "=" + printable(name) + ") was not refused: "
                                + r) ? 1 : 0;
                    }
                    for (String link : linkNames) {
                        run++;
                        RawServer.ToolCall r = s.call(t.getKey(), Map.of(arg, link));
                        refused += f.check(!r.protocolError() && r.isError(), t.getKey() + " followed the link " + link
                                + ": " + r) ? 1 : 0;
                        f.add("link_lookups_refused", r.isError() ? 1 : 0);
                    }
                }
            }
            for (Map.Entry<String, Object> bad : roundArguments().entrySet()) {
                String[] call = bad.getKey().split("#");
                run++;
                @SuppressWarnings("unchecked")
                RawServer.ToolCall r = s.call(call[0], (Map<String, Object>) bad.getValue());
                refused += f.check(!r.protocolError() && r.isError(), call[0] + " " + bad.getValue()
                        + " was not refused: " + r) ? 1 : 0;
            }
            List<String> tools = s.toolNames();
            if (tools.contains("backup_list")) {
                RawServer.ToolCall list = s.call("backup_list", Map.of());
                f.check(list.ok(), "backup_list: " + list);
                List<String> listed = new ArrayList<>();
                for (JsonNode n : list.structured().path("snapshots")) {
                    listed.add(n.path("name").asString());
                }
                f.put("listed", listed.toString());
                for (String link : linkNames) {
                    f.check(!listed.contains(link), "backup_list lists the link " + link);
                }
                f.check(listed.contains(real), "backup_list does not list the real snapshot " + real);
            }
            if (tools.contains("restore_plan")) {
                RawServer.ToolCall plan = s.call("restore_plan", Map.of());
                String candidate = plan.structured() == null ? null : plan.structured().path("candidate").asString(null);
                f.put("restore_plan_candidate", String.valueOf(candidate));
                f.check(candidate == null || !linkNames.contains(candidate), "restore_plan picked the link " + candidate);
            }
            if (tools.contains("backup_prune")) {
                RawServer.ToolCall prune = s.call("backup_prune", Map.of("dry_run", false));
                f.check(!prune.protocolError(), "backup_prune: " + prune);
                f.put("prune", EnvironmentFaultsIT.cut(prune.text()));
            }
            // the current round stored in the database is input too: with the two folders a traversal needs
            // planted in data/backups, "colibri-" + round would lead from data/backups to the sentinel outside
            String traversal = "../../../../../outside/x";
            Files.createDirectories(backups.resolve(".colibri-tmp-colibri-.."));
            Files.createDirectories(backups.resolve("colibri-.."));
            try (Connection c = Fixtures.connect(ws.database()); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO meta(key, value) VALUES('current_round', '" + traversal + "')"
                        + " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
            }
            run++;
            RawServer.ToolCall tampered = s.call("backup_create", Map.of("kind", "session"));
            f.put("session_backup_with_traversal_in_current_round", EnvironmentFaultsIT.cut(tampered.toString()));
            String tname = tampered.structured() == null ? "" : tampered.structured().path("snapshot").path("name").asString("");
            boolean contained = !tampered.protocolError() && (tampered.isError() || tname.matches("colibri-r[0-9]+-[0-9]{8}(-[0-9]{6})?\\.db"));
            refused += f.check(contained, "a traversal in the stored current round reached the file name: " + tampered)
                    ? 1 : 0;
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        for (Map.Entry<String, Path> l : links.entrySet()) {
            Path link = backups.resolve(l.getKey());
            f.check(Files.isSymbolicLink(link), "the planted link " + l.getKey() + " was removed or replaced");
        }
        f.check(Files.isSymbolicLink(ws.coldDir().resolve("colibri-r6-20200101.db")), "the cold link was removed");
        TreeMap<String, String> outsideAfter = Fixtures.fingerprint(outside);
        f.check(outsideBefore.equals(outsideAfter), "the sentinel directory outside changed: before " + outsideBefore
                + " after " + outsideAfter);
        f.check(keysBefore.equals(Fixtures.fingerprint(ws.keyFile().getParent())), "the key directory changed");
        f.check(tmpBefore.equals(listing(tmp)), "new entries next to the workspace: " + listing(tmp));
        Files.delete(backups.resolve(".colibri-tmp-colibri-.."));
        Files.delete(backups.resolve("colibri-.."));
        List<Path> strange = new ArrayList<>();
        for (Path dir : List.of(backups, ws.coldDir(), ws.workspace().dataDir(), ws.workspace().docsDir())) {
            strange.addAll(Fixtures.list(dir, p -> !p.getFileName().toString().matches("[A-Za-z0-9._-]+")));
        }
        f.check(strange.isEmpty(), "files with hostile names were created: " + strange);
        f.put("sentinel_entries_fingerprinted", outsideBefore.size()).put("hostile_names", hostile.size())
                .put("planted_links", links.size() + 2);
        f.trials(run, 100).detected(refused);
        f.keyScan(leak.run());
        f.summary(refused + "/" + run + " hostile names and link lookups refused; " + (links.size() + 2)
                + " planted links never followed; sentinel outside unchanged (" + outsideBefore.size() + " entries)");
        f.recordAndAssert();
    }

    /** Tools whose input schema has a property naming a snapshot. */
    private static Map<String, List<String>> snapshotArguments(JsonNode tools) {
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode t : tools) {
            for (Map.Entry<String, JsonNode> p : t.path("inputSchema").path("properties").properties()) {
                if (p.getKey().contains("snapshot")) {
                    out.computeIfAbsent(t.path("name").asString(), k -> new ArrayList<>()).add(p.getKey());
                }
            }
        }
        return out;
    }

    static List<String> hostileNames(Path realSnapshot, Path coldSnapshot, Path outside) {
        String name = realSnapshot.getFileName().toString();
        return List.of("../colibri.db", "..", ".", "../../../../../etc/passwd", "/etc/passwd", realSnapshot.toString(),
                coldSnapshot.toString(), outside.resolve("colibri-r1-20200101.db").toString(), "data/backups/" + name,
                "./" + name, name + "/", name + "/..", "..\\" + name, "a\\b", "C:\\Windows\\system32",
                "\\\\server\\share\\" + name, name + "\0", "\0" + name, "colibri-r1-20200101.db\0.txt", "~/" + name,
                "~root", "%2e%2e%2f" + name, "..%2f..%2fetc%2fpasswd", "file:///etc/passwd", "colibri-..-20200101.db",
                "colibri-r1-20200101.db/../../x", "colibri-r1-20200101\u2215x.db", "colibri-r1-20200101\uff0edb",
                "\u202ebd.1010202-1r-irbiloc", name + "\n", " " + name, name.toUpperCase(), "", " ",
                "x".repeat(10_000), "colibri-r" + "9".repeat(10_000) + "-20200101.db", "../".repeat(3000) + name);
    }

    private static Map<String, Object> roundArguments() {
        Map<String, Object> m = new LinkedHashMap<>();
        int i = 0;
        for (String round : List.of("../x", "r1/../../x", "/tmp/x", "r1\0", "r1\\..", "..", "r" + "1".repeat(10_000),
                "r1/", "R1", "r-1", "")) {
            m.put("backup_create#" + i++, Map.of("kind", "round", "round", round));
            m.put("round_seal#" + i++, Map.of("round", round));
            m.put("merkle_finalize#" + i++, Map.of("round", round));
        }
        m.put("backup_create#kind", Map.of("kind", "../round"));
        return m;
    }

    private static boolean mentionsOutsideContent(RawServer.ToolCall r) {
        return r.text().contains("outside the workspace") || r.text().contains("root:x:0:0");
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString() + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : ""))
                    .sorted().toList();
        }
    }

    private static String printable(String s) {
        String p = s.replace("\0", "\\0").replace("\n", "\\n");
        return p.length() > 60 ? p.substring(0, 60) + "...(" + s.length() + " chars)" : p;
    }
}
