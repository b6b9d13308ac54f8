package dev.colibri.restore;

import java.util.List;

/**
 * A restore plan: which snapshot to restore from, which were passed over and why, the ordered
 * steps with their exact command lines, and what restoring would lose. Making a plan changes nothing.
 *
 * @param candidate      the snapshot to restore from, or null when none is safe
 * @param candidateTier  {@code hot}, {@code warm} or {@code cold}; null without a candidate
 * @param rejected       every snapshot verified and passed over before the candidate, with its failed checks
 * @param steps          what to do, in order; commands run from the workspace home
 * @param dataLoss       what restoring the candidate loses
 * @param serverPid      the pid holding the workspace, or null when no process holds it
 * @param workspace      the workspace home the relative paths in the commands refer to
 * @param offline        the one command that carries out most of the plan offline, or null without a candidate
 * @param candidateVerifiedAt         when the verification that found the candidate clean finished; null
 *                                    without a candidate
 * @param candidateVerdictFromMemory  true when that verdict was remembered from an earlier call (the file
 *                                    and its inputs were unchanged) rather than verified by this plan; null
 *                                    without a candidate
 */
public record Plan(String candidate, String candidateTier, List<Rejected> rejected, List<Step> steps, DataLoss dataLoss,
        Long serverPid, String workspace, Offline offline, String candidateVerifiedAt,
        Boolean candidateVerdictFromMemory) {

    public Plan {
        rejected = List.copyOf(rejected);
        steps = List.copyOf(steps);
    }

    /**
     * A snapshot that was verified and is not safe to restore from.
     *
     * @param verifiedAt when the verification that rejected it finished (a failed verdict is never
     *                   remembered, so it is always this plan's)
     */
    public record Rejected(String name, String tier, String reason, String verifiedAt) {
    }

    /**
     * One step of the plan.
     *
     * @param command the exact command line, or an empty string when there is nothing to run
     */
    public record Step(int step, String action, String command) {
    }

    /**
     * The offline restore command and which steps of the plan it carries out.
     *
     * @param steps the numbers of the steps it performs
     * @param note  what it does beyond those steps
     */
    public record Offline(String command, List<Integer> steps, String note) {

        public Offline {
            steps = List.copyOf(steps);
        }
    }

    /**
     * The records restoring the candidate loses.
     *
     * @param recordsAfterSnapshot live chain length minus the snapshot's; null when either is unknown.
     *                             Negative when the live database holds fewer records than the snapshot
     * @param detail               a sentence explaining the figure (or why it is unknown)
     */
    public record DataLoss(String snapshotCreatedAt, Long recordsAfterSnapshot, Long liveRecords, Long snapshotRecords,
            String detail) {
    }
}
