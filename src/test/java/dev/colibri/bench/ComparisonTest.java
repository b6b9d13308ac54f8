package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ComparisonTest {

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
                .withMissing(BenchContext.NO_SQLITE3);
        assertTrue(Double.isNaN(c.ratio()));
        assertEquals("n/a", c.verdict());
        assertEquals("n/a", Comparison.notMeasured("k", "cold start", null, "no jar", Target.millisAtMost(400)).verdict());
    }

    @Test
    void aZeroBaselineGivesNoRatio() {
        Comparison c = Comparison.ratio("k", "copy", Stats.of(10), "cp", Stats.of(0), Target.ratioAtMost(1));
        assertTrue(Double.isNaN(c.ratio()));
        assertEquals("n/a", c.verdict());
    }

    @Test
    void theWithersChangeOnlyTheirOwnField() {
        Comparison c = Comparison.ratio("backup_create", "label", Stats.of(1), "base", Stats.of(2), Target.ratioAtMost(0.5))
                .withCpu(Stats.of(3), Stats.of(4)).withNote("note").withMissing("why").withStatistic(Stats.Statistic.P99);
        assertEquals(new Comparison("backup_create", "label", Stats.of(1), "base", Stats.of(2), "why",
                Stats.Statistic.P99, Target.ratioAtMost(0.5), "note", Stats.of(3), Stats.of(4)), c);
    }
}
