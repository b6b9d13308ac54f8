package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 8: the environment around the workspace goes wrong: the backups folder unreadable, missing
 * or replaced by a file; the cold directory unavailable; the audit key file readable by others,
 * replaced by another key, or missing while the chain has records. Each must give a clear message,
 * and a key problem must refuse the start: never a silent re-key.
 */
class EnvironmentFaultsIT {

    @TempDir
    Path tmp;

    private static final Duration START = Duration.ofSeconds(60);

    @Test
    void backupsFolderUnreadableMissingOrAFile() throws Exception {
        long seed = Trials.seed();
        Figures f = new Figures("08a-backups-dir-unusable", 8,
                "data/backups unreadable (chmod 000), deleted while serving, or a regular file where the folder should"
                        + " be (while serving and at start)",
                "tool calls return a clear isError result naming data/backups (never a protocol error or a crash); a"
                        + " deleted folder is recreated; a start on an unusable folder is refused with a message",
                seed).label("8a");
        TestWorkspace ws = TestWorkspace.in(tmp);
        Fixtures.load(ws, 30, 100, "r1", seed, false);
        Path backups = ws.workspace().backupsDir();
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        int run = 0;
        int held = 0;
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            List<String> tools = s.toolNames();
            Files.setPosixFilePermissions(backups, PosixFilePermissions.fromString("---------"));
            boolean enforced = !Files.isReadable(backups) || !Files.isWritable(backups);
            if (!enforced) {
                f.assume("running as uid 0 (root): permission bits are not enforced, so chmod 000 cannot make"
                        + " data/backups unreadable here; that case is covered by a regular file in place of the"
                        + " folder below");
            } else {
                run++;
                RawServer.ToolCall r = s.call("backup_create", Map.of());
                held += f.check(clearError(r, "backups"), "chmod 000: " + r) ? 1 : 0;
                if (tools.contains("backup_list")) {
                    run++;
                    RawServer.ToolCall l = s.call("backup_list", Map.of());
                    held += f.check(clearError(l, "backups"), "chmod 000 backup_list: " + l) ? 1 : 0;
                }
            }
            Files.setPosixFilePermissions(backups, PosixFilePermissions.fromString("rwxr-xr-x"));

            deleteTree(backups);
            run++;
            RawServer.ToolCall recreated = s.call("backup_create", Map.of("label", "after rm -r"));
            held += f.check(recreated.ok() && Files.isDirectory(backups), "deleted data/backups: " + recreated) ? 1 : 0;

            deleteTree(backups);
            Files.writeString(backups, "not a folder");
            for (String tool : List.of("backup_create", "backup_verify", "backup_list", "backup_prune", "restore_plan")) {
                if (!tools.contains(tool)) {
                    continue;
                }
                Map<String, Object> args = tool.equals("backup_verify") ? Map.of("snapshot", "colibri-r1-20260101.db")
                        : tool.equals("backup_prune") ? Map.of("dry_run", true) : Map.of();
                run++;
                RawServer.ToolCall r = s.call(tool, args);
                boolean ok = !r.protocolError() && (r.isError() ? r.text().contains("backups")
                        || r.text().contains("no snapshot") : !tool.equals("backup_create"));
                held += f.check(ok, "a file in place of data/backups, " + tool + ": " + r) ? 1 : 0;
                f.put("file_in_place_" + tool, r.isError() ? "error: " + cut(r.text()) : "ok: " + cut(r.text()));
            }
            run++;
            held += f.check(s.call("audit_verify_chain", Map.of()).ok(), "the server stopped serving") ? 1 : 0;
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        RawServer refused = RawServer.start(ws.env(), ws.home());
        int code = refused.waitForExit(START);
        leak.server(refused);
        run++;
        held += f.check(code != 0 && refused.stderr().contains(backups.toString()) && refused.stdout().isEmpty(),
                "start with a file in place of data/backups: exit " + code + ", stderr " + cut(refused.stderr())) ? 1 : 0;
        f.put("start_with_file_in_place", "exit " + code + ": " + cut(lastLine(refused.stderr())));
        Files.delete(backups);
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            run++;
            held += f.check(s.call("backup_create", Map.of()).ok(), "after the file was removed") ? 1 : 0;
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        f.trials(run, 5).detected(held);
        f.keyScan(leak.run());
        f.summary(held + "/" + run + " cases gave a clear result; server kept serving");
        f.recordAndAssert();
    }

    @Test
    void coldDirectoryUnavailable() throws Exception {
        long seed = Trials.seed();
        Figures f = new Figures("08b-cold-dir-unavailable", 8,
                "COLIBRI_COLD_DIR unavailable: not mounted (missing) or a regular file",
                "phase snapshot kept in data/backups and verifies; the result says the cold copy failed and why;"
                        + " listing works; nothing written at the cold path",
                seed).label("8b");
        TestWorkspace base = TestWorkspace.in(tmp);
        Fixtures.load(base, 30, 100, "r1", seed, false);
        LeakScan leak = new LeakScan().key(base.keyFile()).dir(base.home());
        int run = 0;
        int held = 0;
        Path missing = tmp.resolve("unmounted-drive").resolve("colibri-cold");
        Path file = tmp.resolve("cold-is-a-file");
        Files.writeString(file, "x");
        int round = 2;
        for (Path cold : List.of(missing, file)) {
            TestWorkspace ws = base.withCold(cold);
            try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
                run++;
                RawServer.ToolCall r = s.call("backup_create", Map.of("kind", "phase", "round", "r" + round));
                String name = r.structured() == null ? null : r.structured().path("snapshot").path("name").asString(null);
                boolean ok = !r.protocolError() && name != null && r.text().toLowerCase().contains("cold")
                        && (r.isError() || r.text().contains("not"));
                f.put("phase_backup_cold_" + (cold == file ? "file" : "missing"), cut(r.text()));
                if (f.check(ok, "cold " + cold + ": " + r)) {
                    RawServer.ToolCall v = s.call("backup_verify", Map.of("snapshot", name));
                    ok = f.check(v.ok(), "phase snapshot kept locally does not verify: " + v.text());
                }
                if (s.toolNames().contains("backup_list")) {
                    RawServer.ToolCall l = s.call("backup_list", Map.of());
                    ok &= f.check(l.ok(), "backup_list with the cold tier unavailable: " + l);
                }
                held += ok ? 1 : 0;
                s.closeAndWait(Duration.ofSeconds(60));
                leak.server(s);
            }
            round++;
        }
        f.check(!Files.exists(missing) && !Files.exists(missing.getParent()), "something created the missing cold path");
        f.check("x".equals(Files.readString(file)), "the file at the cold path was changed");
        f.trials(run, 2).detected(held);
        f.keyScan(leak.run());
        f.summary(held + "/" + run + " phase backups kept locally with the cold failure explained");
        f.recordAndAssert();
    }

    @Test
    void keyFileLoosePermissionsWrongKeyOrMissingKey() throws Exception {
        long seed = Trials.seed();
        Figures f = new Figures("08c-audit-key-faults", 8,
                "the audit key file readable by others (0644, 0640, 0604), replaced by another key (32 and 16 bytes),"
                        + " truncated to nothing, or missing while the chain has records",
                "the start is refused with exit code != 0, a message saying what to do (chmod 600 / the right key) and"
                        + " nothing on stdout; never a silent re-key: the key file, the stored key id and the chain are"
                        + " unchanged, and the right key still opens the workspace",
                seed).label("8c");
        TestWorkspace ws = TestWorkspace.in(tmp);
        Fixtures.load(ws, 40, 100, "r1", seed, false);
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        Path key = ws.keyFile();
        byte[] good = Files.readAllBytes(key);
        String keyId = metaKeyId(ws);
        int run = 0;
        int refused = 0;
        for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--")) {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));
            run++;
            refused += refusedWith(ws, f, leak, "key mode " + mode, "chmod 600") ? 1 : 0;
            f.check(Arrays.equals(good, Files.readAllBytes(key))
                    && PosixFilePermissions.toString(Files.getPosixFilePermissions(key)).equals(mode),
                    "the key file was changed by a refused start (mode " + mode + ")");
        }
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        SecureRandom random = new SecureRandom();
        for (int bytes : new int[] {32, 16, 0}) {
            byte[] other = new byte[bytes];
            random.nextBytes(other);
            Files.write(key, other);
            leak.keyBytes(other.length > 0 ? other : new byte[] {0x7f, 0x00, 0x7f, 0x00});
            run++;
            refused += refusedWith(ws, f, leak, "another " + bytes + "-byte key", bytes == 32 ? "not the key" : "key")
                    ? 1 : 0;
            f.check(Arrays.equals(other, Files.readAllBytes(key)), "the wrong key file was rewritten");
        }
        Files.delete(key);
        run++;
        refused += refusedWith(ws, f, leak, "missing key", "missing") ? 1 : 0;
        f.check(!Files.exists(key), "a refused start created a new key file: a silent re-key");
        Files.write(key, good);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        f.check(keyId.equals(metaKeyId(ws)), "the stored key id changed: " + metaKeyId(ws) + " != " + keyId);
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            RawServer.ToolCall chain = s.call("audit_verify_chain", Map.of());
            f.check(chain.ok() && chain.structured().path("length").asLong() == 40,
                    "with the right key back, the chain does not verify: " + chain.text());
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        f.trials(run, 7).detected(refused);
        f.keyScan(leak.run());
        f.summary(refused + "/" + run + " bad key setups refused with a clear message; key file, key id and chain"
                + " unchanged; the right key still opens the workspace");
        f.recordAndAssert();
    }

    private static boolean refusedWith(TestWorkspace ws, Figures f, LeakScan leak, String what, String hint) {
        RawServer s = RawServer.start(ws.env(), ws.home());
        int code = s.waitForExit(START);
        leak.server(s);
        String err = s.stderr();
        f.put(what.replace(' ', '_'), "exit " + code + ": " + cut(lastLine(err)));
        return f.check(code != 0 && err.toLowerCase().contains(hint.toLowerCase()) && s.stdout().isEmpty()
                && !err.contains("Exception in thread"), what + ": exit " + code + ", stderr: " + cut(err));
    }

    private static String metaKeyId(TestWorkspace ws) {
        try (var c = dev.colibri.workspace.Sqlite.openReadOnly(ws.database());
                var st = c.prepareStatement("SELECT value FROM meta WHERE key = 'audit_key_id'");
                var rs = st.executeQuery()) {
            return rs.next() ? rs.getString(1) : "";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean clearError(RawServer.ToolCall r, String mentions) {
        return !r.protocolError() && r.isError() && r.text().contains(mentions);
    }

    static String cut(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @SuppressWarnings("unused")
    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
