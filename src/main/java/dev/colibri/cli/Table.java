package dev.colibri.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Plain aligned columns for people: a header row, then rows, padded to the widest cell. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    Table row(Object... cells) {
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : String.valueOf(c)).toArray(String[]::new));
        return this;
    }

    boolean isEmpty() {
        return rows.size() == 1;
    }

    void print(PrintWriter out) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format(Locale.ROOT, "%-" + width[i] + "s  ", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** Label/value lines with the values aligned. */
    static void pairs(PrintWriter out, Object... labelsAndValues) {
        int width = 0;
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            width = Math.max(width, String.valueOf(labelsAndValues[i]).length());
        }
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            Object v = labelsAndValues[i + 1];
            out.println(String.format(Locale.ROOT, "%-" + width + "s  %s", labelsAndValues[i], v == null ? "-" : v)
                    .stripTrailing());
        }
        out.flush();
    }

    /** A size for people: 512 B, 12.0 KiB, 3.4 MiB. */
    static String bytes(Object value) {
        if (!(value instanceof Number n)) {
            return "-";
        }
        double b = n.doubleValue();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (b >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return u == 0 ? (long) b + " B" : String.format(Locale.ROOT, "%.1f %s", b, units[u]);
    }

    /** An age in days for people: 0.4 d, 12.0 d. */
    static String days(Object value) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%.1f d", n.doubleValue()) : "-";
    }

    /** The start of a long hex hash. */
    static String shortHash(Object value) {
        String s = value == null ? "-" : String.valueOf(value);
        return s.length() > 16 ? s.substring(0, 16) + "..." : s;
    }
}
