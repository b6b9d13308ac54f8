package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 7: the disk under {@code data/backups} fills up during a backup. A small tmpfs is mounted
 * as {@code data/backups} and a filler file leaves a chosen number of bytes free, from none to
 * just enough; every {@code backup_create} must either produce a snapshot that verifies or fail
 * with a clear error, leaving no partial snapshot, no temporary, and the live database untouched.
 */
class DiskFullIT {

    private static final Pattern CLEAR = Pattern.compile(
            "(?i)no space left|disk is full|database or disk is full|SQLITE_FULL|not enough (free )?space|out of space");

    @TempDir
    Path tmp;

    @Test
    void aFullDiskFailsTheBackupCleanlyAndLeavesTheLiveDatabaseUntouched() throws Exception {
        long seed = Trials.seed();
        Random rnd = new Random(seed);
        Figures f = new Figures("07-disk-full", 7,
                "disk full during backup_create: a tmpfs mounted as data/backups with 0 bytes to just-enough bytes"
                        + " free (a filler file sets the level)",
                "a clear error naming the lack of space (or a whole snapshot that verifies); no partial snapshot,"
                        + " manifest or temporary left; the live database untouched and still served",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        Fixtures.load(ws, 1500, 600, "r1", seed, false);
        Path backups = ws.workspace().backupsDir();
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        long snapshotBytes;
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            RawServer.ToolCall probe = s.call("backup_create", Map.of("kind", "session", "label", "size probe"));
            f.check(probe.ok(), "size probe: " + probe);
            snapshotBytes = probe.structured().path("snapshot").path("size_bytes").asLong();
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        for (Path p : Fixtures.finalSnapshots(backups)) {
            Fixtures.delete(p);
        }
        long capacity = (snapshotBytes + 512 * 1024) / 4096 * 4096;
        String mountError = mount(backups, capacity);
        if (mountError != null) {
            f.skipped("cannot mount a tmpfs as data/backups (" + mountError + "); needs root with CAP_SYS_ADMIN"
                    + " (e.g. `mount -t tmpfs -o size=2m tmpfs DIR`)");
            f.record();
            org.junit.jupiter.api.Assumptions.assumeTrue(false, mountError);
            return;
        }
        f.put("snapshot_bytes", snapshotBytes).put("tmpfs_bytes", capacity);
        TreeSet<Long> levels = new TreeSet<>(List.of(0L, 4096L, snapshotBytes / 4, snapshotBytes / 2,
                snapshotBytes - 4096, snapshotBytes, snapshotBytes + 4096, snapshotBytes + 16384,
                snapshotBytes + 65536, capacity));
        while (levels.size() < Trials.count(24, 10)) {
            levels.add((long) (rnd.nextDouble() * (snapshotBytes + 65536)) / 4096 * 4096);
        }
        int run = 0;
        int clearErrors = 0;
        int whole = 0;
        List<Long> ms = new ArrayList<>();
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            String liveBefore = liveState(s);
            for (long free : levels) {
                Path filler = backups.resolve("filler.bin");
                fill(filler, Files.getFileStore(backups).getUsableSpace() - free);
                long actualFree = Files.getFileStore(backups).getUsableSpace();
                long t0 = System.nanoTime();
                RawServer.ToolCall r = s.call("backup_create", Map.of("kind", "session", "label", "free " + free));
                ms.add((System.nanoTime() - t0) / 1_000_000);
                run++;
                List<Path> finals = Fixtures.finalSnapshots(backups);
                if (r.ok()) {
                    whole++;
                    String name = r.structured().path("snapshot").path("name").asString();
                    RawServer.ToolCall v = s.call("backup_verify", Map.of("snapshot", name));
                    f.check(v.ok(), free + " bytes free: the backup succeeded but does not verify: " + v.text());
                } else {
                    boolean clear = !r.protocolError() && CLEAR.matcher(r.text()).find();
                    if (f.check(clear, actualFree + " bytes free: the error does not say the disk is full: " + r)) {
                        clearErrors++;
                        f.put("example_error", EnvironmentFaultsIT.cut(r.text()));
                    }
                    f.check(finals.isEmpty(), actualFree + " bytes free: failed backup left " + finals);
                    f.check(Fixtures.orphanManifests(backups).isEmpty(), actualFree + " bytes free: orphan manifest "
                            + Fixtures.orphanManifests(backups));
                }
                f.check(Fixtures.temporaries(backups).isEmpty(), actualFree + " bytes free: temporaries left: "
                        + Fixtures.temporaries(backups));
                f.check(liveBefore.equals(liveState(s)), actualFree + " bytes free: the live database changed: "
                        + liveState(s));
                Files.deleteIfExists(filler);
                for (Path p : finals) {
                    Fixtures.delete(p);
                }
            }
            RawServer.ToolCall append = s.call("thought_record_append", Map.of("kind", "note", "content", "after"));
            f.check(append.ok(), "the server no longer writes after the disk-full trials: " + append);
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        } finally {
            umount(backups);
        }
        f.trials(run, Trials.count(24, 10)).detected(clearErrors);
        f.put("failed_with_clear_error", clearErrors).put("fitted_and_verified", whole);
        f.timings("backup_create", ms);
        f.keyScan(leak.run());
        f.summary(run + " fill levels: " + clearErrors + " clear disk-full errors, " + whole
                + " whole snapshots that verify; no partial file left; live database unchanged");
        f.recordAndAssert();
    }

    /** Chain, Merkle and table facts of the live database, as the server reports them. */
    private static String liveState(RawServer s) {
        RawServer.ToolCall chain = s.call("audit_verify_chain", Map.of());
        RawServer.ToolCall root = s.call("merkle_root", Map.of());
        return chain.str("status") + " " + chain.structured().path("length") + " " + chain.str("head_hash") + " "
                + root.str("root") + " " + root.structured().path("anchor").path("status").asString("");
    }

    private static void fill(Path filler, long bytes) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (long left = Math.max(0, bytes); left > 0; left -= block.length) {
                try {
                    out.write(block, 0, (int) Math.min(block.length, left));
                } catch (IOException e) {
                    return; // full already
                }
            }
        }
    }

    /** Mounts a tmpfs of {@code bytes} on {@code dir}; returns null or why it could not. */
    static String mount(Path dir, long bytes) throws Exception {
        return run("mount", "-t", "tmpfs", "-o", "size=" + (bytes / 1024) + "k,mode=0755", "tmpfs", dir.toString());
    }

    static void umount(Path dir) throws Exception {
        for (int i = 0; i < 10 && run("umount", dir.toString()) != null; i++) {
            Thread.sleep(300);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", cmd) + " timed out";
        }
        return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": exit " + p.exitValue() + " " + out;
    }
}
