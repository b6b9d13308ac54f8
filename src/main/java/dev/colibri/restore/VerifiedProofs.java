package dev.colibri.restore;

import dev.colibri.audit.ChainVerification;
import dev.colibri.backup.Check;
import dev.colibri.backup.Manifest;
import dev.colibri.backup.Verification;
import dev.colibri.merkle.Anchor;
import dev.colibri.merkle.AnchorLogState;
import dev.colibri.merkle.RootReport;
import dev.colibri.merkle.TreeHead;
import java.util.Optional;

/**
 * The audit chain and Merkle results of a restored file whose SHA-256 equals its snapshot's
 * manifest, taken from the snapshot's verification: that verification walked the chain and
 * recomputed the root over these very bytes (the copy was hashed as it was written, and the hash is
 * the manifest's, which the snapshot matched), so scanning the restored file again would only read
 * the same bytes a second time. What {@code MerkleService.report} would say of the restored file
 * depends on its records, its tree heads and the anchor log, none of which the restore changes (it
 * only adds its note to {@code meta}), and the workspace lock keeps the anchor log still.
 */
final class VerifiedProofs {

    private VerifiedProofs() {
    }

    /**
     * The chain the verification walked: its {@code audit_chain} check passes only when the chain
     * verifies with the manifest's length and head. Empty when the check did not pass.
     */
    static Optional<ChainVerification> chain(Verification v) {
        if (!"ok".equals(check(v, "audit_chain").status())) {
            return Optional.empty();
        }
        Manifest m = v.snapshot().manifest();
        return Optional.of(new ChainVerification(true, m.chainLength(), m.chainHead(), null, null));
    }

    /**
     * The Merkle report of the restored file, from the verification's {@code merkle_root} check, the
     * file's latest tree head (read by index) and the anchor log as it is now. Empty when they do not
     * agree with that check, and the root has to be recomputed on the restored file after all.
     *
     * @param emptyRoot the root of the empty tree, reported when no tree head was ever finalized
     */
    static Optional<RootReport> merkle(Verification v, RestoredFile.Facts file, AnchorLogState anchors,
            String emptyRoot) {
        Check check = check(v, "merkle_root");
        long records = v.snapshot().manifest().chainLength();
        if (file.treeHead().isEmpty()) {
            String damaged = anchors.intact() ? "" : "; the anchor log itself is damaged: " + anchors.problem();
            return "skipped".equals(check.status())
                    ? Optional.of(new RootReport(0, emptyRoot, null, records, records, "missing", null, anchors.intact(),
                            "no tree head has been finalized yet; call merkle_finalize" + damaged))
                    : Optional.empty();
        }
        TreeHead head = file.treeHead().get();
        String workspaceId = file.workspaceId() == null ? "" : file.workspaceId();
        Optional<Anchor> anchor = anchors.latestFor(workspaceId, head.size());
        if (!"ok".equals(check.status()) || anchor.isEmpty() || !anchor.get().root().equals(head.root())) {
            return Optional.empty();
        }
        return Optional.of(new RootReport(head.size(), head.root(), head.root(), records,
                Math.max(0, records - head.size()), "match", head.root(), anchors.intact(), check.detail()));
    }

    private static Check check(Verification v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElse(Check.skipped(name, "not run"));
    }
}
