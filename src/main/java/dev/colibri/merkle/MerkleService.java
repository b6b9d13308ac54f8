package dev.colibri.merkle;

import dev.colibri.audit.AuditChain;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Meta;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finalizing tree heads and anchoring them outside the database, in one write transaction: the
 * transaction stores the new nodes and the head, appends the head's anchor line to the anchor log
 * and fsyncs it, then marks the head anchored and commits. The writer lock is held throughout, so
 * the anchor lines are in commit order, and a head is marked anchored only once its line is durable.
 * A crash before the commit can leave a line whose head was not committed; that line is the true
 * root of records already committed, and the next finalize over the same records finds it instead of
 * appending it twice. A head committed without its line (the log could not be written, or a crash
 * of an earlier version between its two steps) stays unanchored until the next finalize or
 * {@link #reconcile} anchors it.
 */
public final class MerkleService {

    private static final Logger LOG = LoggerFactory.getLogger(MerkleService.class);

    private final Database db;
    private final AnchorLog anchors;
    private final MerkleLog log;
    private final Clock clock;

    public MerkleService(Database db, AnchorLog anchors, Clock clock) {
        this.db = db;
        this.anchors = anchors;
        this.log = new MerkleLog(clock);
        this.clock = clock;
    }

    public AnchorLog anchors() {
        return anchors;
    }

    /** The workspace facts anchoring needs, read on the writer's connection inside its transaction. */
    private record WorkspaceFacts(String id, long restoreFloor) {

        static WorkspaceFacts read(Connection c) throws SQLException {
            return new WorkspaceFacts(Meta.get(c, Meta.WORKSPACE_ID).orElse(""),
                    Meta.get(c, Meta.RESTORE_ANCHOR_SEQ).map(Long::parseLong).orElse(0L));
        }
    }

    /**
     * How anchoring a head ended: anchored when neither field is set.
     *
     * @param refused why the head was refused, or null
     * @param failed  why the anchor log could not be read or written, or null
     */
    private record Anchoring(String refused, IOException failed) {

        static final Anchoring ANCHORED = new Anchoring(null, null);
    }

    /** A head, the size before it, and how anchoring it ended. */
    private record Finalized(TreeHead head, long before, Anchoring anchoring) {
    }

    /**
     * Finalizes every record so far into a tree head and anchors it. Synchronized so that heads reach
     * the anchor log in the order they were committed.
     */
    public synchronized FinalizeResult finalizeAndAnchor(String round) {
        Finalized f = db.write(c -> {
            WorkspaceFacts workspace = WorkspaceFacts.read(c);
            long before = MerkleLog.latestHead(c).map(TreeHead::size).orElse(0L);
            if (round != null) {
                Meta.put(c, Meta.CURRENT_ROUND, round);
            }
            TreeHead head = log.finalizeHead(c, round);
            return new Finalized(head, before, anchor(c, workspace, head));
        });
        TreeHead head = f.head();
        long fresh = head.size() - f.before();
        if (f.anchoring().refused() != null) {
            return new FinalizeResult(head.size(), head.root(), head.round(), false, fresh, f.anchoring().refused());
        }
        if (f.anchoring().failed() != null) {
            return new FinalizeResult(head.size(), head.root(), head.round(), false, fresh,
                    "tree head committed but the anchor log " + anchors.file() + " could not be written ("
                            + f.anchoring().failed().getMessage() + "); fix it and call merkle_finalize again to anchor");
        }
        return new FinalizeResult(head.size(), head.root(), head.round(), true, fresh,
                fresh == 0 ? "no new records since the last tree head" : "finalized and anchored");
    }

    /**
     * Inside the caller's write transaction: appends a head to the anchor log unless it is already
     * there, and once the line is durable marks the head anchored. A different root already anchored
     * for the same size (since the last restore) means records were rewritten after they were
     * anchored: that head is refused, never anchored over the old root.
     */
    private Anchoring anchor(Connection c, WorkspaceFacts workspace, TreeHead head) throws SQLException {
        if (head.anchored()) {
            return Anchoring.ANCHORED;
        }
        try {
            Optional<Anchor> existing = anchors.read().latestFor(workspace.id(), head.size());
            if (existing.isPresent() && !existing.get().root().equals(head.root())
                    && existing.get().seq() > workspace.restoreFloor()) {
                return new Anchoring("the anchor log already holds a different root for size " + head.size()
                        + " (anchor #" + existing.get().seq() + "): records anchored earlier were rewritten or cut and"
                        + " re-appended. Not anchored; call audit_verify_chain and restore_plan", null);
            }
            if (existing.isEmpty() || !existing.get().root().equals(head.root())) {
                anchors.append(workspace.id(), head.round(), head.size(), head.root(),
                        clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
            }
        } catch (IOException e) {
            return new Anchoring(null, e);
        }
        log.markAnchored(c, head.size());
        return Anchoring.ANCHORED;
    }

    /** Anchors heads that a crash or an unwritable anchor log left unanchored, oldest first. */
    public synchronized void reconcile() {
        List<TreeHead> pending = db.read(MerkleLog::unanchoredHeads);
        for (TreeHead head : pending) {
            Anchoring a = db.write(c -> anchor(c, WorkspaceFacts.read(c), head));
            if (a.refused() != null) {
                LOG.warn("tree head size {} left unanchored: {}", head.size(), a.refused());
            } else if (a.failed() != null) {
                LOG.warn("cannot anchor tree head size {}: {}", head.size(), a.failed().getMessage());
            } else {
                LOG.info("anchored tree head size {} left unanchored by an earlier crash", head.size());
            }
        }
    }

    /** Records appended since the latest tree head (cheap: two index lookups). */
    public long pendingRecords() {
        return db.read(c -> AuditChain.count(c) - MerkleLog.latestHead(c).map(TreeHead::size).orElse(0L));
    }

    /** The live database's root, recomputed and compared with the anchor log. */
    public RootReport liveReport() {
        return db.read(c -> report(c, anchors, true));
    }

    /**
     * Recomputes the latest head of the database behind {@code c} and compares it with the anchor
     * log. {@code live} adds the truncation check against anchors newer than the database.
     */
    public static RootReport report(Connection c, AnchorLog anchors, boolean live) throws SQLException {
        return report(c, anchors, live, null);
    }

    /**
     * {@link #report(Connection, AnchorLog, boolean)} with the root over the latest head's records
     * already computed (by a {@link ChainRoot} fed by a chain walk that verified); null to recompute.
     */
    public static RootReport report(Connection c, AnchorLog anchors, boolean live, MerkleLog.Recomputed known)
            throws SQLException {
        String workspaceId = Meta.get(c, Meta.WORKSPACE_ID).orElse("");
        Optional<TreeHead> head = MerkleLog.latestHead(c);
        long records = AuditChain.count(c);
        long size = head.map(TreeHead::size).orElse(0L);
        MerkleLog.Recomputed rec = known != null ? known : MerkleLog.recompute(c, size);
        AnchorLogState state;
        try {
            state = anchors.read();
        } catch (IOException e) {
            return new RootReport(size, rec.root(), head.map(TreeHead::root).orElse(null), records,
                    Math.max(0, records - size), "missing", null, false, "cannot read the anchor log "
                            + anchors.file() + ": " + e.getMessage());
        }
        Optional<Anchor> anchor = state.latestFor(workspaceId, size);
        String anchored = anchor.map(Anchor::root).orElse(null);
        String[] verdict = verdict(head, rec, anchor, state, workspaceId, records, live, c);
        String detail = verdict[1] + (state.intact() ? "" : "; the anchor log itself is damaged: " + state.problem());
        return new RootReport(size, rec.root(), head.map(TreeHead::root).orElse(null), records,
                Math.max(0, records - size), verdict[0], anchored, state.intact(), detail);
    }

    private static String[] verdict(Optional<TreeHead> head, MerkleLog.Recomputed rec, Optional<Anchor> anchor,
            AnchorLogState state, String workspaceId, long records, boolean live, Connection c) throws SQLException {
        if (head.isEmpty()) {
            // tail records cut together with every tree head: only the anchor log still knows
            String[] cut = live ? tailCut(state, workspaceId, records, c) : null;
            return cut != null ? cut
                    : new String[] {"missing", "no tree head has been finalized yet; call merkle_finalize"};
        }
        long size = head.get().size();
        if (rec.leaves() < size) {
            return new String[] {"mismatch", "the database holds only " + rec.leaves() + " of the " + size
                    + " records of its latest tree head: records were deleted from the tail"};
        }
        if (live) {
            String[] cut = tailCut(state, workspaceId, records, c);
            if (cut != null) {
                return cut;
            }
        }
        if (!rec.root().equals(head.get().root())) {
            return new String[] {"mismatch", "the records no longer hash to the stored tree head of size " + size};
        }
        if (anchor.isEmpty() && head.get().anchored()) {
            // the database recorded this head as durable in the log, so the log lost it
            return new String[] {"mismatch", "the tree head of size " + size + " was anchored, but the anchor log no"
                    + " longer holds its root: the anchor log was truncated, edited or replaced"};
        }
        if (anchor.isEmpty()) {
            return new String[] {"missing", "the anchor log has no root for size " + size
                    + (live ? "; call merkle_finalize to anchor it" : "")};
        }
        if (!anchor.get().root().equals(rec.root())) {
            return new String[] {"mismatch", "the recomputed root differs from anchor #" + anchor.get().seq()
                    + " for size " + size};
        }
        return new String[] {"match", "root of size " + size + " matches anchor #" + anchor.get().seq()};
    }

    /** A mismatch when the anchor log holds a tree head larger than the records the database still has. */
    private static String[] tailCut(AnchorLogState state, String workspaceId, long records, Connection c)
            throws SQLException {
        long floor = Meta.get(c, Meta.RESTORE_ANCHOR_SEQ).map(Long::parseLong).orElse(0L);
        for (Anchor a : state.anchors()) {
            if (a.workspaceId().equals(workspaceId) && a.seq() > floor && a.size() > records) {
                return new String[] {"mismatch", "the anchor log holds a tree head of size " + a.size()
                        + " (anchor #" + a.seq() + ") but the database has only " + records
                        + " records: records were deleted from the tail"};
            }
        }
        return null;
    }
}
