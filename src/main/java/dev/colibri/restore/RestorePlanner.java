package dev.colibri.restore;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Check;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotVerifier;
import dev.colibri.backup.Verdict;
import dev.colibri.backup.VerdictMemo;
import dev.colibri.backup.Verification;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.workspace.Workspace;
import dev.colibri.workspace.WorkspaceLock;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Plans a restore without changing anything: picks the snapshot to restore from (by default the
 * newest that verifies clean, walking the hot tier, then warm, then cold), records every snapshot
 * passed over with its failed checks, and lays out the steps with their exact commands and the
 * records the restore would lose. A plan takes its verdicts from the process's {@link VerdictMemo}
 * (an unchanged snapshot is not verified again, and the plan says so); the offline restore's
 * selection always verifies in full.
 */
public final class RestorePlanner {

    static final List<String> TIERS = List.of("hot", "warm", "cold");

    private final Workspace workspace;
    private final BackupCatalog catalog;
    private final AuditChain chain;
    private final AnchorLog anchors;
    private final LiveDatabase live;
    private final Clock clock;
    private final VerdictMemo verdicts;

    /**
     * @param live     how to read the database a restore would replace: {@link LiveDatabase#of} inside
     *                 the server, {@link LiveDatabase#file} without one
     * @param verdicts the process's memo of verdicts, shared with retention and backup_verify
     */
    public RestorePlanner(Workspace workspace, BackupCatalog catalog, AuditChain chain, AnchorLog anchors,
            LiveDatabase live, Clock clock, VerdictMemo verdicts) {
        this.workspace = workspace;
        this.catalog = catalog;
        this.chain = chain;
        this.anchors = anchors;
        this.live = live;
        this.clock = clock;
        this.verdicts = verdicts;
    }

    /** A planner with a memo of its own (a one-off process: the CLI, the offline restore). */
    public RestorePlanner(Workspace workspace, BackupCatalog catalog, AuditChain chain, AnchorLog anchors,
            LiveDatabase live, Clock clock) {
        this(workspace, catalog, chain, anchors, live, clock, new VerdictMemo(clock));
    }

    /** A planner without a server (the CLI): reads the live database file directly, read-only. */
    public static RestorePlanner offline(Workspace workspace, Clock clock) {
        AuditKey key = AuditKey.load(workspace.keyFile(), false);
        return new RestorePlanner(workspace, new BackupCatalog(workspace, clock), new AuditChain(key, clock),
                new AnchorLog(workspace.anchorLog()), LiveDatabase.file(workspace.database()), clock);
    }

    /**
     * Plans a restore from the named snapshot, or from the newest that verifies clean.
     *
     * @throws IllegalArgumentException when {@code snapshot} is not a valid name or names no snapshot
     */
    public Plan plan(Optional<String> snapshot) throws IOException {
        LiveFacts facts = live.facts();
        Selection selection = select(snapshot, facts.workspaceId());
        OptionalLong holder = WorkspaceLock.holder(workspace.lockFile());
        Long pid = holder.isPresent() ? holder.getAsLong() : null;
        Plan.DataLoss loss = dataLoss(selection.candidate(), facts);
        PlanSteps steps = new PlanSteps(workspace, clock);
        String home = workspace.home().toString();
        if (selection.candidate() == null) {
            List<Plan.Step> advice = steps.noCandidate(snapshot, selection, anchors, facts.workspaceId());
            return new Plan(null, null, selection.rejected(), advice, loss, pid, home, null, null, null);
        }
        Snapshot s = selection.candidate();
        return new Plan(s.name(), s.tier(), selection.rejected(), steps.restore(s, pid), loss, pid, home,
                PlanSteps.offline(s.name()), selection.verdict().verifiedAt().toString(),
                selection.verdict().fromMemory());
    }

    /**
     * The snapshot to restore from and the ones passed over.
     *
     * @param candidate    the chosen snapshot, verified clean, or null
     * @param verdict      its verdict, or null
     * @param rejected     snapshots verified and found unsafe, in the order they were tried
     * @param considered   how many snapshots there were to choose from
     */
    record Selection(Snapshot candidate, Verdict verdict, List<Plan.Rejected> rejected, int considered) {

        /** The candidate's verification, or null. */
        Verification verification() {
            return verdict == null ? null : verdict.verification();
        }
    }

    /**
     * Picks the snapshot for a plan: in restore order until one is clean, each verdict from the
     * memo (verified in full unless the snapshot and its inputs are unchanged since an earlier one).
     *
     * @param workspaceId the live workspace id the snapshots must belong to; null when the live
     *                    database cannot tell, and each snapshot is then held to its own manifest's id
     */
    Selection select(Optional<String> snapshot, String workspaceId) throws IOException {
        return walk(snapshot, workspaceId, verdicts::verdictOf);
    }

    /** How the walk gets the verdict on one snapshot. */
    @FunctionalInterface
    private interface Verdicts {
        Verdict of(SnapshotVerifier verifier, Snapshot s) throws IOException;
    }

    /** Hears each verification on the selecting thread as soon as it is done. */
    @FunctionalInterface
    interface Verified {
        void heard(Verification v) throws IOException;
    }

    /**
     * Verifies snapshots in restore order until one is clean, with the checksum check supplied by
     * the caller (a restore copies each snapshot while it hashes it).
     */
    Selection select(Optional<String> snapshot, String workspaceId, Function<Snapshot, Check> checksum,
            Verified verified) throws IOException {
        return walk(snapshot, workspaceId, (verifier, s) -> {
            Verification v = verifier.verify(s, checksum); // always in full: never from the memo
            verified.heard(v);
            return Verdict.fresh(v, clock);
        });
    }

    private Selection walk(Optional<String> snapshot, String workspaceId, Verdicts verdictOf) throws IOException {
        SnapshotVerifier live = new SnapshotVerifier(chain, anchors, workspaceId);
        List<Snapshot> order = snapshot.isPresent() ? copiesOf(snapshot.get()) : restoreOrder(catalog.list());
        List<Plan.Rejected> rejected = new ArrayList<>();
        for (Snapshot s : order) {
            SnapshotVerifier verifier = workspaceId != null || s.manifest() == null ? live
                    : new SnapshotVerifier(chain, anchors, s.manifest().workspaceId());
            Verdict v = verdictOf.of(verifier, s);
            if (v.safeToRestore()) {
                return new Selection(s, v, rejected, order.size());
            }
            rejected.add(new Plan.Rejected(s.name(), s.tier(), v.failures(), v.verifiedAt().toString()));
        }
        return new Selection(null, null, rejected, order.size());
    }

    /** Every copy of a named snapshot, the local one before the cold one. */
    private List<Snapshot> copiesOf(String name) throws IOException {
        String resolved = catalog.resolve(name).name();
        return catalog.list().stream().filter(s -> s.name().equals(resolved)).toList();
    }

    /** Hot, then warm, then cold; newest first within each tier. */
    static List<Snapshot> restoreOrder(List<Snapshot> newestFirst) {
        List<Snapshot> order = new ArrayList<>();
        for (String tier : TIERS) {
            newestFirst.stream().filter(s -> tier.equals(s.tier())).forEach(order::add);
        }
        return order;
    }

    static Plan.DataLoss dataLoss(Snapshot candidate, LiveFacts facts) {
        if (candidate == null) {
            return new Plan.DataLoss(null, null, facts.records(), null, facts.readable()
                    ? "no snapshot to restore from, so nothing to compare; the live database holds " + facts.records()
                            + " records"
                    : "no snapshot to restore from, and the live database cannot be read: " + facts.problem());
        }
        long snapshotRecords = candidate.manifest().chainLength();
        if (!facts.readable()) {
            return new Plan.DataLoss(candidate.createdAt(), null, null, snapshotRecords,
                    "unknown: the live database cannot be read (" + facts.problem() + "); the snapshot holds "
                            + snapshotRecords + " records");
        }
        long after = facts.records() - snapshotRecords;
        String detail = after > 0 ? after + " thought record(s) written after the snapshot are not in it and would be lost"
                : after == 0 ? "the snapshot holds every record of the live database"
                : "the live database holds " + (-after) + " record(s) fewer than the snapshot (its chain was cut);"
                        + " restoring loses none";
        return new Plan.DataLoss(candidate.createdAt(), after, facts.records(), snapshotRecords, detail);
    }
}
