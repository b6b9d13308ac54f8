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
 * Finalizing tree heads and anchoring them outside the database: the database transaction commits
 * the head, then the anchor line is appended and fsynced, then the head is marked anchored. A crash
 * between the two leaves an unanchored head, which {@link #reconcile} anchors at the next start.
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

    /**
     * Finalizes every record so far into a tree head and anchors it. Synchronized so that heads reach
     * the anchor log in the order they were committed.
     */
    public synchronized FinalizeResult finalizeAndAnchor(String round) {
        long[] before = new long[1];
        TreeHead head = db.write(c -> {
            before[0] = MerkleLog.latestHead(c).map(TreeHead::size).orElse(0L);
            if (round != null) {
                Meta.put(c, Meta.CURRENT_ROUND, round);
            }
            return log.finalizeHead(c, round);
        });
        String workspaceId = workspaceId();
        try {
            Optional<String> refused = anchor(workspaceId, head);
            if (refused.isPresent()) {
                return new FinalizeResult(head.size(), head.root(), head.round(), false, head.size() - before[0],
                        refused.get());
            }
        } catch (IOException e) {
            return new FinalizeResult(head.size(), head.root(), head.round(), false, head.size() - before[0],
                    "tree head committed but the anchor log " + anchors.file() + " could not be written ("
                            + e.getMessage() + "); fix it and call merkle_finalize again to anchor");
        }
        return new FinalizeResult(head.size(), head.root(), head.round(), true, head.size() - before[0],
                head.size() == before[0] ? "no new records since the last tree head" : "finalized and anchored");
    }

    /**
     * Appends a head to the anchor log unless it is already there. A different root already anchored
     * for the same size (since the last restore) means records were rewritten after they were
     * anchored: that head is refused, never anchored over the old root.
     *
     * @return why the head was refused, or empty when it is anchored
     */
    private synchronized Optional<String> anchor(String workspaceId, TreeHead head) throws IOException {
        if (head.anchored()) {
            return Optional.empty();
        }
        AnchorLogState state = anchors.read();
        Optional<Anchor> existing = state.latestFor(workspaceId, head.size());
        long floor = db.read(c -> Meta.get(c, Meta.RESTORE_ANCHOR_SEQ).map(Long::parseLong).orElse(0L));
        if (existing.isPresent() && !existing.get().root().equals(head.root()) && existing.get().seq() > floor) {
            return Optional.of("the anchor log already holds a different root for size " + head.size() + " (anchor #"
                    + existing.get().seq() + "): records anchored earlier were rewritten or cut and re-appended."
                    + " Not anchored; call audit_verify_chain and restore_plan");
        }
        if (existing.isEmpty() || !existing.get().root().equals(head.root())) {
            anchors.append(workspaceId, head.round(), head.size(), head.root(),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        db.write(c -> {
            log.markAnchored(c, head.size());
            return null;
        });
        return Optional.empty();
    }

    /** Anchors heads that a crash left unanchored. */
    public synchronized void reconcile() {
        List<TreeHead> pending = db.read(MerkleLog::unanchoredHeads);
        if (pending.isEmpty()) {
            return;
        }
        String workspaceId = workspaceId();
        for (TreeHead head : pending) {
            try {
                Optional<String> refused = anchor(workspaceId, head);
                if (refused.isPresent()) {
                    LOG.warn("tree head size {} left unanchored: {}", head.size(), refused.get());
                } else {
                    LOG.info("anchored tree head size {} left unanchored by an earlier crash", head.size());
                }
            } catch (IOException e) {
                LOG.warn("cannot anchor tree head size {}: {}", head.size(), e.getMessage());
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
        String workspaceId = Meta.get(c, Meta.WORKSPACE_ID).orElse("");
        Optional<TreeHead> head = MerkleLog.latestHead(c);
        long records = AuditChain.count(c);
        long size = head.map(TreeHead::size).orElse(0L);
        MerkleLog.Recomputed rec = MerkleLog.recompute(c, size);
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

    private String workspaceId() {
        return db.read(c -> Meta.get(c, Meta.WORKSPACE_ID).orElse(""));
    }
}
