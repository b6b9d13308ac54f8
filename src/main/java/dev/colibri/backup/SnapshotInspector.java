package dev.colibri.backup;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditService;
import dev.colibri.audit.ChainVerification;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.merkle.MerkleService;
import dev.colibri.merkle.RootReport;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Sqlite;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Read-only checks that run the same way on the live database and on a snapshot file: the audit
 * chain walk and the Merkle root compared with its anchor. Snapshots are opened read-only and
 * never modified.
 */
public final class SnapshotInspector {

    private final Database db;
    private final BackupCatalog catalog;
    private final AuditService audit;
    private final AnchorLog anchors;

    public SnapshotInspector(Database db, BackupCatalog catalog, AuditService audit, AnchorLog anchors) {
        this.db = db;
        this.catalog = catalog;
        this.audit = audit;
        this.anchors = anchors;
    }

    /**
     * Verifies the chain of the live database (null: {@link AuditService#verifyLive}, from the file's
     * pages where it can) or of the named snapshot.
     */
    public ChainVerification verifyChain(String snapshot) throws IOException {
        if (snapshot == null) {
            return audit.verifyLive();
        }
        return onFile(catalog.resolve(snapshot).path(), audit.chain()::verify);
    }

    /** The Merkle root report of the live database (null) or of the named snapshot. */
    public RootReport merkleRoot(String snapshot) throws IOException {
        if (snapshot == null) {
            return db.read(c -> MerkleService.report(c, anchors, true));
        }
        return onFile(catalog.resolve(snapshot).path(), c -> MerkleService.report(c, anchors, false));
    }

    /** Runs read-only work on a database file, turning SQLite's complaints into a readable error. */
    public static <T> T onFile(Path file, Database.SqlWork<T> work) {
        try (Connection c = Sqlite.openReadOnly(file)) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + file.getFileName() + ": " + e.getMessage()
                    + (Sqlite.isCorruption(e) ? " (the file is damaged; it is not safe to restore from)" : ""), e);
        }
    }

    public AuditChain chain() {
        return audit.chain();
    }

    public AnchorLog anchors() {
        return anchors;
    }

    public BackupCatalog catalog() {
        return catalog;
    }
}
