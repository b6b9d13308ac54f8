package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RatioTableTest {

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
        assertEquals(6, lines.size());
        for (String line : lines.subList(0, 4)) {
            assertEquals(lines.get(0).length(), line.length(), line);
        }
    }

    @Test
    void aMissingBaselineShowsWhyAndNoVerdict() {
        Comparison c = Comparison.ratio("k", "backup", Stats.of(10), "sqlite3 .backup", null, Target.ratioAtMost(0.5))
                .withMissing(BenchContext.NO_SQLITE3);
        List<String> lines = RatioTable.render(List.of(c)).lines().toList();
        assertEquals("| backup      | 10.0         | sqlite3 .backup | sqlite3 CLI not installed | —     | ≤ 0.5× | n/a     | —                           |",
                lines.get(2));
    }

    @Test
    void aRowNotMeasuredAtAllSaysWhyInItsOwnColumn() {
        Comparison c = Comparison.notMeasured("cold_start_launcher", "cold start via bin/colibri", null,
                "no bin/colibri beside the jar's folder", Target.millisAtMost(400));
        assertEquals("| cold start via bin/colibri | no bin/colibri beside the jar's folder | —        | —             | —     | ≤ 400 ms | n/a     | —                           |",
                RatioTable.render(List.of(c)).lines().toList().get(2));
    }

    @Test
    void cpuCellShowsBothMediansOrWhatIsMissing() {
        Comparison c = Comparison.ratio("k", "verify", Stats.of(10), "cli", Stats.of(20), Target.none());
        assertEquals("—", RatioTable.cpu(c));
        assertEquals("1200 / 3400", RatioTable.cpu(c.withCpu(Stats.of(1100, 1200, 1300), Stats.of(3400))));
        assertEquals("— / 3400", RatioTable.cpu(c.withCpu(null, Stats.of(3400))));
        assertEquals("1200 / —", RatioTable.cpu(c.withCpu(Stats.of(1200), null)));
        Comparison alone = Comparison.absolute("k", "chain", Stats.of(10), Target.none()).withCpu(Stats.of(8.5), null);
        assertEquals("8.50", RatioTable.cpu(alone));
    }

    @Test
    void latencyCellsShowTheComparedPercentile() {
        Stats s = Stats.of(1, 2, 3, 4, 50);
        assertEquals("p99 50.0 (p50 3.00, max 50.0)", RatioTable.cell(s, Stats.Statistic.P99, null));
        assertEquals("3.00 (1.00–50.0)", RatioTable.cell(s, Stats.Statistic.MEDIAN, null));
        assertEquals("not measured", RatioTable.cell(null, Stats.Statistic.MEDIAN, null));
        assertEquals("sqlite3 CLI not installed", RatioTable.cell(null, Stats.Statistic.MEDIAN, BenchContext.NO_SQLITE3));
    }

    @Test
    void numbersKeepPrecisionSuitedToTheirSize() {
        assertEquals("1235", RatioTable.ms(1234.6));
        assertEquals("56.7", RatioTable.ms(56.74));
        assertEquals("8.91", RatioTable.ms(8.909));
        assertEquals("0.53×", RatioTable.ratio(0.5349));
        assertEquals("0.6", RatioTable.trim(0.6));
        assertEquals("1500", RatioTable.trim(1500));
    }
}
