package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class WriterLoadMeasurementsTest {

    @Test
    void theNoteGivesTheRateAskedAndTheRatesAchieved() {
        assertEquals("one thought record per Database.write (synchronous=FULL: an fsync per commit); paced at 500"
                + " commits/s, achieved 456/s alone and 304/s during the backup (last run)",
                WriterLoadMeasurements.note(500, 455.6, 304.4));
    }

    @Test
    void latenciesArePooledWithoutNaNAndComparedOnP99() {
        Stats s = WriterLoadMeasurements.latencies(List.of(1.0, Double.NaN, 3.0, 2.0));
        assertEquals(Stats.of(1, 2, 3), s);
        assertEquals("p99 3.00 (p50 2.00, max 3.00)", RatioTable.cell(s, Stats.Statistic.P99, null));
        assertNull(WriterLoadMeasurements.latencies(List.of(Double.NaN)));
        assertNull(WriterLoadMeasurements.latencies(List.of()));
    }
}
