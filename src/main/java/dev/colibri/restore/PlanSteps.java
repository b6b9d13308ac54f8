package dev.colibri.restore;

import dev.colibri.backup.Snapshot;
import dev.colibri.merkle.Anchor;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.merkle.AnchorLogState;
import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Writes the steps of a restore plan, each with the exact command line that performs it. */
final class PlanSteps {

    static final String JAR = "java -jar target/colibri.jar";
    /** The plan steps the offline restore command performs itself. */
    static final List<Integer> OFFLINE_STEPS = List.of(2, 3, 4, 5, 6);
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._/=:@%+-]+");

    private final Workspace workspace;
    private final Clock clock;
    private final List<Plan.Step> steps = new ArrayList<>();

    PlanSteps(Workspace workspace, Clock clock) {
        this.workspace = workspace;
        this.clock = clock;
    }

    static String offlineCommand(String snapshot) {
        return JAR + " restore --snapshot " + quote(snapshot) + " --yes";
    }

    static Plan.Offline offline(String snapshot) {
        return new Plan.Offline(offlineCommand(snapshot), OFFLINE_STEPS, "with the server stopped it does steps 2-6 in"
                + " one go, reports the audit chain and Merkle anchor status that steps 8-9 check, and records the"
                + " restore so that the next boot appends a restore thought record; done by hand, steps 3-6 record"
                + " nothing");
    }

    /** The steps of restoring {@code s}. */
    List<Plan.Step> restore(Snapshot s, Long pid) {
        stop(pid);
        add("verify " + s.name() + " (" + s.tier() + " tier) right before restoring from it: every check must pass"
                + (s.cold() ? "; it is the cold copy in " + workspace.cold().map(Path::toString).orElse("the cold tier")
                        + ", and backup verify checks a local copy of that name first when there is one" : ""),
                JAR + " backup verify " + quote(s.name()));
        String broken = RestoreFiles.brokenName(workspace.dataDir(), clock.instant());
        if (Files.exists(workspace.database())) {
            add("move the live database aside as data/" + broken + " (kept for root-cause analysis, never deleted)",
                    "mv data/colibri.db " + quote("data/" + broken));
        } else {
            add("there is no live database (data/colibri.db) to move aside", "");
        }
        add("move the stale -wal and -shm (and a -journal, if any) aside with it, as data/" + broken + "-wal and so on:"
                + " a WAL can hold committed records, and under these names SQLite still pairs it with the moved-aside"
                + " file", "for s in " + String.join(" ", RestoredFile.SIDECARS) + "; do if [ -e data/colibri.db-$s ];"
                        + " then mv data/colibri.db-$s " + quote("data/" + broken) + "-$s; fi; done");
        String temp = "data/" + Durable.TEMP_PREFIX + "colibri.db-restore";
        add("copy the snapshot in through a temporary file: its sha256 must equal the manifest's "
                + s.manifest().sha256() + ", then it is flushed to disk and renamed into place atomically",
                "cp " + quote(relative(s.path())) + " " + temp + " && echo '" + s.manifest().sha256() + "  " + temp
                        + "' | sha256sum -c && sync " + temp + " && mv -n " + temp + " data/colibri.db");
        add("re-check the restored file: PRAGMA integrity_check must print exactly ok (the offline restore instead"
                + " proves the copy's sha256 equal to the snapshot's, which just passed integrity_check, and checks that"
                + " it opens with the verified size, chain head and tree head)",
                "sqlite3 data/colibri.db \"PRAGMA integrity_check;\"");
        add("restart the server: its first boot reopens the database in WAL mode, recreating -wal and -shm", JAR + " serve");
        add("verify the audit chain: status must be ok with at least " + s.manifest().chainLength() + " record(s); a"
                + " break_at means this snapshot cannot be trusted, so plan again with another", "audit_verify_chain {}");
        long size = s.manifest().merkleSize();
        add(size == 0 ? "check the Merkle root: this snapshot has no finalized tree head, so anchor status missing is"
                + " expected until the next merkle_finalize"
                : "check the Merkle root against its external anchor: anchor.status must be match for the tree head of"
                        + " size " + size + " (root " + s.manifest().merkleRoot() + ")", "merkle_root {}");
        return List.copyOf(steps);
    }

    /** The steps when no snapshot can be restored from. */
    List<Plan.Step> noCandidate(Optional<String> requested, RestorePlanner.Selection selection, AnchorLog anchors,
            String workspaceId) {
        if (requested.isPresent()) {
            add(requested.get() + " is not safe to restore from (see rejected): do not restore it; plan again without"
                    + " naming a snapshot to get the newest one that verifies clean", JAR + " restore");
            return List.copyOf(steps);
        }
        add(selection.considered() == 0 ? "there is no snapshot to restore from: do not write to the live database;"
                + " keep it as it is for root-cause analysis (no repair in place)"
                : "no snapshot verifies clean (all " + selection.considered() + " were rejected, see rejected): do not"
                        + " write to the live database; keep it as it is for root-cause analysis (no repair in place)",
                JAR + " backup list");
        cold();
        add(anchorSummary(anchors, workspaceId) + ": even if no record can be recovered, the anchors still prove what"
                + " the state was when each was written", "tail -n 3 docs/anchors.jsonl");
        return List.copyOf(steps);
    }

    private void cold() {
        Optional<Path> cold = workspace.cold();
        if (cold.isEmpty()) {
            add("check the cold tier: it is not configured here; mount the off-host drive, point COLIBRI_COLD_DIR at it"
                    + " and plan again", "COLIBRI_COLD_DIR=/path/to/cold " + JAR + " restore");
        } else if (!Files.isDirectory(cold.get())) {
            add("check the cold tier: " + cold.get() + " is not reachable (is the drive mounted?); mount it and plan"
                    + " again", "ls " + quote(cold.get().toString()));
        } else {
            add("the cold tier " + cold.get() + " was walked too: look for other off-host copies (other drives, cloud),"
                    + " put them there with their manifests and plan again", "ls -l " + quote(cold.get().toString()));
        }
    }

    private static String anchorSummary(AnchorLog anchors, String workspaceId) {
        try {
            AnchorLogState state = anchors.read();
            List<Anchor> mine = state.anchors().stream()
                    .filter(a -> workspaceId == null || a.workspaceId().equals(workspaceId)).toList();
            if (mine.isEmpty()) {
                return "the external anchor log docs/anchors.jsonl holds no anchor for this workspace";
            }
            Anchor last = mine.get(mine.size() - 1);
            return "the external anchor log docs/anchors.jsonl holds " + mine.size() + " anchor(s); the latest, #"
                    + last.seq() + ", is the tree head of size " + last.size() + " with root " + last.root()
                    + (state.intact() ? "" : " (the log itself is damaged: " + state.problem() + ")");
        } catch (IOException e) {
            return "the external anchor log " + anchors.file() + " cannot be read (" + e.getMessage() + ")";
        }
    }

    private void stop(Long pid) {
        if (pid == null) {
            add("no server holds the workspace: nothing to stop", "");
        } else if (pid < 0) {
            add("a process holds the workspace but its pid cannot be read from data/colibri.lock: find it and stop it"
                    + " with SIGINT, then wait until it has exited", "fuser -v data/colibri.lock");
        } else {
            add("stop the server (pid " + pid + ") with SIGINT, which seals the open tree head and closes the database,"
                    + " and wait until it has exited", "kill -INT " + pid + " && while kill -0 " + pid
                            + " 2>/dev/null; do sleep 1; done");
        }
    }

    private void add(String action, String command) {
        steps.add(new Plan.Step(steps.size() + 1, action, command));
    }

    /** A path as the commands write it: relative to the workspace home when inside it. */
    private String relative(Path p) {
        return p.startsWith(workspace.home()) ? workspace.home().relativize(p).toString() : p.toString();
    }

    /** Quotes a word for a POSIX shell when it holds anything but plain characters. */
    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
