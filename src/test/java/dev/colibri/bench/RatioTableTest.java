package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RatioTableTest {

    @Test
    void ratioIsColibriOverBaselineOnTheChosenStatistic() {
        Comparison c = Comparison.ratio("k", "snapshot", Stats.of(50, 60, 70), "sqlite3 .backup", Stats.of(100, 100, 200),
                Target.ratioAtMost(0.6));
        assertEquals(0.6, c.ratio(), 1e-12);
        assertEquals("met", c.verdict());
        Comparison p99 = Comparison.ratio("k", "latency", Stats.of(1, 1, 9), "idle", Stats.of(1, 1, 3),
                Target.ratioAtMost(2)).withStatistic(Stats.Statistic.P99);
        assertEquals(3, p99.ratio(), 1e-12);
        assertEquals("MISSED", p99.verdict());
    }

    @Test
    void absoluteTargetsJudgeColibriAlone() {
        assertEquals("met", Comparison.absolute("k", "chain", Stats.of(1500), Target.millisAtMost(1500)).verdict());
        assertEquals("MISSED", Comparison.absolute("k", "chain", Stats.of(1500.1), Target.millisAtMost(1500)).verdict());
        assertEquals("—", Comparison.absolute("k", "part", Stats.of(3), Target.none()).verdict());
    }

    @Test
    void aMissingSideIsNotAVerdict() {
        Comparison c = Comparison.ratio("k", "backup", Stats.of(10), "sqlite3 .backup", null, Target.ratioAtMost(0.5))
                .withMissing(BenchRunner.NO_SQLITE3);
        assertTrue(Double.isNaN(c.ratio()));
        assertEquals("n/a", c.verdict());
        String table = RatioTable.render(List.of(c));
        assertTrue(table.contains("sqlite3 CLI not installed"), table);
        assertTrue(table.contains("| n/a "), table);
    }

    @Test
    void rendersAnAlignedMarkdownTableWithNotes() {
        Comparison a = Comparison.ratio("backup_create", "backup_create", Stats.of(900, 1000, 1100), "sqlite3 sum",
                Stats.of(2000, 2100, 2500), Target.ratioAtMost(0.5)).withNote("warm cache");
        Comparison b = Comparison.absolute("finalize", "merkle_finalize", Stats.of(4.5), Target.millisAtMost(20));
        String table = RatioTable.render(List.of(a, b));
        List<String> lines = table.lines().toList();
        assertEquals("| measurement       | Colibri (ms)    | baseline    | baseline (ms)    | ratio | target  | verdict | CPU ms (Colibri / baseline) |",
                lines.get(0));
        assertEquals("|-------------------|-----------------|-------------|------------------|-------|---------|---------|-----------------------------|",
                lines.get(1));
        assertEquals("| backup_create [1] | 1000 (900–1100) | sqlite3 sum | 2100 (2000–2500) | 0.48× | ≤ 0.5×  | met     | —                           |",
                lines.get(2));
        assertEquals("| merkle_finalize   | 4.50            | —           | —                | —     | ≤ 20 ms | met     | —                           |",
                lines.get(3));
        assertEquals("", lines.get(4));
        assertEquals("[1] warm cache", lines.get(5));
        for (String line : lines.subList(0, 4)) {
            assertEquals(lines.get(0).length(), line.length(), line);
        }
    }

    @Test
    void cpuCellShowsBothMediansOrWhatIsMissing() {
        Comparison c = Comparison.ratio("k", "verify", Stats.of(10), "cli", Stats.of(20), Target.none());
        assertEquals("—", RatioTable.cpu(c));
        assertEquals("1200 / 3400", RatioTable.cpu(c.withCpu(Stats.of(1100, 1200, 1300), Stats.of(3400))));
        assertEquals("— / 3400", RatioTable.cpu(c.withCpu(null, Stats.of(3400))));
        Comparison alone = Comparison.absolute("k", "chain", Stats.of(10), Target.none()).withCpu(Stats.of(8.5), null);
        assertEquals("8.50", RatioTable.cpu(alone));
    }

    @Test
    void latencyCellsShowTheComparedPercentile() {
        Stats s = Stats.of(1, 2, 3, 4, 50);
        assertEquals("p99 50.0 (p50 3.00, max 50.0)", RatioTable.cell(s, Stats.Statistic.P99, null));
        assertEquals("3.00 (1.00–50.0)", RatioTable.cell(s, Stats.Statistic.MEDIAN, null));
        assertEquals("not measured", RatioTable.cell(null, Stats.Statistic.MEDIAN, null));
    }

    @Test
    void numbersKeepPrecisionSuitedToTheirSize() {
        assertEquals("1235", RatioTable.ms(1234.6));
        assertEquals("56.7", RatioTable.ms(56.74));
        assertEquals("8.91", RatioTable.ms(8.909));
        assertEquals("0.53×", RatioTable.ratio(0.5349));
        assertEquals("≤ 0.6×", Target.ratioAtMost(0.6).describe());
        assertEquals("≤ 1500 ms", Target.millisAtMost(1500).describe());
        assertEquals("—", Target.none().describe());
    }
}
