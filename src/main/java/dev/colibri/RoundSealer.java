package dev.colibri;

import dev.colibri.backup.BackupResult;
import dev.colibri.backup.BackupService;
import dev.colibri.backup.ProgressListener;
import dev.colibri.backup.SnapshotName;
import dev.colibri.merkle.FinalizeResult;
import dev.colibri.merkle.MerkleService;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.temporal.ChronoUnit;

/**
 * Sealing a round, the runbook's end-of-round step: finalize the Merkle tree and anchor its root,
 * take the round snapshot, and write {@code docs/rounds/<round>-seal.md} naming the root, so the
 * root is recorded in two places outside the database.
 */
public final class RoundSealer {

    private final Workspace workspace;
    private final Database db;
    private final MerkleService merkle;
    private final BackupService backups;
    private final Clock clock;

    public RoundSealer(Workspace workspace, Database db, MerkleService merkle, BackupService backups, Clock clock) {
        this.workspace = workspace;
        this.db = db;
        this.merkle = merkle;
        this.backups = backups;
        this.clock = clock;
    }

    /** The outcome of a seal. */
    public record Seal(String round, FinalizeResult head, BackupResult snapshot, Path sealDocument) {
    }

    /** Seals one round; synchronized so that two calls for the same round cannot both pass the check. */
    public synchronized Seal seal(String round, ProgressListener progress) throws IOException {
        SnapshotName.requireRound(round);
        Path doc = workspace.roundsDir().resolve(round + "-seal.md");
        String sealedAt = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT sealed_at FROM rounds WHERE round = ?")) {
                ps.setString(1, round);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        if (sealedAt != null || Files.exists(doc)) {
            throw new IllegalArgumentException("round " + round + " is already sealed" + (sealedAt != null ? " (at "
                    + sealedAt + ")" : "") + "; its seal is " + doc + ". Seal the next round instead");
        }
        FinalizeResult head = merkle.finalizeAndAnchor(round);
        if (!head.anchored()) {
            throw new IllegalStateException("round " + round + " not sealed: " + head.detail());
        }
        BackupResult snapshot = backups.create("round", round, "seal of " + round, progress);
        String now = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        Files.createDirectories(doc.getParent());
        Durable.writeAtomically(doc, document(round, now, head, snapshot).getBytes(StandardCharsets.UTF_8));
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO rounds(round, size, sealed_at, seal_document) VALUES(?,?,?,?)")) {
                ps.setString(1, round);
                ps.setLong(2, head.size());
                ps.setString(3, now);
                ps.setString(4, workspace.home().relativize(doc).toString());
                ps.executeUpdate();
            }
            return null;
        });
        return new Seal(round, head, snapshot, doc);
    }

    private static String document(String round, String sealedAt, FinalizeResult head, BackupResult snapshot) {
        return "# Seal of round " + round + "\n\n"
                + "- sealed at: " + sealedAt + "\n"
                + "- merkle tree size: " + head.size() + "\n"
                + "- merkle root: `" + head.root() + "`\n"
                + "- anchored in: docs/anchors.jsonl\n"
                + "- snapshot: " + snapshot.snapshot().name() + "\n"
                + "- snapshot sha256: `" + snapshot.snapshot().manifest().sha256() + "`\n"
                + "- audit chain length: " + snapshot.snapshot().manifest().chainLength() + "\n"
                + "- audit chain head: `" + snapshot.snapshot().manifest().chainHead() + "`\n\n"
                + "Re-check at any time: call merkle_root and compare its root for size " + head.size()
                + " with the root above.\n";
    }
}
