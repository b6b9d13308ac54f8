package dev.colibri.backup;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A full verification of a snapshot, when it was made, and whether the caller got it from
 * {@link VerdictMemo} instead of running it.
 *
 * @param verification the checks, as a full verification ran them; its snapshot is the caller's
 * @param verifiedAt   when that verification finished (the workspace clock)
 * @param fromMemory   true when this call did not verify: the snapshot's file and every other input
 *                     were unchanged since {@code verifiedAt}, so the earlier verdict was reused
 */
public record Verdict(Verification verification, Instant verifiedAt, boolean fromMemory) {

    public Verdict {
        Objects.requireNonNull(verification, "verification");
        Objects.requireNonNull(verifiedAt, "verifiedAt");
    }

    /** A verification that just ran, dated now (to the millisecond). */
    public static Verdict fresh(Verification verification, Clock clock) {
        return new Verdict(verification, clock.instant().truncatedTo(ChronoUnit.MILLIS), false);
    }

    public boolean safeToRestore() {
        return verification.safeToRestore();
    }

    /** The failed checks' details, joined, for a rejection reason. */
    public String failures() {
        return verification.failures();
    }

    /** This verdict handed out again for {@code current} (the same file, listed anew): marked as from memory. */
    Verdict recalled(Snapshot current) {
        return new Verdict(new Verification(current, verification.checks(), verification.durationMillis()), verifiedAt,
                true);
    }
}
