package dev.colibri.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders benchmark rows as a Markdown table (readable in a terminal, pasteable into
 * {@code docs/performance.md}). Pure: the same rows always give the same text.
 */
public final class RatioTable {

    static final List<String> HEADER = List.of("measurement", "Colibri (ms)", "baseline", "baseline (ms)", "ratio",
            "target", "verdict", "CPU ms (Colibri / baseline)");

    private RatioTable() {
    }

    /** The table, one row per comparison, then the rows' notes as a numbered list. */
    public static String render(List<Comparison> rows) {
        List<List<String>> cells = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Comparison c : rows) {
            String label = c.label();
            if (c.note() != null) {
                notes.add(c.note());
                label = label + " [" + notes.size() + "]";
            }
            cells.add(List.of(label, cell(c.colibri(), c.statistic(), c.baselineLabel() == null ? c.missing() : null),
                    c.baselineLabel() == null ? "—" : c.baselineLabel(),
                    c.baselineLabel() == null ? "—" : cell(c.baseline(), c.statistic(), c.missing()),
                    Double.isNaN(c.ratio()) ? "—" : ratio(c.ratio()), c.target().describe(), c.verdict(),
                    cpu(c)));
        }
        int[] width = new int[HEADER.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = HEADER.get(i).length();
            for (List<String> row : cells) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, HEADER, width);
        StringBuilder rule = new StringBuilder("|");
        for (int w : width) {
            rule.append('-').append("-".repeat(w)).append("-|");
        }
        out.append(rule).append('\n');
        for (List<String> row : cells) {
            line(out, row, width);
        }
        for (int i = 0; i < notes.size(); i++) {
            out.append('\n').append('[').append(i + 1).append("] ").append(notes.get(i));
        }
        if (!notes.isEmpty()) {
            out.append('\n');
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> row, int[] width) {
        out.append('|');
        for (int i = 0; i < row.size(); i++) {
            String v = row.get(i);
            out.append(' ').append(v).append(" ".repeat(width[i] - v.length())).append(" |");
        }
        out.append('\n');
    }

    /**
     * A sample cell: {@code "median (min–max)"} for durations, {@code "p99 X (p50 Y, max Z)"} for
     * latencies, or the reason it is missing.
     */
    static String cell(Stats s, Stats.Statistic statistic, String missing) {
        if (s == null) {
            return missing == null ? "not measured" : missing;
        }
        if (statistic == Stats.Statistic.MEDIAN) {
            return s.count() == 1 ? ms(s.median()) : ms(s.median()) + " (" + ms(s.min()) + "–" + ms(s.max()) + ")";
        }
        return statistic.label() + " " + ms(s.get(statistic)) + " (p50 " + ms(s.p50()) + ", max " + ms(s.max()) + ")";
    }

    /** The CPU medians, {@code "1234 / 3456"}, or "—" when not measured. */
    static String cpu(Comparison c) {
        if (c.colibriCpu() == null && c.baselineCpu() == null) {
            return "—";
        }
        String a = c.colibriCpu() == null ? "—" : ms(c.colibriCpu().median());
        return c.baselineLabel() == null ? a : a + " / " + (c.baselineCpu() == null ? "—" : ms(c.baselineCpu().median()));
    }

    /** Milliseconds with precision suited to their size: 1234, 56.7, 8.91. */
    static String ms(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    /** A ratio with two decimals and the times sign: 0.53×. */
    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f×", r);
    }

    /** A limit without useless decimals: 0.6, 1500, 1.5. */
    static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
