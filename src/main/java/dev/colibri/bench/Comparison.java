package dev.colibri.bench;

/**
 * One row of the benchmark: Colibri's samples beside a baseline's (another tool doing the same job,
 * or the same Colibri operation in a quieter situation), the statistic compared, and the target.
 *
 * @param key             a stable identifier for the JSON report, e.g. {@code backup_create}
 * @param label           what was measured, for people
 * @param colibri         Colibri's samples (ms), or null when not measured
 * @param baselineLabel   what the baseline is, or null for a row with an absolute target only
 * @param baseline        the baseline's samples (ms), or null when it could not be measured
 * @param missing         why something was not measured (e.g. "sqlite3 CLI not installed"), or null
 * @param statistic       the number compared (median for durations, p99 for latencies)
 * @param target          the goal for this row
 * @param note            a short remark shown under the table, or null
 * @param colibriCpu      CPU milliseconds of Colibri's runs (process and children), or null
 * @param baselineCpu     CPU milliseconds of the baseline's runs, or null
 */
public record Comparison(String key, String label, Stats colibri, String baselineLabel, Stats baseline,
        String missing, Stats.Statistic statistic, Target target, String note, Stats colibriCpu, Stats baselineCpu) {

    public Comparison(String key, String label, Stats colibri, String baselineLabel, Stats baseline, String missing,
            Stats.Statistic statistic, Target target, String note) {
        this(key, label, colibri, baselineLabel, baseline, missing, statistic, target, note, null, null);
    }

    /** Colibri against a baseline, compared on the median. */
    public static Comparison ratio(String key, String label, Stats colibri, String baselineLabel, Stats baseline,
            Target target) {
        return new Comparison(key, label, colibri, baselineLabel, baseline, null, Stats.Statistic.MEDIAN, target, null);
    }

    /** Colibri alone against an absolute time. */
    public static Comparison absolute(String key, String label, Stats colibri, Target target) {
        return new Comparison(key, label, colibri, null, null, null, Stats.Statistic.MEDIAN, target, null);
    }

    /** A row that could not be measured, with the reason. */
    public static Comparison notMeasured(String key, String label, String baselineLabel, String reason, Target target) {
        return new Comparison(key, label, null, baselineLabel, null, reason, Stats.Statistic.MEDIAN, target, null);
    }

    public Comparison withStatistic(Stats.Statistic s) {
        return new Comparison(key, label, colibri, baselineLabel, baseline, missing, s, target, note, colibriCpu,
                baselineCpu);
    }

    public Comparison withMissing(String reason) {
        return new Comparison(key, label, colibri, baselineLabel, baseline, reason, statistic, target, note,
                colibriCpu, baselineCpu);
    }

    public Comparison withNote(String text) {
        return new Comparison(key, label, colibri, baselineLabel, baseline, missing, statistic, target, text,
                colibriCpu, baselineCpu);
    }

    /** The same row with the CPU time of each side (median shown beside the wall-clock figures). */
    public Comparison withCpu(Stats colibriCpuMillis, Stats baselineCpuMillis) {
        return new Comparison(key, label, colibri, baselineLabel, baseline, missing, statistic, target, note,
                colibriCpuMillis, baselineCpuMillis);
    }

    /** Colibri's statistic divided by the baseline's, or NaN when either is missing or the baseline is 0. */
    public double ratio() {
        if (colibri == null || baseline == null) {
            return Double.NaN;
        }
        double b = baseline.get(statistic);
        return b <= 0 ? Double.NaN : colibri.get(statistic) / b;
    }

    /** "met", "MISSED", or "n/a" when the numbers the target needs are missing. */
    public String verdict() {
        if (target.kind() == Target.Kind.NONE) {
            return "—";
        }
        double value = target.kind() == Target.Kind.RATIO_AT_MOST ? ratio()
                : colibri == null ? Double.NaN : colibri.get(statistic);
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return target.metBy(value) ? "met" : "MISSED";
    }
}
