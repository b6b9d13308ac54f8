package dev.colibri.restore;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.ThoughtRecord;
import dev.colibri.backup.Manifest;
import dev.colibri.merkle.MerkleLog;
import dev.colibri.merkle.TreeHead;
import dev.colibri.workspace.Meta;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/** The restored database file, opened directly (never booted as the live database) for the last checks. */
final class RestoredFile {

    /** The files SQLite keeps beside a database, by suffix: they belong to it and move with it. */
    static final List<String> SIDECARS = List.of("wal", "shm", "journal");

    private RestoredFile() {
    }

    static Connection open(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /** {@code PRAGMA quick_check}: "ok", or the first problem. */
    static String quickCheck(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
            return rs.next() ? rs.getString(1) : "no result";
        }
    }

    /**
     * What the check after the swap reads of the restored file: its schema, page count and the heads
     * of its chain and tree, by index lookups (no table scan), and its workspace id.
     *
     * @param pageSize    {@code PRAGMA page_size}
     * @param pageCount   {@code PRAGMA page_count}
     * @param chainHead   the record at the highest position, if any
     * @param treeHead    the latest tree head, if any
     * @param workspaceId the workspace id in meta, or null
     */
    record Facts(long pageSize, long pageCount, Optional<ThoughtRecord> chainHead, Optional<TreeHead> treeHead,
            String workspaceId) {

        static Facts read(Connection c) throws SQLException {
            return new Facts(pragma(c, "page_size"), pragma(c, "page_count"), AuditChain.head(c),
                    MerkleLog.latestHead(c), Meta.get(c, Meta.WORKSPACE_ID).orElse(null));
        }

        /** How the file differs from what its manifest says was verified; empty when it does not. */
        List<String> differencesFrom(Manifest m) {
            List<String> d = new ArrayList<>();
            if (pageSize * pageCount != m.sizeBytes()) {
                d.add(pageCount + " pages of " + pageSize + " bytes where the snapshot has " + m.sizeBytes() + " bytes");
            }
            long length = chainHead.map(r -> r.position() + 1).orElse(0L);
            String head = chainHead.map(ThoughtRecord::hash).orElse("0".repeat(64));
            if (length != m.chainLength() || !head.equals(m.chainHead())) {
                d.add("its chain ends at record " + (length - 1) + " (hash " + head + ") where the snapshot's ends at "
                        + (m.chainLength() - 1) + " (hash " + m.chainHead() + ")");
            }
            long size = treeHead.map(TreeHead::size).orElse(0L);
            String root = treeHead.map(TreeHead::root).orElse(null);
            if (size != m.merkleSize() || (size > 0 && !root.equals(m.merkleRoot()))) {
                d.add("its latest tree head is size " + size + " root " + root + " where the snapshot's is size "
                        + m.merkleSize() + " root " + m.merkleRoot());
            }
            if (!Objects.equals(workspaceId, m.workspaceId())) {
                d.add("it belongs to workspace " + workspaceId + " where the snapshot belongs to " + m.workspaceId());
            }
            return d;
        }
    }

    private static long pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // what was committed is durable in the file or its WAL; the next open finishes the checkpoint
        }
    }
}
