package dev.colibri.merkle;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The Merkle proof tree over the thought records' hashes, kept in {@code merkle_nodes} as every
 * completed perfect subtree (level 0 = leaf hashes). Finalizing reads only the O(log n) frontier
 * nodes plus the new records, so it costs O(new records + log n); the recomputation used by
 * verification streams the records and keeps O(log n) hashes in memory.
 */
public final class MerkleLog {

    private static final HexFormat HEX = HexFormat.of();

    private final Clock clock;

    public MerkleLog(Clock clock) {
        this.clock = clock;
    }

    /**
     * Extends the stored tree with every record not yet in it and records the new tree head, inside
     * the caller's write transaction. With no new records it returns the latest head unchanged.
     * The new nodes go in through one reused INSERT executed as JDBC batches: executed one by one,
     * sqlite-jdbc follows every INSERT with a {@code SELECT last_insert_rowid()} (its generated
     * keys), which cost more than the insert itself.
     */
    public TreeHead finalizeHead(Connection c, String round) throws SQLException {
        long leaves = leafCount(c);
        requireContiguous(c, leaves);
        Optional<TreeHead> latest = latestHead(c);
        List<byte[]> frontier = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")) {
            for (long[] pos : RootAccumulator.frontierPositions(leaves)) {
                frontier.add(node(select, (int) pos[0], pos[1]));
            }
        }
        try (NodeBatch nodes = new NodeBatch(c);
                PreparedStatement records = c.prepareStatement(
                        "SELECT hash FROM thought_records WHERE position >= ? ORDER BY position")) {
            RootAccumulator acc = RootAccumulator.resume(leaves, frontier, nodes);
            records.setLong(1, leaves);
            try (ResultSet rs = records.executeQuery()) {
                while (rs.next()) {
                    acc.addLeafData(rs.getBytes(1));
                }
            }
            nodes.flush();
            if (latest.isPresent() && latest.get().size() == acc.size()) {
                return latest.get();
            }
            String now = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
            String root = HEX.formatHex(acc.root());
            try (PreparedStatement head = c.prepareStatement(
                    "INSERT INTO tree_heads(size, root, round, created_at) VALUES(?,?,?,?)")) {
                head.setLong(1, acc.size());
                head.setBytes(2, acc.root());
                head.setString(3, round);
                head.setString(4, now);
                head.executeUpdate();
            }
            return new TreeHead(acc.size(), root, round, now, false);
        }
    }

    /**
     * Stores completed nodes through one prepared INSERT, {@value #BATCH} rows per JDBC batch, so
     * memory stays bounded however many records a finalize covers.
     */
    private static final class NodeBatch implements RootAccumulator.NodeSink, AutoCloseable {

        private static final int BATCH = 512;

        private final PreparedStatement insert;
        private final long[] positions = new long[2 * BATCH];
        private int pending;

        NodeBatch(Connection c) throws SQLException {
            this.insert = c.prepareStatement("INSERT INTO merkle_nodes(level, idx, hash) VALUES(?,?,?)");
        }

        @Override
        public void completed(int level, long index, byte[] hash) {
            try {
                insert.setInt(1, level);
                insert.setLong(2, index);
                insert.setBytes(3, hash);
                insert.addBatch();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot store Merkle node " + level + "/" + index + ": "
                        + e.getMessage(), e);
            }
            positions[2 * pending] = level;
            positions[2 * pending + 1] = index;
            if (++pending == BATCH) {
                flush();
            }
        }

        /** Executes the nodes batched so far; a failure names the batch's first and last node. */
        void flush() {
            if (pending == 0) {
                return;
            }
            try {
                insert.executeBatch();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot store Merkle nodes " + positions[0] + "/" + positions[1]
                        + " to " + positions[2 * pending - 2] + "/" + positions[2 * pending - 1] + ": "
                        + e.getMessage(), e);
            } finally {
                pending = 0;
            }
        }

        @Override
        public void close() throws SQLException {
            insert.close();
        }
    }

    /** Marks a head as durable in the anchor log. */
    public void markAnchored(Connection c, long size) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE tree_heads SET anchored_at = ? WHERE size = ?")) {
            ps.setString(1, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
            ps.setLong(2, size);
            ps.executeUpdate();
        }
    }

    /** The most recent tree head. */
    public static Optional<TreeHead> latestHead(Connection c) throws SQLException {
        List<TreeHead> heads = heads(c, "ORDER BY size DESC LIMIT 1");
        return heads.isEmpty() ? Optional.empty() : Optional.of(heads.get(0));
    }

    /** Heads finalized but not yet confirmed in the anchor log (a crash between the two). */
    public static List<TreeHead> unanchoredHeads(Connection c) throws SQLException {
        return heads(c, "WHERE anchored_at IS NULL ORDER BY size");
    }

    private static List<TreeHead> heads(Connection c, String clause) throws SQLException {
        List<TreeHead> heads = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT size, root, round, created_at, anchored_at FROM tree_heads " + clause)) {
            while (rs.next()) {
                heads.add(new TreeHead(rs.getLong(1), HEX.formatHex(rs.getBytes(2)), rs.getString(3), rs.getString(4),
                        rs.getString(5) != null));
            }
        }
        return heads;
    }

    /**
     * Recomputes the root over the first {@code size} records from their stored hashes, ignoring the
     * stored nodes, so tampered records or nodes cannot hide. Fewer records than {@code size}
     * yields the root over those present, with {@link Recomputed#leaves()} telling how many.
     */
    public static Recomputed recompute(Connection c, long size) throws SQLException {
        RootAccumulator acc = new RootAccumulator();
        try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM thought_records ORDER BY position LIMIT ?")) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    acc.addLeafData(rs.getBytes(1));
                }
            }
        }
        return new Recomputed(acc.size(), HEX.formatHex(acc.root()));
    }

    /** A recomputed root and the number of leaves it covers. */
    public record Recomputed(long leaves, String root) {
    }

    /**
     * Refuses to extend the tree over a chain cut below what the tree already covers, or with gaps
     * among the records it is about to add. O(new records + log n), as finalizing must be: the end
     * comes from the rowid b-tree and only the records not yet in the tree are counted; the full
     * count is taken only to word a refusal. Records deleted from the middle of the part already
     * sealed are caught by audit_verify_chain and by the Merkle recomputation, not here.
     */
    private static void requireContiguous(Connection c, long leaves) throws SQLException {
        long end;
        long fresh;
        try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT COALESCE(MAX(position) + 1, 0) FROM thought_records),"
                + " (SELECT count(*) FROM thought_records WHERE position >= ?)")) {
            ps.setLong(1, leaves);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                end = rs.getLong(1);
                fresh = rs.getLong(2);
            }
        }
        if (end < leaves || fresh != end - leaves) {
            long count;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM thought_records")) {
                rs.next();
                count = rs.getLong(1);
            }
            throw new IllegalStateException("cannot finalize: the audit chain holds " + count + " records at positions"
                    + " 0.." + (end - 1) + " while the Merkle tree already covers " + leaves
                    + " (records were deleted); call audit_verify_chain and restore_plan");
        }
    }

    private static long leafCount(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(idx) + 1, 0) FROM merkle_nodes WHERE level = 0")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static byte[] node(PreparedStatement select, int level, long index) throws SQLException {
        select.setInt(1, level);
        select.setLong(2, index);
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("merkle_nodes lacks node level " + level + " index " + index
                        + " of the frontier; the proof tree is damaged: restore from a clean snapshot");
            }
            return rs.getBytes(1);
        }
    }
}
