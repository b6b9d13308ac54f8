package dev.colibri.reliability;

import dev.colibri.testing.TestWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 6: many client threads calling tools at once over one stdio session (the server handles
 * requests concurrently): appends, task upserts, backups, verifications, listings, prune dry runs,
 * finalizations. No call may fail, none may mention SQLITE_BUSY or a locked database, no two
 * backups may share a name, and no append may be lost.
 */
class ConcurrentCallsIT {

    @TempDir
    Path tmp;

    @Test
    void concurrentToolCallsNeverSeeABusyDatabaseOrLoseAWrite() throws Exception {
        int threads = Trials.count(16, 8);
        int perThread = Trials.count(60, 15);
        long seed = Trials.seed();
        Figures f = new Figures("06-concurrent-tool-calls", 6,
                "concurrent tool calls over one session: " + threads + " client threads mixing thought_record_append,"
                        + " task_upsert, backup_create, backup_verify, backup_list, backup_prune (dry run),"
                        + " restore_plan, audit_verify_chain, merkle_root, merkle_finalize",
                "no error text containing SQLITE_BUSY or \"database is locked\" (no call fails at all); no two backups"
                        + " share a name; no lost write: chain length equals the number of successful appends and the"
                        + " positions returned are exactly 0..n-1",
                seed);
        TestWorkspace ws = TestWorkspace.in(tmp);
        int initial = 50;
        Fixtures.load(ws, initial, 200, "r1", seed, false);
        LeakScan leak = new LeakScan().key(ws.keyFile()).dir(ws.home());
        ConcurrentLinkedQueue<Long> positions = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> backups = new ConcurrentLinkedQueue<>();
        Set<String> taskIds = ConcurrentHashMap.newKeySet();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        try (RawServer s = RawServer.serve(ws.env(), ws.home())) {
            List<String> tools = s.toolNames();
            Map<String, Integer> weights = new LinkedHashMap<>();
            weights.put("thought_record_append", 35);
            weights.put("task_upsert", 20);
            weights.put("backup_create", 6);
            weights.put("backup_verify", 5);
            weights.put("audit_verify_chain", 6);
            weights.put("merkle_root", 5);
            weights.put("merkle_finalize", 5);
            weights.put("backup_list", 8);
            weights.put("backup_prune", 5);
            weights.put("restore_plan", 3);
            List<String> absent = weights.keySet().stream().filter(t -> !tools.contains(t)).toList();
            weights.keySet().removeAll(absent);
            if (!absent.isEmpty()) {
                f.assume("not offered by this build, so not exercised: " + absent);
            }
            List<String> deck = new ArrayList<>();
            weights.forEach((t, w) -> deck.addAll(Collections.nCopies(w, t)));
            RawServer.ToolCall first = s.call("backup_create", Map.of("kind", "session", "label", "seed"));
            f.check(first.ok(), "first backup: " + first);
            backups.add(first.structured().path("snapshot").path("name").asString());
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Random rnd = new Random(seed + t);
                int thread = t;
                Thread w = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        String tool = deck.get(rnd.nextInt(deck.size()));
                        Map<String, Object> args = args(tool, thread, i, rnd, taskIds, backups);
                        long t0 = System.nanoTime();
                        RawServer.ToolCall r = s.call(tool, args);
                        latencies.add((System.nanoTime() - t0) / 1_000_000);
                        calls.computeIfAbsent(tool, k -> new AtomicInteger()).incrementAndGet();
                        String all = r.text() + (r.structured() == null ? "" : r.structured().toString());
                        if (all.contains("SQLITE_BUSY") || all.toLowerCase().contains("database is locked")) {
                            busy.incrementAndGet();
                            f.problem(tool + " saw a busy database: " + r.text());
                        }
                        if (!r.ok()) {
                            failed.incrementAndGet();
                            f.problem(tool + " " + args + " failed: " + r);
                            continue;
                        }
                        switch (tool) {
                            case "thought_record_append" -> positions.add(r.structured().path("position").asLong());
                            case "task_upsert" -> taskIds.add((String) args.get("id"));
                            case "backup_create" -> backups.add(r.structured().path("snapshot").path("name").asString());
                            default -> { }
                        }
                    }
                }, "client-" + t);
                workers.add(w);
                w.start();
            }
            long start = System.nanoTime();
            go.countDown();
            for (Thread w : workers) {
                w.join(600_000);
            }
            f.timing("wall_clock_ms", (System.nanoTime() - start) / 1_000_000);
            List<Long> sorted = new ArrayList<>(positions);
            Collections.sort(sorted);
            boolean contiguous = true;
            for (int i = 0; i < sorted.size(); i++) {
                contiguous &= sorted.get(i) == initial + i;
            }
            f.check(contiguous, "append positions are not exactly " + initial + ".." + (initial + sorted.size() - 1)
                    + ": duplicates or gaps");
            RawServer.ToolCall chain = s.call("audit_verify_chain", Map.of());
            long length = chain.structured() == null ? -1 : chain.structured().path("length").asLong();
            f.check(chain.ok() && length == initial + positions.size(), "chain length " + length + " but "
                    + initial + " + " + positions.size() + " successful appends: " + chain.text());
            List<String> names = new ArrayList<>(backups);
            Set<String> unique = new HashSet<>(names);
            f.check(unique.size() == names.size(), (names.size() - unique.size()) + " backup name(s) reused: " + names);
            for (String n : unique) {
                f.check(Files.isRegularFile(ws.workspace().backupsDir().resolve(n)), "backup " + n + " is not on disk");
            }
            int verified = 0;
            for (String n : unique) {
                RawServer.ToolCall v = s.call("backup_verify", Map.of("snapshot", n));
                verified += f.check(v.ok(), n + " does not verify: " + v.text()) ? 1 : 0;
            }
            long tasks = Fixtures.queryLong(ws.database(), "SELECT count(*) FROM tasks WHERE id LIKE 'c%'");
            f.check(tasks == taskIds.size(), "tasks table holds " + tasks + " client tasks, " + taskIds.size()
                    + " were upserted");
            f.put("calls", new TreeMap<>(Map.copyOf(calls)).toString()).put("appends", positions.size())
                    .put("backups", names.size()).put("backups_verified", verified).put("tasks_upserted", taskIds.size())
                    .put("busy_errors", busy.get()).put("failed_calls", failed.get());
            f.check(s.invalidLines().isEmpty(), "non-JSON-RPC stdout: " + s.invalidLines());
            s.closeAndWait(Duration.ofSeconds(120));
            leak.server(s);
        }
        f.trials(latencies.size(), threads * perThread);
        f.timings("tool_call_latency", new ArrayList<>(latencies));
        f.keyScan(leak.run());
        f.summary(latencies.size() + " calls from " + threads + " threads: " + failed.get() + " failed, " + busy.get()
                + " busy; " + f.count("backups") + " backups, all names distinct; " + positions.size()
                + " appends = chain growth");
        f.recordAndAssert();
    }

    private static Map<String, Object> args(String tool, int thread, int i, Random rnd, Set<String> taskIds,
            ConcurrentLinkedQueue<String> backups) {
        Map<String, Object> a = new LinkedHashMap<>();
        switch (tool) {
            case "thought_record_append" -> {
                a.put("kind", "note");
                a.put("content", "thread " + thread + " call " + i);
            }
            case "task_upsert" -> {
                a.put("id", "c" + thread + "." + rnd.nextInt(5));
                a.put("status", List.of("pending", "in_progress", "blocked", "done").get(rnd.nextInt(4)));
                a.put("progress", rnd.nextInt(101));
            }
            case "backup_create" -> {
                a.put("kind", rnd.nextBoolean() ? "session" : "premigrate");
                a.put("label", "thread " + thread);
            }
            case "backup_verify" -> {
                List<String> known = new ArrayList<>(backups);
                a.put("snapshot", known.get(rnd.nextInt(known.size())));
            }
            case "backup_prune" -> a.put("dry_run", true);
            case "merkle_finalize" -> a.put("round", "r1");
            default -> { }
        }
        return a;
    }
}
