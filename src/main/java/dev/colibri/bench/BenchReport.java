package dev.colibri.bench;

import dev.colibri.workspace.Durable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** What a benchmark run found: the machine, the workspace facts, the rows, and what failed. */
public record BenchReport(BenchRunner.Options options, Map<String, Object> machine, Map<String, Object> facts,
        List<Comparison> rows, List<String> failures) {

    public BenchReport {
        rows = List.copyOf(rows);
        failures = List.copyOf(failures);
    }

    /** The table of ratios. */
    public String table() {
        return RatioTable.render(rows);
    }

    /** Whether every measured target was met (rows that could not be measured do not count). */
    public boolean allTargetsMet() {
        return rows.stream().noneMatch(r -> "MISSED".equals(r.verdict()));
    }

    /** The report as JSON-ready maps. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("records", options.records());
        o.put("runs", options.runs());
        o.put("workspace", options.workspace() == null ? null : options.workspace().toString());
        o.put("chain_heap", options.chainHeap());
        o.put("writer_rate", options.writerRate());
        o.put("tool_calls", options.toolCalls());
        m.put("options", o);
        m.put("machine", machine);
        m.put("facts", facts);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Comparison c : rows) {
            list.add(row(c));
        }
        m.put("rows", list);
        m.put("failures", failures);
        m.put("all_targets_met", allTargetsMet());
        return m;
    }

    static Map<String, Object> row(Comparison c) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("key", c.key());
        r.put("label", c.label());
        r.put("statistic", c.statistic().label());
        r.put("colibri_ms", stats(c.colibri()));
        r.put("baseline", c.baselineLabel());
        r.put("baseline_ms", stats(c.baseline()));
        r.put("colibri_cpu_ms", stats(c.colibriCpu()));
        r.put("baseline_cpu_ms", stats(c.baselineCpu()));
        r.put("missing", c.missing());
        r.put("ratio", Double.isNaN(c.ratio()) ? null : c.ratio());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("kind", c.target().kind().name().toLowerCase(java.util.Locale.ROOT));
        t.put("limit", Double.isNaN(c.target().limit()) ? null : c.target().limit());
        r.put("target", t);
        r.put("verdict", c.verdict());
        r.put("note", c.note());
        return r;
    }

    private static Map<String, Object> stats(Stats s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", s.count());
        m.put("median", s.median());
        m.put("min", s.min());
        m.put("max", s.max());
        m.put("p50", s.p50());
        m.put("p99", s.p99());
        return m;
    }

    /** The JSON text of {@link #toMap()}. */
    public String json() {
        return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(toMap());
    }

    /** Writes the JSON report atomically. */
    public void write(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Durable.writeAtomically(abs, (json() + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
