package dev.colibri.retention;

import java.nio.file.Path;

/**
 * Whether the cold tier ({@code COLIBRI_COLD_DIR}) could be read when the snapshots were listed.
 *
 * @param state  {@link #NOT_CONFIGURED}, {@link #REACHABLE} or {@link #UNREACHABLE}
 * @param path   the configured directory, null when not configured
 * @param detail what went wrong and what to do (unreachable only), else null
 */
public record ColdTierStatus(String state, Path path, String detail) {

    public static final String NOT_CONFIGURED = "not_configured";
    public static final String REACHABLE = "reachable";
    public static final String UNREACHABLE = "unreachable";

    /** How {@code backup_list} reports a cold tier that is not configured. */
    public static final String NOT_CONFIGURED_TEXT = "not configured (set COLIBRI_COLD_DIR)";

    public static ColdTierStatus notConfigured() {
        return new ColdTierStatus(NOT_CONFIGURED, null, null);
    }

    public static ColdTierStatus reachable(Path path) {
        return new ColdTierStatus(REACHABLE, path, null);
    }

    public static ColdTierStatus unreachable(Path path, String detail) {
        return new ColdTierStatus(UNREACHABLE, path, detail);
    }

    public boolean configured() {
        return !NOT_CONFIGURED.equals(state);
    }

    public boolean isUnreachable() {
        return UNREACHABLE.equals(state);
    }

    /** "not configured (set COLIBRI_COLD_DIR)" or the directory. */
    public String describe() {
        return configured() ? path.toString() : NOT_CONFIGURED_TEXT;
    }
}
