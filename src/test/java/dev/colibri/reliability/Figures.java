package dev.colibri.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The figures of one fault: trials, detections, failures, timings and what had to be assumed.
 * {@link #record()} writes them to {@code target/reliability/<id>.json} (whether the fault held or
 * not, so a failing run still leaves its numbers) and re-renders {@code target/reliability/reliability.md}.
 */
final class Figures {

    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final String id;
    private final int order;
    private final String fault;
    private final String mustHold;
    private final long seed;
    private final long startNanos = System.nanoTime();
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final Map<String, Object> timings = new LinkedHashMap<>();
    private final List<String> assumptions = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private int problemCount;
    private int trials;
    private int required;
    private Integer detected;
    private String summary = "";
    private boolean skipped;
    private Map<String, Object> keyScan;
    private String label;

    Figures(String id, int order, String fault, String mustHold, long seed) {
        this.id = id;
        this.order = order;
        this.fault = fault;
        this.mustHold = mustHold;
        this.seed = seed;
    }

    /** Trials run, and the number the current mode requires. */
    Figures trials(int run, int requiredTrials) {
        this.trials = run;
        this.required = requiredTrials;
        return this;
    }

    /** The row's label in the table's # column (default: the order number). */
    Figures label(String text) {
        this.label = text;
        return this;
    }

    Figures detected(int n) {
        this.detected = n;
        return this;
    }

    Figures put(String name, Object value) {
        figures.put(name, value);
        return this;
    }

    /** Adds to a counter figure. */
    Figures add(String name, long delta) {
        figures.merge(name, delta, (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
        return this;
    }

    long count(String name) {
        Object v = figures.get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    Figures timing(String name, Object value) {
        timings.put(name, value);
        return this;
    }

    /** Records timing statistics (ms) of a sample. */
    Figures timings(String name, List<Long> millis) {
        if (millis.isEmpty()) {
            return this;
        }
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("n", sorted.length);
        stats.put("min_ms", sorted[0]);
        stats.put("p50_ms", sorted[sorted.length / 2]);
        stats.put("p95_ms", sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.95) - 1)]);
        stats.put("max_ms", sorted[sorted.length - 1]);
        stats.put("mean_ms", Math.round(Arrays.stream(sorted).average().orElse(0)));
        timings.put(name, stats);
        return this;
    }

    Figures assume(String assumption) {
        assumptions.add(assumption);
        return this;
    }

    /** A violated expectation; the first 30 are kept verbatim. */
    synchronized Figures problem(String what) {
        problemCount++;
        if (problems.size() < 30) {
            problems.add(what.length() > 600 ? what.substring(0, 600) + "..." : what);
        }
        return this;
    }

    /** Records a problem unless {@code holds}. */
    boolean check(boolean holds, String what) {
        if (!holds) {
            problem(what);
        }
        return holds;
    }

    synchronized int failures() {
        return problemCount;
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    Figures summary(String text) {
        this.summary = text;
        return this;
    }

    Figures skipped(String why) {
        this.skipped = true;
        assumptions.add(why);
        return this;
    }

    Figures keyScan(LeakScan.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keys", r.keys());
        m.put("files", r.files());
        m.put("file_bytes", r.fileBytes());
        m.put("streams", r.streams());
        m.put("stream_bytes", r.streamBytes());
        m.put("hits", r.hits().size());
        this.keyScan = m;
        for (String hit : r.hits()) {
            problem("HMAC key material found: " + hit);
        }
        return this;
    }

    String result() {
        if (skipped) {
            return "skipped";
        }
        return failures() == 0 && trials >= required ? "pass" : "fail";
    }

    /** Writes the JSON and re-renders the markdown beside it. Returns the failure message or null. */
    String record() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("order", order);
        out.put("label", label == null ? Integer.toString(order) : label);
        out.put("fault", fault);
        out.put("must_hold", mustHold);
        out.put("mode", Trials.mode());
        out.put("trials", trials);
        out.put("trials_required", required);
        if (detected != null) {
            out.put("detected", detected);
        }
        out.put("failures", failures());
        out.put("result", result());
        out.put("summary", summary);
        out.put("figures", figures);
        out.put("timings", timings);
        out.put("assumptions", assumptions);
        out.put("problems", problems());
        if (keyScan != null) {
            out.put("key_scan", keyScan);
        }
        out.put("seed", seed);
        out.put("duration_ms", (System.nanoTime() - startNanos) / 1_000_000);
        out.put("recorded_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        try {
            Path dir = dir();
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(id + ".json"), JSON.writeValueAsString(out), StandardCharsets.UTF_8);
            ReliabilityReport.render(dir, dir.resolve("reliability.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if ("fail".equals(result())) {
            return id + ": " + failures() + " failure(s) in " + trials + " trial(s) (required " + required + "): "
                    + String.join(" | ", problems());
        }
        return null;
    }

    /** Records, then fails the test when the fault did not hold. */
    void recordAndAssert() {
        String failure = record();
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    static Path dir() {
        return Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("reliability");
    }
}
