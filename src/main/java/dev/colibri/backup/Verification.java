package dev.colibri.backup;

import java.util.List;

/** The outcome of verifying one snapshot: safe to restore only when no check failed. */
public record Verification(Snapshot snapshot, List<Check> checks, long durationMillis) {

    public Verification {
        checks = List.copyOf(checks);
    }

    public boolean safeToRestore() {
        return checks.stream().noneMatch(Check::failed);
    }

    /** The failed checks' details, joined, for a rejection reason. */
    public String failures() {
        return String.join("; ", checks.stream().filter(Check::failed).map(c -> c.name() + ": " + c.detail()).toList());
    }
}
