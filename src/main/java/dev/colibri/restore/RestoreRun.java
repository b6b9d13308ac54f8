package dev.colibri.restore;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.ChainVerification;
import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Manifest;
import dev.colibri.backup.Snapshot;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.merkle.AnchorLogState;
import dev.colibri.merkle.MerkleService;
import dev.colibri.merkle.RootReport;
import dev.colibri.workspace.Durable;
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
    private final List<RestoreStep> steps = new ArrayList<>();
    private List<Plan.Rejected> rejected = List.of();
    private Snapshot candidate;
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
    }

    Outcome execute(Optional<String> snapshot) throws IOException {
        try {
            List<String> stale = attempt("clean_temporaries", () -> RestoreFiles.removeStaleTemporaries(data));
            record("clean_temporaries", stale.isEmpty() ? "skipped" : "ok", stale.isEmpty()
                    ? "no temporaries left in data/ by an interrupted run"
                    : "removed " + String.join(", ", stale) + " left in data/ by an interrupted run");
            Optional<Path> previous = RestoreFiles.newestBroken(data);
            LiveFacts facts = factsOf(Files.exists(db) ? db : previous.orElse(null));
            if (!choose(snapshot, facts)) {
                return outcome(false);
            }
            Optional<PendingRestore> done = facts.pendingNote().filter(n -> n.snapshot().equals(candidate.name()));
            if (done.isPresent() && Files.exists(db)) {
                alreadyRestored(done.get());
                return outcome(true);
            }
            Manifest m = candidate.manifest();
            boolean inPlace = attempt("copy", () -> Files.isRegularFile(db) && Files.size(db) == m.sizeBytes()
                    && files.hash(db).equals(m.sha256()));
            if (inPlace) {
                facts = factsOf(previous.orElse(null));
            }
            recordsLost = facts.readable() ? facts.records() - m.chainLength() : null;
            if (inPlace) {
                finishInterrupted(previous);
            } else {
                putInPlace(previous);
            }
            recheckAndReport(true);
            return outcome(true);
        } catch (StepFailed e) {
            return outcome(false);
        }
    }

    private boolean choose(Optional<String> snapshot, LiveFacts facts) throws IOException {
        RestorePlanner planner = new RestorePlanner(workspace, new BackupCatalog(workspace, clock), chain, anchors,
                () -> facts, clock);
        RestorePlanner.Selection selection = planner.select(snapshot, facts.workspaceId());
        rejected = selection.rejected();
        candidate = selection.candidate();
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
                + selection.verification().checks().size() + " checks"
                + (rejected.isEmpty() ? "" : "; " + rejected.size() + " newer snapshot(s) rejected"));
        return true;
    }

    /** Copies the snapshot to a temporary, moves the original and its sidecars aside, renames the copy into place. */
    private void putInPlace(Optional<Path> previous) throws StepFailed, IOException {
        Manifest m = candidate.manifest();
        Path temp = data.resolve(Durable.TEMP_PREFIX + "colibri.db-" + System.nanoTime());
        try {
            String sha = attempt("copy", () -> files.copyHashing(candidate.path(), temp));
            if (!sha.equals(m.sha256())) {
                fail("copy", "the copy's sha256 " + sha + " differs from the verified snapshot's " + m.sha256()
                        + " (the snapshot changed since it was verified, or the disk returned bad bytes); nothing"
                        + " was put in place and data/colibri.db is untouched");
            }
            record("copy", "ok", "copied " + candidate.name() + " to data/" + temp.getFileName() + " and flushed it;"
                    + " its sha256 equals the manifest's " + sha);
            moveSidecarsAside(moveAside(previous));
            attempt("put_in_place", () -> {
                files.move(temp, db);
                return null;
            });
            record("put_in_place", "ok", "renamed the copy to data/colibri.db atomically and flushed data/");
        } finally {
            Files.deleteIfExists(temp);
        }
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
        recheckAndReport(false);
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

    /** Re-checks the file in place, leaves the note for the next boot (unless it is there), reports chain and anchors. */
    private void recheckAndReport(boolean writeNote) throws StepFailed {
        Connection c = attempt("recheck", () -> RestoredFile.open(db));
        try {
            String quick = attempt("recheck", () -> RestoredFile.quickCheck(c));
            if (!"ok".equals(quick)) {
                fail("recheck", "PRAGMA quick_check of the restored data/colibri.db returned: " + quick
                        + ". Restore again from another snapshot (--snapshot NAME)");
            }
            record("recheck", "ok", writeNote ? "data/colibri.db has the sha256 of " + candidate.name() + ", which just"
                    + " passed integrity_check; PRAGMA quick_check: ok" : "PRAGMA quick_check: ok");
            if (writeNote) {
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
            } else {
                record("record_restore", "skipped", "the pending_restore note of the earlier run is kept");
            }
            verified = attempt("audit_chain", () -> chain.verify(c));
            record("audit_chain", verified.ok() ? "ok" : "fail", verified.ok()
                    ? verified.length() + " records verify, head " + verified.headHash()
                    : "broken at position " + verified.breakAt() + ": " + verified.reason());
            merkle = attempt("merkle_root", () -> MerkleService.report(c, anchors, false));
            record("merkle_root", "mismatch".equals(merkle.anchorStatus()) ? "fail" : "ok",
                    "anchor " + merkle.anchorStatus() + ": " + merkle.detail());
        } finally {
            RestoredFile.closeQuietly(c);
        }
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
