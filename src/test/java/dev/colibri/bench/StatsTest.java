package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfOddCountIsTheMiddleSample() {
        Stats s = Stats.of(5, 1, 3);
        assertEquals(3, s.median());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(3, s.count());
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheTwoMiddleSamples() {
        assertEquals(2.5, Stats.of(4, 1, 3, 2).median());
    }

    @Test
    void singleSampleIsEveryStatistic() {
        Stats s = Stats.of(7.5);
        assertEquals(7.5, s.median());
        assertEquals(7.5, s.p50());
        assertEquals(7.5, s.p99());
        assertEquals(7.5, s.min());
        assertEquals(7.5, s.max());
    }

    @Test
    void nearestRankPercentilesOfOneToHundred() {
        double[] sorted = new double[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertEquals(1, Stats.percentile(sorted, 0));
        assertEquals(1, Stats.percentile(sorted, 1));
        assertEquals(50, Stats.percentile(sorted, 50));
        assertEquals(99, Stats.percentile(sorted, 99));
        assertEquals(100, Stats.percentile(sorted, 99.5));
        assertEquals(100, Stats.percentile(sorted, 100));
    }

    @Test
    void p99OfAThousandSamplesIsThe990thSmallest() {
        List<Double> samples = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            samples.add((double) i);
        }
        Collections.shuffle(samples, new java.util.Random(1));
        Stats s = Stats.of(samples);
        assertEquals(990, s.p99());
        assertEquals(500, s.p50());
        assertEquals(500.5, s.median());
        assertEquals(1000, s.max());
    }

    @Test
    void percentileIsAlwaysASampleNeverAnInterpolation() {
        double[] sorted = {1, 10};
        assertEquals(1, Stats.percentile(sorted, 50));
        assertEquals(10, Stats.percentile(sorted, 51));
    }

    @Test
    void theInputIsNotReordered() {
        double[] samples = {3, 1, 2};
        Stats.of(samples);
        assertEquals(3, samples[0]);
    }

    @Test
    void refusesNoSamplesNaNAndPercentilesOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Stats.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Stats.of(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(new double[] {1}, 101));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(new double[] {1}, -1));
    }

    @Test
    void getSelectsTheNamedStatistic() {
        Stats s = Stats.of(1, 2, 3, 4, 100);
        assertEquals(3, s.get(Stats.Statistic.MEDIAN));
        assertEquals(100, s.get(Stats.Statistic.P99));
        assertEquals(100, s.get(Stats.Statistic.MAX));
    }
}
