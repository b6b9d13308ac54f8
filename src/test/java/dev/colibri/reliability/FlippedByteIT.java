package dev.colibri.reliability;

import dev.colibri.Colibri;
import dev.colibri.backup.Check;
import dev.colibri.backup.Verification;
import dev.colibri.testing.TestWorkspace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Fault 2: one random byte of a snapshot file XORed with a random non-zero value. Some trials go
 * through {@code backup_verify} of the real server, the rest through {@link dev.colibri.backup.SnapshotVerifier}
 * in-process (the same code, without the round trip). Every one must be marked unsafe.
 */
class FlippedByteIT {

    @TempDir
    Path tmp;

    @Test
    void everyFlippedByteMakesTheSnapshotUnsafe() throws Exception {
        int trials = Trials.count(1000, 30);
        int viaServer = Trials.count(25, 10);
        long seed = Trials.seed();
        Random rnd = new Random(seed);
        Figures f = new Figures("02-flipped-byte", 2,
                "one random byte of a snapshot file flipped (XOR with a random non-zero value, anywhere in the file)",
                "100% marked unsafe (safe_to_restore false) by backup_verify; verifying never writes beside the snapshot",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        Fixtures.load(ws, 400, 300, "r1", seed, false);
        Path backups = ws.workspace().backupsDir();
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        String name;
        Path file;
        byte[] pristine;
        TreeMap<String, Integer> failedChecks = new TreeMap<>();
        int detected = 0;
        int detectedWithoutChecksum = 0;
        int run = 0;
        List<Long> serverMs = new ArrayList<>();
        List<Long> inProcessMs = new ArrayList<>();
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            RawServer.ToolCall created = s.call("backup_create", Map.of("kind", "round", "round", "r1"));
            f.check(created.ok(), "backup_create: " + created);
            name = created.structured().path("snapshot").path("name").asString();
            file = backups.resolve(name);
            pristine = Files.readAllBytes(file);
            f.put("snapshot_bytes", pristine.length);
            f.check(safe(s.call("backup_verify", Map.of("snapshot", name))), "the pristine snapshot does not verify");
            for (int i = 0; i < viaServer; i++) {
                flip(file, pristine, rnd, f);
                long t0 = System.nanoTime();
                RawServer.ToolCall v = s.call("backup_verify", Map.of("snapshot", name));
                serverMs.add((System.nanoTime() - t0) / 1_000_000);
                run++;
                List<String> failed = new ArrayList<>();
                for (JsonNode c : v.structured() == null ? RawServer.JSON.createArrayNode() : v.structured().path("checks")) {
                    if ("fail".equals(c.path("status").asString(""))) {
                        failed.add(c.path("name").asString(""));
                    }
                }
                boolean unsafe = v.isError() && !v.protocolError() && v.structured() != null
                        && !v.structured().path("safe_to_restore").asBoolean(true);
                if (f.check(unsafe, "server trial " + i + ": flipped snapshot not marked unsafe: " + v)) {
                    detected++;
                }
                tally(failed, failedChecks);
                if (failed.stream().anyMatch(c -> !"checksum".equals(c))) {
                    detectedWithoutChecksum++;
                }
                Files.write(file, pristine);
            }
            f.check(safe(s.call("backup_verify", Map.of("snapshot", name))), "the restored pristine snapshot does not verify");
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(60));
            leak.server(s);
        }
        f.put("via_real_server", run);
        try (Colibri colibri = Colibri.open(ws.workspace(), Clock.systemUTC())) {
            for (int i = run; i < trials; i++) {
                flip(file, pristine, rnd, f);
                long t0 = System.nanoTime();
                Verification v = colibri.verifier().verify(colibri.catalog().resolve(name));
                inProcessMs.add((System.nanoTime() - t0) / 1_000_000);
                run++;
                List<String> failed = v.checks().stream().filter(Check::failed).map(Check::name).toList();
                if (f.check(!v.safeToRestore(), "in-process trial " + i + ": flipped snapshot not marked unsafe")) {
                    detected++;
                }
                tally(failed, failedChecks);
                if (failed.stream().anyMatch(c -> !"checksum".equals(c))) {
                    detectedWithoutChecksum++;
                }
                Files.write(file, pristine);
            }
            Verification clean = colibri.verifier().verify(colibri.catalog().resolve(name));
            f.check(clean.safeToRestore(), "pristine snapshot no longer verifies: " + clean.failures());
        }
        List<Path> beside = Fixtures.list(backups, p -> !p.getFileName().toString().equals(name)
                && !p.getFileName().toString().equals(name + ".manifest.json"));
        f.check(beside.isEmpty(), "verification left files beside the snapshot: " + beside);
        f.trials(run, Trials.count(1000, 30)).detected(detected);
        f.put("in_process", run - f.count("via_real_server"));
        f.put("failed_checks", failedChecks).put("also_caught_by_a_sqlite_or_chain_check", detectedWithoutChecksum);
        f.timings("backup_verify_over_stdio", serverMs).timings("snapshot_verifier_in_process", inProcessMs);
        f.keyScan(leak.run());
        f.summary(detected + "/" + run + " marked unsafe (" + f.count("via_real_server") + " through the server); "
                + detectedWithoutChecksum + " would be caught even without the manifest checksum");
        f.recordAndAssert();
    }

    private static void flip(Path file, byte[] pristine, Random rnd, Figures f) throws IOException {
        long pos = (long) (rnd.nextDouble() * pristine.length);
        int mask = 1 + rnd.nextInt(255);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(pos);
            raf.write((pristine[(int) pos] ^ mask) & 0xff);
        }
        if (pos < 100) {
            f.add("flips_in_file_header", 1);
        }
    }

    private static boolean safe(RawServer.ToolCall v) {
        return v.ok() && v.structured() != null && v.structured().path("safe_to_restore").asBoolean(false);
    }

    private static void tally(List<String> failed, TreeMap<String, Integer> counts) {
        for (String c : failed) {
            counts.merge(c, 1, Integer::sum);
        }
    }
}
