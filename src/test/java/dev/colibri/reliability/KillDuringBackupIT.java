package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 1: {@code kill -9} of the server at a random moment of {@code backup_create} on a database
 * of tens of MB. Each trial starts the server (which must have removed the temporaries the previous
 * kill left), verifies through {@code backup_verify} every snapshot that appeared under a final name,
 * checks the live chain, then calls {@code backup_create} and kills the process after a random delay.
 */
class KillDuringBackupIT {

    @TempDir
    Path tmp;

    @Test
    void killNineDuringBackupNeverLeavesABadSnapshotAndTheNextStartCleansUp() throws Exception {
        int trials = Trials.count(50, 5);
        long seed = Trials.seed();
        Random rnd = new Random(seed);
        int records = Trials.count(20_000, 6_000);
        Figures f = new Figures("01-kill-during-backup", 1,
                "kill -9 (ProcessHandle.destroyForcibly) of the server at a random moment during backup_create",
                "no file under a final snapshot name (colibri-*.db) fails backup_verify on a fresh server; the live"
                        + " audit chain verifies; the next start removes every .colibri-tmp-* temporary",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        Path backups = ws.workspace().backupsDir();
        long t0 = System.nanoTime();
        Fixtures.load(ws, records, 1400, "r1", seed, Trials.full());
        f.timing("build_database_ms", ms(t0));
        long dbBytes = Files.size(ws.database());
        f.put("database_mib", Fixtures.mib(dbBytes)).put("records", records);
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());

        Set<String> seen = new HashSet<>();
        List<Long> killDelays = new ArrayList<>();
        List<Long> verifyMs = new ArrayList<>();
        // the kill window: uninterrupted backups timed under the same conditions as a trial (fresh start,
        // the same checks first), so that random kills cover the whole call, copy, check, manifest and rename
        long calibrationMs = 0;
        for (int c = 1; c <= 2; c++) {
            RawServer s = RawServer.serve(ws.env(), ws.home());
            try {
                afterStart(s, f, backups, seen, records, verifyMs, 0);
                long c0 = System.nanoTime();
                RawServer.ToolCall cal = s.call("backup_create", Map.of("kind", "session", "label", "calibration " + c));
                calibrationMs = Math.max(calibrationMs, ms(c0));
                f.check(cal.ok(), "calibration backup failed: " + cal);
                afterStart(s, f, backups, seen, records, verifyMs, 0);
            } finally {
                f.check(s.closeAndWait(Duration.ofSeconds(60)) == 0, "calibration server exit code != 0");
                leak.server(s);
            }
        }
        f.timing("uninterrupted_backup_ms", calibrationMs);
        RawServer s;
        int killedMidCall = 0;
        int left = 0;
        int trialsRun = 0;
        List<Path> previousTemps = List.of();
        for (int trial = 1; trial <= trials; trial++) {
            s = RawServer.serve(ws.env(), ws.home());
            removed(previousTemps, f);
            afterStart(s, f, backups, seen, records, verifyMs, trial);
            long delay = (long) (rnd.nextDouble() * calibrationMs * 1.2);
            CompletableFuture<RawServer.ToolCall> call = s.callAsync("backup_create",
                    Map.of("kind", "session", "label", "kill trial " + trial));
            Thread.sleep(delay);
            boolean inFlight = !call.isDone();
            boolean completed = call.isDone() && !call.isCompletedExceptionally();
            List<ProcessHandle> orphans = s.kill();
            if (!orphans.isEmpty()) {
                // a helper the server had started (e.g. a copy process) outlives it, as after a real crash
                f.add("helper_processes_outliving_the_kill", orphans.size());
                for (ProcessHandle o : orphans) {
                    try {
                        o.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        f.problem("trial " + trial + ": helper process " + o.pid() + " still running 60 s after the kill");
                        o.destroyForcibly();
                    }
                }
            }
            leak.server(s);
            trialsRun++;
            killDelays.add(delay);
            if (completed) {
                f.add("calls_completed_before_the_kill", 1);
            }
            if (inFlight) {
                killedMidCall++;
            }
            List<Path> temps = Fixtures.temporaries(backups);
            previousTemps = temps;
            if (!temps.isEmpty()) {
                left++;
                f.add("temporaries_left_by_kills", temps.size());
            }
            f.add("orphan_manifests_seen", Fixtures.orphanManifests(backups).size());
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
        }
        s = RawServer.serve(ws.env(), ws.home());
        removed(previousTemps, f);
        try {
            afterStart(s, f, backups, seen, records, verifyMs, trials + 1);
        } finally {
            f.check(s.closeAndWait(Duration.ofSeconds(60)) == 0, "final server exit code != 0");
            leak.server(s);
        }
        f.trials(trialsRun, Trials.count(50, 5));
        f.put("killed_while_call_in_flight", killedMidCall).put("kills_that_left_temporaries", left);
        f.timings("kill_delay", killDelays).timings("backup_verify_of_survivor", verifyMs);
        f.keyScan(leak.run());
        f.summary(trialsRun + " kills (" + killedMidCall + " mid-call, " + left + " mid-copy leaving temporaries); "
                + f.count("final_snapshots_verified") + " surviving snapshots all verify; "
                + f.count("temporaries_removed_at_start") + " temporaries removed at next start; chain ok after every kill");
        f.recordAndAssert();
    }

    /** What must hold whenever the server has just started after a kill. */
    private static void afterStart(RawServer s, Figures f, Path backups, Set<String> seen, int records,
            List<Long> verifyMs, int trial) {
        List<Path> temps = Fixtures.temporaries(backups);
        f.check(temps.isEmpty(), "trial " + trial + ": temporaries survived the start: " + temps);
        for (Path snap : Fixtures.finalSnapshots(backups)) {
            String name = snap.getFileName().toString();
            if (!seen.add(name)) {
                continue;
            }
            long v0 = System.nanoTime();
            RawServer.ToolCall v = s.call("backup_verify", Map.of("snapshot", name));
            verifyMs.add(ms(v0));
            f.add("final_snapshots_verified", 1);
            boolean safe = v.structured() != null && v.structured().path("safe_to_restore").asBoolean(false);
            f.check(safe && v.ok(), "trial " + trial + ": " + name + " is under a final name but fails backup_verify: "
                    + v.text());
            Fixtures.delete(snap); // keeps the disk bounded; it was proven whole
        }
        RawServer.ToolCall chain = s.call("audit_verify_chain", Map.of());
        f.check(chain.ok() && "ok".equals(chain.str("status"))
                && chain.structured().path("length").asLong() == records,
                "trial " + trial + ": live chain after the kill: " + chain.text());
        RawServer.ToolCall root = s.call("merkle_root", Map.of());
        f.check(root.structured() != null
                && "match".equals(root.structured().path("anchor").path("status").asString("")),
                "trial " + trial + ": merkle_root after the kill: " + root.text());
        f.add("starts_checked", 1);
    }

    private static void removed(List<Path> temps, Figures f) {
        f.add("temporaries_removed_at_start", temps.stream().filter(t -> !Files.exists(t)).count());
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
