package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 5: backups while writers commit continuously: a second SQLite connection (another process's
 * view of the file) inserting into {@code tasks} one row per commit as fast as it can, and a client
 * appending thought records through the server at the same time. Before each {@code backup_create}
 * the highest committed task id and the number of acknowledged appends are noted; the snapshot must
 * hold all of them, verify clean, and the backup must always finish.
 */
class BackupUnderWritersIT {

    @TempDir
    Path tmp;

    @Test
    void noCommittedRowIsMissingFromASnapshotTakenUnderLoad() throws Exception {
        int trials = Trials.count(20, 3);
        long seed = Trials.seed();
        Random rnd = new Random(seed);
        Figures f = new Figures("05-backup-under-writers", 5,
                "backup_create while a second SQLite connection commits task rows continuously (one row per commit)"
                        + " and a client appends thought records through the server concurrently",
                "0 committed rows missing from any snapshot (every task id committed and every append acknowledged"
                        + " before the call is in it); every snapshot verifies; every backup finishes",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        int initial = 200;
        Fixtures.load(ws, initial, 300, "r1", seed, false);
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        AtomicLong appended = new AtomicLong();
        List<Long> backupMs = new ArrayList<>();
        List<Long> duringBackup = new ArrayList<>();
        int run = 0;
        int complete = 0;
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            Thread writer = new Thread(() -> {
                try (Connection c = Fixtures.connect(ws.database())) {
                    try (Statement st = c.createStatement()) {
                        st.execute("PRAGMA synchronous = NORMAL");
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO tasks(id, status, progress, created_at,"
                            + " updated_at) VALUES(?, 'pending', 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")) {
                        for (long i = 1; !stop.get(); i++) {
                            ps.setString(1, taskId(i));
                            ps.executeUpdate();
                            committed.set(i);
                        }
                    }
                } catch (Exception e) {
                    f.problem("the foreign writer failed: " + e);
                }
            }, "foreign-writer");
            Thread appender = new Thread(() -> {
                for (long i = 0; !stop.get(); i++) {
                    RawServer.ToolCall r = s.call("thought_record_append", Map.of("kind", "note", "content",
                            "under load " + i));
                    if (r.ok()) {
                        appended.incrementAndGet();
                    } else {
                        f.problem("thought_record_append under load failed: " + r);
                    }
                }
            }, "appender");
            long start = System.nanoTime();
            writer.start();
            appender.start();
            try {
                while (committed.get() < 500 && writer.isAlive()) {
                    Thread.sleep(5);
                }
                for (int trial = 1; trial <= trials; trial++) {
                    Thread.sleep(rnd.nextInt(300));
                    long before = committed.get();
                    long appendsBefore = appended.get();
                    long t0 = System.nanoTime();
                    RawServer.ToolCall r = s.call("backup_create", Map.of("kind", "session", "label", "load " + trial),
                            Duration.ofSeconds(120));
                    backupMs.add((System.nanoTime() - t0) / 1_000_000);
                    duringBackup.add(committed.get() - before);
                    run++;
                    if (!f.check(r.ok(), "trial " + trial + ": backup_create failed: " + r)) {
                        continue;
                    }
                    complete++;
                    Path snap = Path.of(r.structured().path("snapshot").path("path").asString());
                    String name = r.structured().path("snapshot").path("name").asString();
                    long present = Fixtures.queryLong(snap, "SELECT count(*) FROM tasks WHERE id LIKE 'w%' AND id <= '"
                            + taskId(before) + "'");
                    f.check(present == before, "trial " + trial + ": " + (before - present) + " of " + before
                            + " committed task rows are missing from " + name);
                    f.add("committed_rows_checked", before);
                    f.add("committed_rows_missing", Math.max(0, before - present));
                    long records = Fixtures.queryLong(snap, "SELECT count(*) FROM thought_records");
                    f.check(records >= initial + appendsBefore, "trial " + trial + ": " + name + " holds " + records
                            + " records but " + (initial + appendsBefore) + " were acknowledged before the call");
                    RawServer.ToolCall v = s.call("backup_verify", Map.of("snapshot", name));
                    f.check(v.ok() && v.structured().path("safe_to_restore").asBoolean(false),
                            "trial " + trial + ": " + name + " does not verify: " + v.text());
                }
            } finally {
                stop.set(true);
                writer.join(60_000);
                appender.join(180_000);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            f.put("foreign_commits", committed.get()).put("foreign_commits_per_second", Math.round(committed.get() / seconds));
            f.put("appends_acknowledged", appended.get());
            f.check(committed.get() / seconds >= 100, "the foreign writer managed only "
                    + Math.round(committed.get() / seconds) + " commits/s; the fault needs hundreds");
            RawServer.ToolCall chain = s.call("audit_verify_chain", Map.of());
            f.check(chain.ok() && chain.structured().path("length").asLong() == initial + appended.get(),
                    "live chain after the load: " + chain.text() + " (expected " + (initial + appended.get()) + ")");
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(120));
            leak.server(s);
        }
        f.trials(run, Trials.count(20, 3)).put("backups_finished", complete);
        f.timings("backup_create_under_load", backupMs);
        f.timing("foreign_commits_during_a_backup", stats(duringBackup));
        f.keyScan(leak.run());
        f.summary(complete + "/" + run + " backups finished; " + f.count("committed_rows_missing") + " of "
                + f.count("committed_rows_checked") + " committed rows missing; writer at "
                + f.count("foreign_commits_per_second") + " commits/s plus " + f.count("appends_acknowledged")
                + " concurrent appends");
        f.recordAndAssert();
    }

    private static String stats(List<Long> v) {
        if (v.isEmpty()) {
            return "none";
        }
        List<Long> s = v.stream().sorted().toList();
        return "min " + s.get(0) + ", median " + s.get(s.size() / 2) + ", max " + s.get(s.size() - 1);
    }

    private static String taskId(long i) {
        return String.format("w%09d", i);
    }
}
