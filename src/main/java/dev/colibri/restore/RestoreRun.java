package dev.colibri.restore;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.ChainVerification;
import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Manifest;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.Verification;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.merkle.AnchorLogState;
import dev.colibri.merkle.MerkleLog;
import dev.colibri.merkle.MerkleService;
import dev.colibri.merkle.RootReport;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One run of {@link OfflineRestore}, under the workspace lock: the steps so far and what they established. */
final class RestoreRun {

    /** Unwinds a run after a failed step has been recorded. */
    private static final class StepFailed extends Exception {
        private static final long serialVersionUID = 1L;
    }

    @FunctionalInterface
    private interface IoWork<T> {
        T run() throws IOException, SQLException;
    }

    private final Workspace workspace;
    private final Clock clock;
    private final RestoreFiles files;
    private final AuditChain chain;
    private final AnchorLog anchors;
    private final StepListener listener;
    private final Path data;
    private final Path db;
    private final CandidateCopy copies;
    private final List<RestoreStep> steps = new ArrayList<>();
    private List<Plan.Rejected> rejected = List.of();
    private LiveFacts live;
    private Snapshot candidate;
    private Verification verification;
    private String brokenFile;
    private Long recordsLost;
    private ChainVerification verified;
    private RootReport merkle;

    RestoreRun(Workspace workspace, Clock clock, RestoreFiles files, AuditChain chain, AnchorLog anchors,
            StepListener listener) {
        this.workspace = workspace;
        this.clock = clock;
        this.files = files;
        this.chain = chain;
        this.anchors = anchors;
        this.listener = listener;
        this.data = workspace.dataDir();
        this.db = workspace.database();
        this.copies = new CandidateCopy(data, files, this::holdsBytesOf);
    }

    Outcome execute(Optional<String> snapshot) throws IOException {
        try {
            List<String> stale = attempt("clean_temporaries", () -> RestoreFiles.removeStaleTemporaries(data));
            record("clean_temporaries", stale.isEmpty() ? "skipped" : "ok", stale.isEmpty()
                    ? "no temporaries left in data/ by an interrupted run"
                    : "removed " + String.join(", ", stale) + " left in data/ by an interrupted run");
            Optional<Path> previous = RestoreFiles.newestBroken(data);
            live = factsOf(Files.exists(db) ? db : previous.orElse(null));
            if (!choose(snapshot)) {
                return outcome(false);
            }
            Optional<PendingRestore> done = live.pendingNote().filter(n -> n.snapshot().equals(candidate.name()));
            if (done.isPresent() && Files.exists(db)) {
                alreadyRestored(done.get());
                return outcome(true);
            }
            CandidateCopy.Result copy = copies.result(candidate);
            LiveFacts facts = copy.alreadyInPlace() ? factsOf(previous.orElse(null)) : live;
            recordsLost = facts.readable() ? facts.records() - candidate.manifest().chainLength() : null;
            if (copy.alreadyInPlace()) {
                finishInterrupted(previous);
            } else {
                putInPlace(previous, copy);
            }
            recheckAndReport();
            return outcome(true);
        } catch (StepFailed e) {
            return outcome(false);
        } finally {
            copies.discardAll(); // a copy not renamed into place is this run's temporary
        }
    }

    /**
     * Whether {@code data/colibri.db} already holds the bytes of {@code s}, so the restore hashes
     * {@code s} without copying it: an earlier run restored it (its note names {@code s}), or put
     * the copy in place and was interrupted before writing the note (same size, same header, same
     * sha256). Runs on a verifier thread.
     */
    private boolean holdsBytesOf(Snapshot s) {
        if (live.pendingNote().filter(n -> n.snapshot().equals(s.name())).isPresent() && Files.exists(db)) {
            return true;
        }
        Manifest m = s.manifest();
        try {
            return Files.isRegularFile(db) && Files.size(db) == m.sizeBytes() && RestoreFiles.sameHeader(db, s.path())
                    && files.hash(db).equals(m.sha256());
        } catch (IOException e) {
            return false; // then it is not the copy, and is moved aside like any live database
        }
    }

    private boolean choose(Optional<String> snapshot) throws IOException {
        LiveFacts facts = live;
        RestorePlanner planner = new RestorePlanner(workspace, new BackupCatalog(workspace, clock), chain, anchors,
                () -> facts, clock);
        RestorePlanner.Selection selection = planner.select(snapshot, facts.workspaceId(), copies, copies::settle);
        rejected = selection.rejected();
        candidate = selection.candidate();
        verification = selection.verification();
        if (candidate == null) {
            record("verify", "fail", (snapshot.isPresent()
                    ? snapshot.get() + " is not safe to restore from: " + rejected.get(rejected.size() - 1).reason()
                            + ". Pick another snapshot (restore_plan names the newest clean one)"
                    : selection.considered() == 0 ? "there is no snapshot to restore from"
                    : "no snapshot verifies clean (" + rejected.size() + " rejected, see rejected). Check the cold"
                            + " tier (COLIBRI_COLD_DIR); the anchors in docs/anchors.jsonl still prove the last state")
                    + ". Nothing was changed");
            return false;
        }
        record("verify", "ok", candidate.name() + " (" + candidate.tier() + " tier) passed all "
                + verification.checks().size() + " checks"
                + (rejected.isEmpty() ? "" : "; " + rejected.size() + " newer snapshot(s) rejected"));
        return true;
    }

    /** Reports the copy made while verifying, moves the original and its sidecars aside, renames the copy into place. */
    private void putInPlace(Optional<Path> previous, CandidateCopy.Result copy) throws StepFailed {
        if (copy.writeFailure() != null) {
            IOException e = copy.writeFailure();
            fail("copy", "cannot write the copy of " + candidate.name() + " in data/: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()) + "; nothing was put in place");
        }
        Path temp = copy.temp();
        record("copy", "ok", "copied " + candidate.name() + " to data/" + temp.getFileName() + " while verifying it"
                + " (one read for the checksum and the copy) and flushed it; its sha256 equals the manifest's "
                + candidate.manifest().sha256());
        moveSidecarsAside(moveAside(previous));
        attempt("put_in_place", () -> {
            files.move(temp, db);
            return null;
        });
        record("put_in_place", "ok", "renamed the copy to data/colibri.db atomically and flushed data/");
    }

    /** A previous run was interrupted after the copy was put in place: only its sidecars may remain. */
    private void finishInterrupted(Optional<Path> previous) throws StepFailed {
        record("copy", "skipped", "data/colibri.db already holds the exact bytes of " + candidate.name()
                + ": an interrupted restore put it in place");
        brokenFile = previous.map(p -> "data/" + p.getFileName()).orElse(null);
        record("move_aside", "skipped", brokenFile == null ? "no original database was moved aside"
                : "the original was already moved aside as " + brokenFile);
        moveSidecarsAside(previous.map(p -> p.getFileName().toString())
                .orElseGet(() -> RestoreFiles.brokenName(data, clock.instant())));
        record("put_in_place", "skipped", "the copy is already in place");
    }

    /** A previous run finished the restore but stopped before reporting: its note stays as it is. */
    private void alreadyRestored(PendingRestore note) throws StepFailed {
        brokenFile = note.brokenFile();
        recordsLost = note.recordsLost();
        for (String step : List.of("copy", "move_aside", "move_wal_shm", "put_in_place")) {
            record(step, "skipped", "an earlier run already restored " + note.snapshot() + " at " + note.restoredAt()
                    + " (its pending_restore note is in data/colibri.db)");
        }
        recheckInFull();
    }

    private String moveAside(Optional<Path> previous) throws StepFailed {
        if (Files.exists(db)) {
            String name = RestoreFiles.brokenName(data, clock.instant());
            attempt("move_aside", () -> {
                files.move(db, data.resolve(name));
                return null;
            });
            brokenFile = "data/" + name;
            record("move_aside", "ok", "moved data/colibri.db aside as " + brokenFile);
            return name;
        }
        if (previous.isPresent()) {
            brokenFile = "data/" + previous.get().getFileName();
            record("move_aside", "skipped", "data/colibri.db is absent: an interrupted run already moved the"
                    + " original aside as " + brokenFile);
            return previous.get().getFileName().toString();
        }
        record("move_aside", "skipped", "there is no live database to move aside");
        return RestoreFiles.brokenName(data, clock.instant());
    }

    private void moveSidecarsAside(String broken) throws StepFailed {
        List<String> moved = new ArrayList<>();
        for (String suffix : RestoredFile.SIDECARS) {
            Path sidecar = data.resolve("colibri.db-" + suffix);
            if (Files.exists(sidecar)) {
                String name = RestoreFiles.sidecarName(data, broken, suffix);
                attempt("move_wal_shm", () -> {
                    files.move(sidecar, data.resolve(name));
                    return null;
                });
                moved.add("colibri.db-" + suffix + " as data/" + name);
            }
        }
        record("move_wal_shm", moved.isEmpty() ? "skipped" : "ok", moved.isEmpty()
                ? "no -wal, -shm or -journal beside the database" : "moved aside " + String.join(", ", moved));
    }

    /**
     * The check after the swap of a file that holds exactly the candidate's bytes (its sha256 is the
     * manifest's, which the candidate matched while it passed every check): it opens as a database
     * whose size, chain head, tree head and workspace, read by index lookups, are the ones verified.
     * Then the note for the next boot, and the chain and Merkle results of the verification.
     */
    private void recheckAndReport() throws StepFailed {
        Connection c = attempt("recheck", () -> RestoredFile.open(db));
        try {
            RestoredFile.Facts f = attempt("recheck", () -> RestoredFile.Facts.read(c));
            List<String> differences = f.differencesFrom(candidate.manifest());
            if (!differences.isEmpty()) {
                fail("recheck", "the restored data/colibri.db is not what was verified: " + String.join("; ", differences)
                        + ". Restore again from another snapshot (--snapshot NAME)");
            }
            record("recheck", "ok", "data/colibri.db opens as a database of " + f.pageCount() + " pages of "
                    + f.pageSize() + " bytes with the chain head, tree head and workspace that were verified; its"
                    + " sha256 is the manifest's, which " + candidate.name() + " matched while it passed"
                    + " integrity_check, so it is not scanned again");
            PendingRestore note = new PendingRestore(candidate.name(),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(), recordsLost, brokenFile);
            long floor = attempt("record_restore", () -> {
                long seq = lastAnchorSeq();
                note.write(c, seq);
                return seq;
            });
            record("record_restore", "ok", "left a pending_restore note for the next boot to append as a restore"
                    + " thought record, and set restore_anchor_seq to " + floor + " so that anchors written before"
                    + " the restore are not read as a cut chain");
            String same = " (on " + candidate.name() + " while it was verified: data/colibri.db has the same sha256,"
                    + " so it is not ";
            Optional<ChainVerification> walked = VerifiedProofs.chain(verification);
            reportChain(walked.isPresent() ? walked.get() : attempt("audit_chain", () -> chain.verify(c)),
                    walked.isPresent() ? same + "walked again)" : "");
            Optional<RootReport> recomputed = attempt("merkle_root", () -> VerifiedProofs.merkle(verification, f,
                    anchors.read(), f.treeHead().isEmpty() ? MerkleLog.recompute(c, 0).root() : null));
            reportMerkle(recomputed.isPresent() ? recomputed.get()
                    : attempt("merkle_root", () -> MerkleService.report(c, anchors, false)),
                    recomputed.isPresent() ? same + "recomputed)" : "");
        } finally {
            RestoredFile.closeQuietly(c);
        }
    }

    /** The file was restored by an earlier run and changed since by its note: it is checked in full. */
    private void recheckInFull() throws StepFailed {
        Connection c = attempt("recheck", () -> RestoredFile.open(db));
        try {
            String quick = attempt("recheck", () -> RestoredFile.quickCheck(c));
            if (!"ok".equals(quick)) {
                fail("recheck", "PRAGMA quick_check of the restored data/colibri.db returned: " + quick
                        + ". Restore again from another snapshot (--snapshot NAME)");
            }
            record("recheck", "ok", "PRAGMA quick_check: ok");
            record("record_restore", "skipped", "the pending_restore note of the earlier run is kept");
            reportChain(attempt("audit_chain", () -> chain.verify(c)), "");
            reportMerkle(attempt("merkle_root", () -> MerkleService.report(c, anchors, false)), "");
        } finally {
            RestoredFile.closeQuietly(c);
        }
    }

    private void reportChain(ChainVerification v, String source) {
        verified = v;
        record("audit_chain", v.ok() ? "ok" : "fail", (v.ok() ? v.length() + " records verify, head " + v.headHash()
                : "broken at position " + v.breakAt() + ": " + v.reason()) + source);
    }

    private void reportMerkle(RootReport r, String source) {
        merkle = r;
        record("merkle_root", "mismatch".equals(r.anchorStatus()) ? "fail" : "ok",
                "anchor " + r.anchorStatus() + ": " + r.detail() + source);
    }

    private long lastAnchorSeq() throws IOException {
        AnchorLogState state = anchors.read();
        return state.anchors().isEmpty() ? 0 : state.anchors().get(state.anchors().size() - 1).seq();
    }

    private static LiveFacts factsOf(Path file) {
        return file == null ? LiveFacts.unreadable("there is no live database") : LiveDatabase.file(file).facts();
    }

    private <T> T attempt(String step, IoWork<T> work) throws StepFailed {
        try {
            return work.run();
        } catch (IOException | SQLException | RuntimeException e) {
            fail(step, e.getMessage() == null ? e.toString() : e.getMessage());
            return null;
        }
    }

    private void fail(String step, String detail) throws StepFailed {
        String original = brokenFile != null ? "The original database is kept as " + brokenFile + "."
                : Files.exists(db) ? "data/colibri.db is untouched." : "";
        record(step, "fail", detail + (detail.endsWith(".") ? " " : ". ") + original
                + " Fix the cause and run the restore again; it picks up where this run stopped");
        throw new StepFailed();
    }

    private void record(String name, String status, String detail) {
        RestoreStep step = new RestoreStep(name, status, detail);
        steps.add(step);
        listener.step(step);
    }

    private Outcome outcome(boolean restored) {
        return new Outcome(restored, candidate == null ? null : candidate.name(),
                candidate == null ? null : candidate.tier(), brokenFile, recordsLost, steps, rejected, verified, merkle);
    }
}
