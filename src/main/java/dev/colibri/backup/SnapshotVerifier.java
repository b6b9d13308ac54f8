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

    public SnapshotVerifier(AuditChain chain, AnchorLog anchors, String workspaceId) {
        this.chain = chain;
        this.anchors = anchors;
        this.workspaceId = workspaceId;
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
        return verify(snapshot, SnapshotVerifier::checksum);
    }

    /**
     * Verifies with the checksum check supplied by the caller, run on one of the verifier's threads
     * while the other checks read the file: a restore hashes the snapshot while it copies it, so the
     * file is read once for both.
     */
    public Verification verify(Snapshot snapshot, Function<Snapshot, Check> checksum) {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r, "colibri-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<Check> sum = CompletableFuture.supplyAsync(() -> checksum.apply(snapshot), pool);
            CompletableFuture<ChainWalk> walk = new CompletableFuture<>();
            CompletableFuture<Proofs> proofs = CompletableFuture.supplyAsync(() -> proofs(snapshot, walk), pool);
            CompletableFuture<List<String>> keys = CompletableFuture.supplyAsync(
                    () -> SnapshotInspector.onFile(snapshot.path(), ForeignKeyCheck::early), pool);
            List<Check> checks = new ArrayList<>(sqliteChecks(snapshot, keys, proofs, walk));
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
     * The chain walk and the Merkle recomputation, on their own connection; the walk is handed to
     * {@code walk} as soon as it is set up (null if it never is), so that another thread can help.
     */
    private Proofs proofs(Snapshot s, CompletableFuture<ChainWalk> walk) {
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
                ChainVerification v = w.finish(walkers() - 1);
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

    /**
     * The threads that walk the chain from the start: one per processor but the one that SQLite's
     * integrity check keeps busy, which joins the walk when that check is done. The checksum thread
     * does not: it would leave three threads runnable on two cores, and the integrity check, the
     * longest piece of work that cannot be split, would then get a third of the machine instead of
     * half and finish last, on its own.
     */
    private static int walkers() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
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

    private List<Check> sqliteChecks(Snapshot s, CompletableFuture<List<String>> keys, CompletableFuture<Proofs> proofs,
            CompletableFuture<ChainWalk> walk) {
        List<Check> checks = new ArrayList<>();
        try {
            SnapshotInspector.onFile(s.path(), c -> {
                runChecks(c, checks, keys, proofs, walk);
                return null;
            });
        } catch (RuntimeException e) {
            checks.add(Check.fail(next(checks), e.getMessage()));
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

    private void runChecks(Connection c, List<Check> checks, CompletableFuture<List<String>> keys,
            CompletableFuture<Proofs> proofs, CompletableFuture<ChainWalk> walk) throws SQLException {
        String integrity = SnapshotFacts.integrityCheck(c);
        checks.add("ok".equals(integrity) ? Check.ok("integrity_check", "ok")
                : Check.fail("integrity_check", "PRAGMA integrity_check returned: " + integrity));
        help(walk);
        checks.add(foreignKeys(c, "ok".equals(integrity), keys, proofs));
        checks.add(tables(SnapshotFacts.loadBearingCounts(c)));
        Proofs p = proofs.join();
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
