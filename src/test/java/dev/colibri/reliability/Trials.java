package dev.colibri.reliability;

import java.util.Locale;

/**
 * How many trials a fault gets: {@code -Dcolibri.trials=small} (CI, the default) or {@code full}
 * (the campaign). {@code -Dcolibri.seed=N} replays a run; otherwise the seed is fresh and recorded.
 */
final class Trials {

    private Trials() {
    }

    static String mode() {
        String m = System.getProperty("colibri.trials", "small").trim().toLowerCase(Locale.ROOT);
        return "full".equals(m) ? "full" : "small";
    }

    static boolean full() {
        return "full".equals(mode());
    }

    /** {@code full} trials in the campaign, {@code small} in CI. */
    static int count(int full, int small) {
        return full() ? full : small;
    }

    static long seed() {
        String s = System.getProperty("colibri.seed");
        return s == null || s.isBlank() ? System.nanoTime() : Long.parseLong(s.trim());
    }
}
