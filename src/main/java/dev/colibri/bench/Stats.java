package dev.colibri.bench;

import java.util.Arrays;
import java.util.List;

/**
 * A summary of timing samples in milliseconds: count, median, min, max and nearest-rank
 * percentiles. Pure arithmetic, no clock.
 *
 * <p>The median of an even count is the mean of the two middle samples. {@link #percentile} uses
 * the nearest-rank definition: the p-th percentile of n sorted samples is the sample at rank
 * {@code ceil(p / 100 * n)} (1-based), so p99 of 1,000 samples is the 990th smallest and p100 is
 * the maximum; it is always one of the samples, never an interpolation.
 */
public record Stats(int count, double median, double min, double max, double p50, double p99) {

    /** Summarises {@code samples}; an empty list is an error. */
    public static Stats of(List<Double> samples) {
        double[] values = new double[samples.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = samples.get(i);
        }
        return of(values);
    }

    /** Summarises {@code samples} (the array is not modified). */
    public static Stats of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        for (double v : sorted) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("a sample is NaN");
            }
        }
        return new Stats(sorted.length, median(sorted), sorted[0], sorted[sorted.length - 1],
                percentile(sorted, 50), percentile(sorted, 99));
    }

    /** The median of sorted samples. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    /**
     * The nearest-rank percentile of sorted samples.
     *
     * @param p in [0, 100]; 0 gives the minimum
     */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be within 0..100, got " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /** The value of the statistic named by {@code which}. */
    public double get(Statistic which) {
        return switch (which) {
            case MEDIAN -> median;
            case P99 -> p99;
            case MAX -> max;
        };
    }

    /** Which number of a {@link Stats} a comparison is made on. */
    public enum Statistic {
        MEDIAN("median"), P99("p99"), MAX("max");

        private final String label;

        Statistic(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
