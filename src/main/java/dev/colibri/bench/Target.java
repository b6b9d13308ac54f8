package dev.colibri.bench;

import java.util.Locale;

/**
 * What a measurement should achieve: a ratio to its baseline at most {@code limit}, an absolute
 * time at most {@code limit} milliseconds, or nothing (a row shown for context).
 */
public record Target(Kind kind, double limit) {

    /** The kinds of target. */
    public enum Kind { RATIO_AT_MOST, MILLIS_AT_MOST, NONE }

    public static Target ratioAtMost(double limit) {
        return new Target(Kind.RATIO_AT_MOST, limit);
    }

    public static Target millisAtMost(double limit) {
        return new Target(Kind.MILLIS_AT_MOST, limit);
    }

    public static Target none() {
        return new Target(Kind.NONE, Double.NaN);
    }

    /** "≤ 0.6×", "≤ 1500 ms" or "—". */
    public String describe() {
        return switch (kind) {
            case RATIO_AT_MOST -> "≤ " + RatioTable.trim(limit) + "×";
            case MILLIS_AT_MOST -> "≤ " + RatioTable.trim(limit) + " ms";
            case NONE -> "—";
        };
    }

    /** Whether {@code value} (a ratio or milliseconds, according to the kind) meets the target. */
    public boolean metBy(double value) {
        return kind == Kind.NONE || (!Double.isNaN(value) && value <= limit);
    }

    @Override
    public String toString() {
        return describe() + String.format(Locale.ROOT, " (%s)", kind);
    }
}
