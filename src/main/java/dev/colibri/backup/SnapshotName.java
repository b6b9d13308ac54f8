package dev.colibri.backup;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Snapshot names: {@code colibri-<round>-<YYYYMMDD>.db} and {@code colibri-premigrate-<YYYYMMDD>.db},
 * with {@code -<HHMMSS>} added when the plain name is taken. Clients refer to snapshots by these
 * names only, never by paths.
 */
public final class SnapshotName {

    /** Round slugs as the runbook writes them: r75. */
    public static final Pattern ROUND = Pattern.compile("r[0-9]{1,9}");
    static final Pattern NAME = Pattern.compile("colibri-(r[0-9]{1,9}|premigrate)-([0-9]{8})(?:-([0-9]{6}))?\\.db");
    static final int MAX_REFERENCE = 128;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss");

    private SnapshotName() {
    }

    /** The plain name and the timestamped alternative for a snapshot taken at {@code at}. */
    static String[] candidates(String slug, LocalDateTime at) {
        String base = "colibri-" + slug + "-" + at.format(DAY);
        return new String[] {base + ".db", base + "-" + at.format(TIME) + ".db"};
    }

    /**
     * Checks a client's snapshot reference before it comes near the file system.
     *
     * @throws IllegalArgumentException saying what is wrong and what a valid name looks like
     */
    public static String requireValid(String reference) {
        if (reference == null || reference.isEmpty()) {
            throw new IllegalArgumentException("snapshot must be a snapshot name as listed by backup_list");
        }
        if (reference.length() > MAX_REFERENCE) {
            throw new IllegalArgumentException("snapshot name has " + reference.length() + " characters; names have at most "
                    + MAX_REFERENCE + " (use a name from backup_list)");
        }
        if (reference.indexOf('\0') >= 0 || reference.contains("/") || reference.contains("\\") || reference.contains("..")
                || reference.startsWith("~")) {
            throw new IllegalArgumentException("snapshot \"" + printable(reference) + "\" is a path, not a name: names may not"
                    + " contain '/', '\\', '..' or NUL; use a name from backup_list such as colibri-r75-20260416.db");
        }
        if (!NAME.matcher(reference).matches()) {
            throw new IllegalArgumentException("snapshot \"" + printable(reference) + "\" is not a snapshot name; names look"
                    + " like colibri-r75-20260416.db or colibri-premigrate-20260416-101500.db (see backup_list)");
        }
        return reference;
    }

    /**
     * Checks a round slug.
     *
     * @throws IllegalArgumentException naming the expected form
     */
    public static String requireRound(String round) {
        if (round == null || !ROUND.matcher(round).matches()) {
            throw new IllegalArgumentException("round must look like r75 (the letter r and 1-9 digits), got "
                    + (round == null ? "nothing" : "\"" + printable(round) + "\""));
        }
        return round;
    }

    /** Whether a file name is a snapshot name (for listing). */
    static boolean matches(String fileName) {
        return NAME.matcher(fileName).matches();
    }

    /** The round slug (or "premigrate") and the day encoded in a valid name. */
    static String slug(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    static LocalDate day(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? LocalDate.parse(m.group(2), DAY) : null;
    }

    /** The manifest sidecar's file name. */
    public static String manifestOf(String name) {
        return name + ".manifest.json";
    }

    /** Kinds of snapshot and the cadence they come from. */
    public static final Set<String> KINDS = Set.of("round", "session", "phase", "premigrate");

    private static String printable(String s) {
        return s.replace("\0", "\\0");
    }
}
