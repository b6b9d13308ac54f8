package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static final BenchRunner.Options OPTIONS = new BenchRunner.Options(2_000, 1, null, null, "64m", 500, 20);
    private static final Comparison MET = Comparison.ratio("backup_create", "backup_create", Stats.of(1), "cli",
            Stats.of(4), Target.ratioAtMost(0.5)).withCpu(Stats.of(2), Stats.of(3));
    private static final Comparison MISSED = Comparison.absolute("merkle_finalize", "finalize", Stats.of(40),
            Target.millisAtMost(20)).withNote("three durable writes");
    private static final Comparison UNMEASURED = Comparison.notMeasured("cold_start_launcher", "bin/colibri", null,
            "no bin/colibri", Target.millisAtMost(400));

    private static BenchReport report(List<Comparison> rows) {
        return new BenchReport(OPTIONS, Map.of("nproc", 2), Map.of("records", 2000L), rows, List.of());
    }

    @Test
    void theJsonKeysAndTheirOrder() {
        Map<String, Object> m = report(List.of(MET)).toMap();
        assertEquals(List.of("options", "machine", "facts", "rows", "failures", "all_targets_met"), List.copyOf(m.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) m.get("options");
        assertEquals(List.of("records", "runs", "workspace", "chain_heap", "writer_rate", "tool_calls"),
                List.copyOf(options.keySet()));
        Map<String, Object> row = BenchReport.row(MET);
        assertEquals(List.of("key", "label", "statistic", "colibri_ms", "baseline", "baseline_ms", "colibri_cpu_ms",
                "baseline_cpu_ms", "missing", "ratio", "target", "verdict", "note"), List.copyOf(row.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) row.get("colibri_ms");
        assertEquals(List.of("count", "median", "min", "max", "p50", "p99"), List.copyOf(stats.keySet()));
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", "ratio_at_most");
        target.put("limit", 0.5);
        assertEquals(target, row.get("target"));
        assertEquals(0.25, row.get("ratio"));
        assertEquals("met", row.get("verdict"));
        assertEquals("median", row.get("statistic"));
    }

    @Test
    void unmeasuredFieldsAreNull() {
        Map<String, Object> row = BenchReport.row(UNMEASURED);
        assertEquals(null, row.get("colibri_ms"));
        assertEquals(null, row.get("ratio"));
        assertEquals("no bin/colibri", row.get("missing"));
        assertEquals("n/a", row.get("verdict"));
        Map<String, Object> none = BenchReport.row(Comparison.absolute("k", "part", Stats.of(1), Target.none()));
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", "none");
        target.put("limit", null);
        assertEquals(target, none.get("target"));
    }

    @Test
    void onlyAMissedTargetFailsAllTargetsMet() {
        assertTrue(report(List.of(MET, UNMEASURED)).allTargetsMet());
        assertFalse(report(List.of(MET, MISSED)).allTargetsMet());
        assertEquals(false, report(List.of(MISSED)).toMap().get("all_targets_met"));
    }
}
