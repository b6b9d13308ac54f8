package dev.colibri.retention;

import dev.colibri.backup.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The retention tiers as a pure function of the snapshots (no I/O, no clock of its own: ages and
 * tiers come from the {@link Snapshot}s, which the catalog computed with the workspace clock).
 *
 * <ul>
 *   <li>hot ({@code data/backups}, under {@value #HOT_DAYS} days): every snapshot is kept;</li>
 *   <li>warm ({@code data/backups}, {@value #HOT_DAYS} up to {@value #WARM_DAYS} days): the newest
 *       snapshot of each round is kept and the others pruned; premigrate snapshots form one group of
 *       their own, whatever round they were taken in;</li>
 *   <li>{@code data/backups}, {@value #WARM_DAYS} days and older: pruned, except a phase snapshot whose
 *       copy in the cold tier cannot be confirmed (the same exception protects it while warm);</li>
 *   <li>cold ({@code COLIBRI_COLD_DIR}): kept forever;</li>
 *   <li>and, above every other rule, the newest snapshot that verifies clean is kept.</li>
 * </ul>
 * Age windows are half-open: exactly 7 days is warm, exactly 30 days is past the warm window.
 */
public final class RetentionPolicy {

    public static final double HOT_DAYS = 7;
    public static final double WARM_DAYS = 30;
    /** The start of the reason given to the snapshot that protects the ability to restore. */
    public static final String NEWEST_CLEAN = "newest snapshot that verifies clean";

    private static final Pattern SLUG = Pattern.compile("colibri-(r[0-9]+|premigrate)-.*");
    private static final String PREMIGRATE = "premigrate";

    /**
     * Decides keep or prune for every snapshot, in the order given.
     *
     * @param snapshots   every snapshot of every tier (cold copies are needed to know which phase
     *                    snapshots are safe off-host)
     * @param newestClean the newest snapshot that verifies clean, if any
     * @param cold        whether the cold tier is configured and was readable
     */
    public List<Decision> classify(List<Snapshot> snapshots, Optional<Snapshot> newestClean, ColdTierStatus cold) {
        Objects.requireNonNull(cold, "cold");
        Map<String, Snapshot> newestWarm = new HashMap<>();
        for (Snapshot s : snapshots) {
            if (warm(s)) {
                newestWarm.merge(group(s), s, RetentionPolicy::newer);
            }
        }
        List<Decision> decisions = new ArrayList<>(snapshots.size());
        for (Snapshot s : snapshots) {
            decisions.add(decide(s, snapshots, newestWarm, newestClean, cold));
        }
        return decisions;
    }

    private static Decision decide(Snapshot s, List<Snapshot> all, Map<String, Snapshot> newestWarm,
            Optional<Snapshot> newestClean, ColdTierStatus cold) {
        if (newestClean.isPresent() && newestClean.get().path().equals(s.path())) {
            return Decision.keep(s, NEWEST_CLEAN + ": it is kept whatever its age, so there is always a snapshot"
                    + " to restore from.");
        }
        if (s.cold()) {
            return Decision.keep(s, coldReason(s));
        }
        if ("hot".equals(s.tier())) {
            return Decision.keep(s, "hot: taken " + days(s) + " ago; every snapshot younger than "
                    + (int) HOT_DAYS + " days is kept.");
        }
        Optional<String> unconfirmed = "phase".equals(s.kind()) ? unconfirmedColdCopy(s, all, cold) : Optional.empty();
        if (!warm(s)) {
            if (unconfirmed.isPresent()) {
                return Decision.keep(s, unconfirmed.get());
            }
            if ("phase".equals(s.kind())) {
                return Decision.prune(s, "older than " + (int) WARM_DAYS + " days (" + days(s) + "): its phase seal"
                        + " copy is safe in the cold tier, so the local copy is pruned.");
            }
            return Decision.prune(s, "older than " + (int) WARM_DAYS + " days (" + days(s) + "): past the warm"
                    + " window, so it is pruned.");
        }
        Snapshot newest = newestWarm.get(group(s));
        if (newest.path().equals(s.path())) {
            return Decision.keep(s, "warm: the newest " + describeGroup(s) + " between " + (int) HOT_DAYS + " and "
                    + (int) WARM_DAYS + " days old; " + (PREMIGRATE.equals(group(s))
                            ? "one premigrate snapshot is kept besides one per round." : "one per round is kept."));
        }
        if (unconfirmed.isPresent()) {
            return Decision.keep(s, unconfirmed.get());
        }
        return Decision.prune(s, "warm: a newer " + describeGroup(s) + " is kept: " + newest.name());
    }

    /** In data/backups, 7 days or older and younger than 30. */
    private static boolean warm(Snapshot s) {
        return !s.cold() && !"hot".equals(s.tier()) && s.ageDays() < WARM_DAYS;
    }

    private static Snapshot newer(Snapshot a, Snapshot b) {
        int byAge = Double.compare(a.ageDays(), b.ageDays());
        if (byAge != 0) {
            return byAge < 0 ? a : b;
        }
        return a.name().compareTo(b.name()) >= 0 ? a : b;
    }

    /** The warm-tier group: the round, or one group for every premigrate snapshot. */
    private static String group(Snapshot s) {
        String slug = slug(s.name());
        if (PREMIGRATE.equals(s.kind()) || PREMIGRATE.equals(slug)) {
            return PREMIGRATE;
        }
        if (s.round() != null) {
            return s.round();
        }
        return slug != null ? slug : "?" + s.name();
    }

    private static String describeGroup(Snapshot s) {
        String group = group(s);
        if (PREMIGRATE.equals(group)) {
            return "premigrate snapshot";
        }
        return group.startsWith("?") ? "snapshot of an unknown round" : "snapshot of round " + group;
    }

    private static String slug(String name) {
        Matcher m = SLUG.matcher(name);
        return m.matches() ? m.group(1) : null;
    }

    /** Why a local phase snapshot must stay, or empty when its cold copy is confirmed. */
    private static Optional<String> unconfirmedColdCopy(Snapshot s, List<Snapshot> all, ColdTierStatus cold) {
        String what = "phase seal snapshot" + (s.round() == null ? "" : " of round " + s.round());
        if (!cold.configured()) {
            return Optional.of(what + " and no cold tier is configured (set COLIBRI_COLD_DIR): it is kept here until a"
                    + " copy is off-host.");
        }
        if (cold.isUnreachable()) {
            return Optional.of(what + ": the cold tier " + cold.path() + " cannot be read, so its off-host copy is"
                    + " unconfirmed and it is kept.");
        }
        List<Snapshot> copies = all.stream().filter(c -> c.cold() && c.name().equals(s.name())).toList();
        if (copies.isEmpty()) {
            return Optional.of(what + " with no copy in the cold tier " + cold.path() + ": it is kept until it is"
                    + " copied there.");
        }
        boolean matching = copies.stream().anyMatch(c -> c.manifest() == null || s.manifest() == null
                || Objects.equals(c.manifest().sha256(), s.manifest().sha256()));
        if (!matching) {
            return Optional.of(what + ": its copy in the cold tier has a different sha256, so it is kept until a good"
                    + " copy is made.");
        }
        return Optional.empty();
    }

    private static String coldReason(Snapshot s) {
        String round = s.round() == null ? "" : " of round " + s.round();
        if ("phase".equals(s.kind())) {
            return "cold: the phase seal snapshot" + round + ", kept forever off-host.";
        }
        return "cold: kept forever off-host (a " + s.kind() + " snapshot" + round + ").";
    }

    private static String days(Snapshot s) {
        return String.format(Locale.ROOT, "%.1f days", s.ageDays());
    }
}
