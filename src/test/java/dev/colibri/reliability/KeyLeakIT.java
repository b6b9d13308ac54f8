package dev.colibri.reliability;

import dev.colibri.testing.ServerLauncher;
import dev.colibri.testing.TestWorkspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 11: the HMAC key must never leave its file. One session drives every tool (success and
 * failure paths, tampering reports, progress, a cold tier, fuzz lines, refused starts, the CLI),
 * then every byte produced is searched for the raw key, its hex and its base64 forms: all files in
 * the workspace and the cold directory, all captured stdout and stderr, all tool result texts.
 * The other faults' ITs run the same scan over what they produced; the report sums them up.
 */
class KeyLeakIT {

    @TempDir
    Path tmp;

    @Test
    void theHmacKeyAppearsNowhereARunWrites() throws Exception {
        long seed = Trials.seed();
        Random rnd = new Random(seed);
        Figures f = new Figures("11-hmac-key-never-leaks", 11,
                "one session through every tool (successes, bad arguments, tampering reports, progress, cold tier,"
                        + " round seal, prune, restore plan), fuzz lines, refused starts (lock held, wrong key, loose"
                        + " mode) and the CLI, then a search of everything produced",
                "0 occurrences of the raw key bytes, lower/upper-case hex or base64 (standard and URL-safe) in any file"
                        + " of the workspace or cold tier (database, WAL, snapshots, manifests, anchor log, seal"
                        + " documents), any stdout/stderr, or any tool result",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp).withCold(Files.createDirectories(tmp.resolve("cold")));
        LeakScan leak = new LeakScan().dir(ws.home()).dir(ws.coldDir());
        List<String> texts = new ArrayList<>();
        int calls = 0;
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            f.check(Files.isRegularFile(ws.keyFile()), "the first start did not create the key file");
            leak.key(ws.keyFile());
            List<String> tools = s.toolNames();
            List<Map.Entry<String, Map<String, Object>>> script = new ArrayList<>();
            script.add(Map.entry("task_upsert", Map.of("id", "K1", "title", "key leak", "status", "in_progress")));
            script.add(Map.entry("task_upsert", Map.of("id", "K2", "deps", List.of("K1"), "progress", 50)));
            script.add(Map.entry("task_upsert", Map.of("id", "K3", "deps", List.of("nope"))));
            for (int i = 0; i < 30; i++) {
                Map<String, Object> a = new LinkedHashMap<>(Map.of("kind", "decision", "content", "leak check " + i
                        + " " + Long.toHexString(rnd.nextLong())));
                if (i % 4 == 0) {
                    a.put("task_id", "K1");
                }
                script.add(Map.entry("thought_record_append", a));
            }
            script.add(Map.entry("merkle_finalize", Map.of("round", "r1")));
            script.add(Map.entry("round_seal", Map.of("round", "r1")));
            script.add(Map.entry("round_seal", Map.of("round", "r1")));
            script.add(Map.entry("backup_create", Map.of("kind", "session", "label", "leak")));
            script.add(Map.entry("backup_create", Map.of("kind", "premigrate")));
            script.add(Map.entry("backup_create", Map.of("kind", "phase", "round", "r2")));
            script.add(Map.entry("backup_create", Map.of("kind", "nope")));
            script.add(Map.entry("audit_verify_chain", Map.of()));
            script.add(Map.entry("merkle_root", Map.of()));
            script.add(Map.entry("backup_verify", Map.of("snapshot", "../x")));
            script.add(Map.entry("backup_verify", Map.of("snapshot", "colibri-r1-20200101.db")));
            script.add(Map.entry("backup_list", Map.of()));
            script.add(Map.entry("backup_prune", Map.of("dry_run", true)));
            script.add(Map.entry("restore_plan", Map.of()));
            for (Map.Entry<String, Map<String, Object>> c : script) {
                if (tools.contains(c.getKey())) {
                    calls++;
                    texts.add(s.call(c.getKey(), c.getValue()).toString());
                }
            }
            JsonCall progress = new JsonCall(s);
            texts.add(progress.backupWithProgress());
            calls++;
            for (Path snap : Fixtures.finalSnapshots(ws.workspace().backupsDir())) {
                String name = snap.getFileName().toString();
                for (String tool : List.of("backup_verify", "audit_verify_chain", "merkle_root", "restore_plan")) {
                    if (tools.contains(tool)) {
                        calls++;
                        texts.add(s.call(tool, Map.of("snapshot", name)).toString());
                    }
                }
            }
            try (Connection c = Fixtures.connect(ws.database()); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE thought_records SET content = content || ' (edited)' WHERE position = 7");
                calls += 2;
                texts.add(s.call("audit_verify_chain", Map.of()).toString());
                texts.add(s.call("merkle_root", Map.of()).toString());
                st.executeUpdate("UPDATE thought_records SET content = replace(content, ' (edited)', '')"
                        + " WHERE position = 7");
            }
            for (int i = 0; i < 50; i++) {
                byte[] junk = new byte[1 + rnd.nextInt(200)];
                rnd.nextBytes(junk);
                s.writeRaw(junk);
                s.writeRaw(new byte[] {'\n'});
            }
            s.writeLine("{\"jsonrpc\":\"2.0\",\"id\":\"k\",\"method\":\"tools/call\",\"params\":{\"name\":\"backup_create\","
                    + "\"arguments\":{\"kind\":5}}}");
            RawServer second = RawServer.start(ws.env(), ws.home());
            second.waitForExit(Duration.ofSeconds(60));
            leak.server(second);
            calls++;
            texts.add(s.call("audit_verify_chain", Map.of()).toString());
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(120));
            leak.server(s);
        }
        byte[] good = Files.readAllBytes(ws.keyFile());
        positiveControl(good, tmp.resolve("control"), f);
        Files.setPosixFilePermissions(ws.keyFile(), PosixFilePermissions.fromString("rw-r--r--"));
        RawServer loose = RawServer.start(ws.env(), ws.home());
        loose.waitForExit(Duration.ofSeconds(60));
        leak.server(loose);
        Files.setPosixFilePermissions(ws.keyFile(), PosixFilePermissions.fromString("rw-------"));
        Path otherKey = tmp.resolve("keys").resolve("other.key");
        byte[] other = new byte[32];
        rnd.nextBytes(other);
        Files.write(otherKey, other);
        Files.setPosixFilePermissions(otherKey, PosixFilePermissions.fromString("rw-------"));
        leak.key(otherKey);
        Map<String, String> wrongEnv = new LinkedHashMap<>(ws.env());
        wrongEnv.put("COLIBRI_AUDIT_KEY_FILE", otherKey.toString());
        RawServer wrong = RawServer.start(wrongEnv, ws.home());
        wrong.waitForExit(Duration.ofSeconds(60));
        leak.server(wrong);
        int cliRuns = 0;
        Map<String, Integer> cliExits = new LinkedHashMap<>();
        for (List<String> args : List.of(List.of("--help"), List.of("--version"), List.of("backup", "list", "--json"),
                List.of("backup", "verify", "--json", "colibri-r1-20200101.db"), List.of("audit", "verify", "--json"),
                List.of("merkle", "root", "--json"), List.of("restore"))) {
            cliRuns++;
            cliExits.put(String.join(" ", args), cli(ws, args, leak));
        }
        f.check(java.util.Arrays.equals(good, Files.readAllBytes(ws.keyFile())), "the key file changed");
        leak.stream("tool result texts", String.join("\n", texts));
        LeakScan.Result r = leak.run();
        f.trials(calls, 40).put("tool_calls", calls).put("processes_started", 5 + cliRuns)
                .put("files_searched", r.files()).put("file_mib", r.fileBytes() / 1048576.0)
                .put("streams_searched", r.streams()).put("stream_kib", r.streamBytes() / 1024)
                .put("patterns_per_key", 5).put("keys", r.keys()).put("cli_exit_codes", cliExits.toString());
        f.keyScan(r);
        f.summary(r.hits().size() + " occurrences of " + r.keys() + " keys in " + r.files() + " files and " + r.streams()
                + " streams (" + calls + " tool calls, " + (5 + cliRuns) + " processes)");
        f.recordAndAssert();
    }

    /** The search itself must find each form of a key it is given, in a stream and in a binary file. */
    private static void positiveControl(byte[] key, Path dir, Figures f) throws Exception {
        Files.createDirectories(dir);
        byte[] file = new byte[8192];
        System.arraycopy(key, 0, file, 5000, key.length);
        Files.write(dir.resolve("blob.bin"), file);
        String hex = java.util.HexFormat.of().formatHex(key);
        List<LeakScan> controls = List.of(new LeakScan().keyBytes(key).dir(dir),
                new LeakScan().keyBytes(key).stream("hex", "key=" + hex + ";"),
                new LeakScan().keyBytes(key).stream("HEX", hex.toUpperCase(java.util.Locale.ROOT)),
                new LeakScan().keyBytes(key).stream("base64", "{\"k\":\"" + java.util.Base64.getEncoder()
                        .encodeToString(key) + "\"}"),
                new LeakScan().keyBytes(key).stream("base64url", java.util.Base64.getUrlEncoder().encodeToString(key)));
        long found = controls.stream().filter(c -> !c.run().hits().isEmpty()).count();
        f.put("positive_control_found", found + "/" + controls.size());
        f.check(found == controls.size(), "the leak search is blind: it found " + found + " of " + controls.size()
                + " planted key forms (raw in a binary file, hex, HEX, base64, base64url)");
        EnvironmentFaultsIT.deleteTree(dir);
    }

    private static int cli(TestWorkspace ws, List<String> args, LeakScan leak) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ServerLauncher.command(args.toArray(String[]::new)));
        pb.environment().keySet().removeIf(k -> k.startsWith("COLIBRI_"));
        pb.environment().putAll(ws.env());
        pb.directory(ws.home().toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        leak.stream("cli stdout " + args, out).stream("cli stderr " + args, err);
        return p.isAlive() ? -1 : p.exitValue();
    }

    /** A backup_create with a progress token, so progress notifications are part of what is searched. */
    private record JsonCall(RawServer s) {
        String backupWithProgress() throws Exception {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("name", "backup_create");
            params.put("arguments", Map.of("kind", "session", "label", "progress"));
            params.put("_meta", Map.of("progressToken", "leak-progress"));
            return new String(RawServer.JSON.writeValueAsBytes(
                    s.send("tools/call", params).get(120, TimeUnit.SECONDS)), StandardCharsets.UTF_8);
        }
    }
}
