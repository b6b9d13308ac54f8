package dev.colibri.backup;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.ChainVerification;
import dev.colibri.audit.ChainWalk;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.merkle.AnchorLogState;
import dev.colibri.merkle.ChainRoot;
import dev.colibri.merkle.MerkleLog;
import dev.colibri.merkle.TreeHead;
import dev.colibri.merkle.MerkleService;
import dev.colibri.merkle.RootReport;
import dev.colibri.workspace.Schema;
import dev.colibri.workspace.Sha256;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Decides whether a snapshot is safe to restore from. Four independent reads of the file overlap:
 * SQLite's integrity check (then tables and workspace) on the calling thread, its foreign-key check
 * of the small tables on a second connection, the audit chain walk (itself spread over the cores,
 * and joined by the integrity check's thread once that check is done: {@link ChainWalk}), which
 * also computes the Merkle root from the hashes it reads and looks up the records' task ids for the
 * foreign-key check ({@link ForeignKeyCheck}), on a third, and the file's checksum; the
 * results are reported in the fixed order of {@code ORDER} as if run one after another (a check that
 * cannot run skips the ones after it). The checksum against the manifest makes any flipped byte
 * anywhere in the file fatal.
 */
public final class SnapshotVerifier {

    private final AuditChain chain;
    private final AnchorLog anchors;
    private final String workspaceId;
    private final int cores;

    public SnapshotVerifier(AuditChain chain, AnchorLog anchors, String workspaceId) {
        this(chain, anchors, workspaceId, Runtime.getRuntime().availableProcessors());
    }

    /** As if the machine had {@code cores} processors, which decide how the checks share them. */
    SnapshotVerifier(AuditChain chain, AnchorLog anchors, String workspaceId, int cores) {
        this.chain = chain;
        this.anchors = anchors;
        this.workspaceId = workspaceId;
        this.cores = cores;
    }

    /**
     * What a verdict depends on besides the snapshot and the anchor log's content: the audit chain
     * (its key), the anchor log read, and the workspace the snapshot must belong to. The chain and
     * the log compare by reference (an open workspace has one of each); two verifiers with equal
     * identities give the same verdict on the same inputs, and {@link VerdictMemo} keys on it.
     */
    record Identity(AuditChain chain, AnchorLog anchors, String workspaceId) {
    }

    Identity identity() {
        return new Identity(chain, anchors, workspaceId);
    }

    /** The anchor log as the Merkle check would see it now (cheap when the file is unchanged). */
    AnchorLogState anchorState() throws IOException {
        return anchors.read();
    }

    /** Runs every check on the snapshot, in full: nothing is remembered (see {@link VerdictMemo}). */
    public Verification verify(Snapshot snapshot) {
        return verify(snapshot, SnapshotVerifier::checksum, false);
    }

    /**
     * Verifies with a checksum check supplied by the caller that copies the file as it hashes it (a
     * restore: the file is read once for both), run on one of the verifier's threads while the other
     * checks read the file. Such a check needs as much CPU as the integrity check: on two cores the two
     * take one each, the chain walk starts when the first of them is done, and the integrity check's
     * thread joins it once both are, rather than three threads sharing two cores and the copy
     * finishing last. With more cores the walk starts at once on the cores left.
     */
    public Verification verify(Snapshot snapshot, Function<Snapshot, Check> copyingChecksum) {
        return verify(snapshot, copyingChecksum, true);
    }

    private Verification verify(Snapshot snapshot, Function<Snapshot, Check> checksum, boolean copying) {
        long start = System.nanoTime();
        boolean walkAfterChecksum = copying && cores <= 2;
        int extraWalkers = Math.max(0, cores - (copying ? 3 : 2));
        ExecutorService pool = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "colibri-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<Check> sum = CompletableFuture.supplyAsync(() -> checksum.apply(snapshot), pool);
            CompletableFuture<Object> summed = sum.handle((c, e) -> null);
            CompletableFuture<ChainWalk> walk = new CompletableFuture<>();
            CompletableFuture<Void> integrityDone = new CompletableFuture<>();
            CompletableFuture<Proofs> proofs = walkAfterChecksum
                    ? CompletableFuture.anyOf(summed, integrityDone)
                            .thenApplyAsync(first -> proofs(snapshot, walk, extraWalkers), pool)
                    : CompletableFuture.supplyAsync(() -> proofs(snapshot, walk, extraWalkers), pool);
            CompletableFuture<List<String>> keys = CompletableFuture.supplyAsync(
                    () -> SnapshotInspector.onFile(snapshot.path(), ForeignKeyCheck::early), pool);
            Overlap overlap = new Overlap(keys, proofs, walk, integrityDone,
                    walkAfterChecksum ? summed : CompletableFuture.completedFuture(null));
            List<Check> checks = new ArrayList<>(sqliteChecks(snapshot, overlap));
            keys.handle((k, e) -> null).join(); // never leave a reader on the file behind, whatever failed first
            proofs.handle((p, e) -> null).join();
            try {
                checks.add(3, sum.join());
            } catch (CompletionException e) {
                checks.add(3, Check.fail("checksum", "cannot read " + snapshot.path() + ": " + e.getCause().getMessage()));
            }
            return new Verification(snapshot, checks, (System.nanoTime() - start) / 1_000_000);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The foreign-key check: SQLite's rows when its check ran beside the others ({@link
     * ForeignKeyCheck#early}); clean without another read of {@code thought_records} when the chain
     * walk resolved every task id of a file that is sound; otherwise {@code PRAGMA
     * foreign_key_check} in full, on the integrity check's connection, so that every violation
     * reported is SQLite's own.
     */
    private static Check foreignKeys(Connection c, boolean sound, CompletableFuture<List<String>> early,
            CompletableFuture<Proofs> proofs) throws SQLException {
        List<String> fk;
        try {
            fk = early.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e; // as if read here: the checks after it are skipped
        }
        if (fk == null) {
            // a walk that could not finish is the chain check's to report, below; here it only vouches for nothing
            if (sound && proofs.handle((p, e) -> p != null && p.taskIdsResolved()).join()) {
                return Check.ok("foreign_key_check", "no violations (thought_records' task ids looked up during the chain walk)");
            }
            fk = SnapshotFacts.foreignKeyViolations(c);
        }
        return fk.isEmpty() ? Check.ok("foreign_key_check", "no violations")
                : Check.fail("foreign_key_check", fk.size() + " violation(s): " + String.join(", ", fk));
    }

    /**
     * The audit chain and Merkle root checks, whether reading the file stopped them, and whether the
     * walk read every record and found every task id it read among the tasks.
     */
    private record Proofs(List<Check> checks, boolean aborted, boolean taskIdsResolved) {
    }

    /**
     * The chain walk (with {@code extraWalkers} threads of its own besides this one) and the Merkle
     * recomputation, on their own connection; the walk is handed to {@code walk} as soon as it is set
     * up (null if it never is), so that the integrity check's thread can help when its check is done.
     * The walkers at the start are one per core but the one the integrity check keeps busy (and the
     * one a copying checksum keeps busy); the checksum thread of {@link #verify(Snapshot)} does not
     * help: it would leave three threads runnable on two cores, and the integrity check, the longest
     * piece of work that cannot be split, would then get a third of the machine instead of half and
     * finish last, on its own.
     */
    private Proofs proofs(Snapshot s, CompletableFuture<ChainWalk> walk, int extraWalkers) {
        List<Check> checks = new ArrayList<>();
        boolean[] resolved = {false};
        try {
            SnapshotInspector.onFile(s.path(), c -> {
                c.setAutoCommit(false); // one read transaction: the head and the records it covers agree
                long size = MerkleLog.latestHead(c).map(TreeHead::size).orElse(0L);
                ChainRoot root = new ChainRoot(size); // the Merkle root from the walk's own reads
                ForeignKeyCheck.Walk taskIds = ForeignKeyCheck.prepare(c);
                ChainWalk w = chain.walk(c, root, taskIds);
                walk.complete(w);
                ChainVerification v = w.finish(extraWalkers);
                resolved[0] = v.ok() && taskIds.resolved(); // a chain that verifies was read to its last record
                checks.add(chain(v, s.manifest()));
                checks.add(merkle(MerkleService.report(c, anchors, false, v.ok() ? root.result() : null)));
                return null;
            });
            return new Proofs(checks, false, resolved[0]);
        } catch (RuntimeException e) {
            checks.add(Check.fail(ORDER.get(3 + checks.size()), e.getMessage()));
            return new Proofs(checks, true, false);
        } finally {
            walk.complete(null); // no walk to help with, if it was never set up
        }
    }

    /** Takes chunks of the chain walk once it is set up, until none is left (nothing if it never was). */
    private static void help(CompletableFuture<ChainWalk> walk) {
        ChainWalk w = walk.join();
        if (w != null) {
            w.help();
        }
    }

    /** The snapshot's size and SHA-256 compared with its manifest. */
    public static Check checksum(Snapshot s) {
        Manifest m = s.manifest();
        if (m == null) {
            return Check.fail("checksum", "no readable manifest " + SnapshotName.manifestOf(s.name())
                    + " beside the snapshot, so its bytes cannot be proven");
        }
        try {
            long size = java.nio.file.Files.size(s.path());
            if (size != m.sizeBytes()) {
                return checksum(m, size, null); // truncated or extended: no need to read it all
            }
            return checksum(m, size, Sha256.of(s.path()));
        } catch (IOException e) {
            return Check.fail("checksum", "cannot read " + s.path() + ": " + e.getMessage());
        }
    }

    /**
     * The checksum verdict on a file of {@code size} bytes whose SHA-256 is {@code sha256} (null when
     * the size alone decides), against its manifest: the same words wherever the bytes were hashed.
     */
    public static Check checksum(Manifest m, long size, String sha256) {
        if (size != m.sizeBytes()) {
            return Check.fail("checksum", "size " + size + " bytes differs from the manifest's " + m.sizeBytes()
                    + " (truncated or extended)");
        }
        return sha256.equals(m.sha256()) ? Check.ok("checksum", "sha256 " + sha256 + " matches the manifest")
                : Check.fail("checksum", "sha256 " + sha256 + " differs from the manifest's " + m.sha256());
    }

    /**
     * The work that overlaps the SQLite checks: the early foreign-key read, the proofs, the walk to help
     * with, and when: {@code integrityDone} is completed when the integrity check is (the walk may wait
     * for it), and the integrity check's thread helps the walk once {@code helpAfter} is done too.
     */
    private record Overlap(CompletableFuture<List<String>> keys, CompletableFuture<Proofs> proofs,
            CompletableFuture<ChainWalk> walk, CompletableFuture<Void> integrityDone, CompletableFuture<?> helpAfter) {
    }

    private List<Check> sqliteChecks(Snapshot s, Overlap overlap) {
        List<Check> checks = new ArrayList<>();
        try {
            SnapshotInspector.onFile(s.path(), c -> {
                runChecks(c, checks, overlap);
                return null;
            });
        } catch (RuntimeException e) {
            checks.add(Check.fail(next(checks), e.getMessage()));
        } finally {
            overlap.integrityDone().complete(null); // a walk waiting for it must not wait for ever
        }
        fillSkipped(checks);
        return checks;
    }

    private static final List<String> ORDER = List.of("integrity_check", "foreign_key_check", "load_bearing_tables",
            "audit_chain", "merkle_root", "workspace");

    private static String next(List<Check> done) {
        return ORDER.get(Math.min(done.size(), ORDER.size() - 1));
    }

    private static void fillSkipped(List<Check> checks) {
        for (int i = checks.size(); i < ORDER.size(); i++) {
            checks.add(Check.skipped(ORDER.get(i), "not run: the file could not be read as a database"));
        }
    }

    private void runChecks(Connection c, List<Check> checks, Overlap overlap) throws SQLException {
        String integrity;
        try {
            integrity = SnapshotFacts.integrityCheck(c);
        } finally {
            overlap.integrityDone().complete(null);
        }
        checks.add("ok".equals(integrity) ? Check.ok("integrity_check", "ok")
                : Check.fail("integrity_check", "PRAGMA integrity_check returned: " + integrity));
        overlap.helpAfter().join();
        help(overlap.walk());
        checks.add(foreignKeys(c, "ok".equals(integrity), overlap.keys(), overlap.proofs()));
        checks.add(tables(SnapshotFacts.loadBearingCounts(c)));
        Proofs p = overlap.proofs().join();
        checks.addAll(p.checks());
        if (p.aborted()) {
            return; // as if the shared read had failed there: the checks after it are skipped
        }
        checks.add(workspace(SnapshotFacts.read(c)));
    }

    private static Check tables(Map<String, Long> counts) {
        List<String> missing = counts.entrySet().stream().filter(e -> e.getValue() < 0).map(Map.Entry::getKey).toList();
        String detail = String.join(", ", counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
        return missing.isEmpty() ? Check.ok("load_bearing_tables", "rows: " + detail)
                : Check.fail("load_bearing_tables", "missing table(s) " + missing + " of " + Schema.LOAD_BEARING_TABLES);
    }

    private static Check chain(ChainVerification v, Manifest m) {
        if (!v.ok()) {
            return Check.fail("audit_chain", "broken at position " + v.breakAt() + ": " + v.reason());
        }
        if (m != null && (m.chainLength() != v.length() || !m.chainHead().equals(v.headHash()))) {
            return Check.fail("audit_chain", "chain verifies but holds " + v.length() + " records (head "
                    + v.headHash().substring(0, 16) + "...) where the manifest says " + m.chainLength());
        }
        return Check.ok("audit_chain", v.length() + " records verify, head " + v.headHash());
    }

    private static Check merkle(RootReport r) {
        if (r.size() == 0) {
            return Check.skipped("merkle_root", "no tree head finalized in this snapshot");
        }
        return "match".equals(r.anchorStatus()) ? Check.ok("merkle_root", r.detail())
                : Check.fail("merkle_root", "anchor " + r.anchorStatus() + ": " + r.detail());
    }

    private Check workspace(SnapshotFacts f) {
        if (f.schemaVersion() > Schema.VERSION) {
            return Check.fail("workspace", "schema version " + f.schemaVersion() + " is newer than this build's "
                    + Schema.VERSION);
        }
        if (workspaceId != null && !workspaceId.equals(f.workspaceId())) {
            return Check.fail("workspace", "the snapshot belongs to workspace " + f.workspaceId()
                    + ", not to this one (" + workspaceId + ")");
        }
        return Check.ok("workspace", "workspace " + f.workspaceId() + ", schema version " + f.schemaVersion());
    }
}
