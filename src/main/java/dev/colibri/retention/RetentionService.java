package dev.colibri.retention;

import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.Snapshot;
import dev.colibri.backup.SnapshotName;
import dev.colibri.backup.SnapshotVerifier;
import dev.colibri.backup.Verdict;
import dev.colibri.backup.VerdictMemo;
import dev.colibri.workspace.Durable;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists every snapshot with its retention decision and prunes exactly the ones marked prune.
 * Each call re-reads the folders and walks the snapshots newest first until it finds the newest
 * clean one, which is never pruned. The verdicts come from a {@link VerdictMemo}: a snapshot whose
 * file, manifest and anchor log are unchanged since it was last verified in full is not verified
 * again, so a listing trusts an unchanged file's earlier clean verdict for the life of the process
 * (rot on the medium, which changes no stat, is caught by {@code backup_verify} and by the restore,
 * which always verify in full). A real prune verifies afresh before it deletes anything.
 * Only regular files directly inside {@code data/backups} are ever deleted; the cold tier is never
 * touched.
 */
public final class RetentionService {

    /** The tiers {@code backup_list} can filter on. */
    public static final List<String> TIERS = List.of("hot", "warm", "cold");
    private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);

    private final BackupCatalog catalog;
    private final SnapshotVerifier verifier;
    private final VerdictMemo verdicts;
    private final Clock clock;
    private final RetentionPolicy policy = new RetentionPolicy();
    private final ReentrantLock oneAtATime = new ReentrantLock();

    /** @param verdicts the process's memo of verdicts, shared with the restore planner and backup_verify */
    public RetentionService(BackupCatalog catalog, SnapshotVerifier verifier, VerdictMemo verdicts, Clock clock) {
        this.catalog = catalog;
        this.verifier = verifier;
        this.verdicts = verdicts;
        this.clock = clock;
    }

    /** Every snapshot of the requested tier (all tiers when empty) with its decision, newest first. */
    public List<Decision> list(Optional<String> tierFilter) throws IOException {
        return report(tierFilter).decisions();
    }

    /**
     * Like {@link #list} but also says whether the cold tier could be read.
     *
     * @throws IllegalArgumentException for a tier other than hot, warm or cold
     * @throws IOException              when {@code data/backups} is missing or unreadable
     */
    public RetentionReport report(Optional<String> tierFilter) throws IOException {
        Optional<String> tier = tierFilter.map(RetentionService::requireTier);
        RetentionReport all = decide(false);
        if (tier.isEmpty()) {
            return all;
        }
        return new RetentionReport(all.decisions().stream().filter(d -> d.snapshot().tier().equals(tier.get())).toList(),
                all.coldTier());
    }

    /**
     * Removes every snapshot {@link #list} marks prune, each with its manifest; with {@code dryRun}
     * only reports what would go. A snapshot that cannot be removed is reported and the others still go.
     */
    public PruneResult prune(boolean dryRun) throws IOException {
        oneAtATime.lock();
        try {
            RetentionReport report = decide(!dryRun); // deleting: verify afresh what protects the rest
            List<Decision> marked = report.decisions().stream().filter(Decision::pruned).toList();
            int kept = report.decisions().size() - marked.size();
            List<Decision> removed = new ArrayList<>();
            List<PruneResult.Failure> failed = new ArrayList<>();
            long freed = 0;
            for (Decision d : marked) {
                try {
                    freed += dryRun ? footprint(d.snapshot()) : remove(d.snapshot());
                    removed.add(d);
                    if (!dryRun) {
                        LOG.info("pruned {}: {}", d.snapshot().name(), d.reason());
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not prune {}: {}", d.snapshot().name(), e.getMessage());
                    failed.add(new PruneResult.Failure(d.snapshot().name(), e.getMessage()));
                }
            }
            if (!dryRun && !removed.isEmpty()) {
                Durable.fsyncDirectory(backupsDir());
            }
            return new PruneResult(dryRun, removed, kept, freed, failed, report.coldTier(),
                    report.newestClean().orElse(null));
        } finally {
            oneAtATime.unlock();
        }
    }

    static String requireTier(String tier) {
        if (!TIERS.contains(tier)) {
            throw new IllegalArgumentException("tier must be one of hot, warm, cold; got \"" + tier + "\"");
        }
        return tier;
    }

    /** @param afresh verify in full rather than recall remembered verdicts (a real prune is about to delete) */
    private RetentionReport decide(boolean afresh) throws IOException {
        requireBackupsDir();
        Scan scan = scan();
        Walk walk = newestClean(scan.snapshots(), afresh);
        List<Decision> decisions = policy.classify(scan.snapshots(), walk.newestClean(), scan.cold()).stream()
                .map(d -> walk.verdicts().containsKey(d.snapshot().path())
                        ? d.withVerdict(walk.verdicts().get(d.snapshot().path())) : d)
                .toList();
        return new RetentionReport(decisions, scan.cold());
    }

    /** The newest clean snapshot and the verdicts the walk to it relied on, by path. */
    private record Walk(Optional<Snapshot> newestClean, Map<Path, Verdict> verdicts) {
    }

    private record Scan(List<Snapshot> snapshots, ColdTierStatus cold) {
    }

    private Scan scan() throws IOException {
        Optional<Path> configured = catalog.workspace().cold();
        if (configured.isEmpty()) {
            return new Scan(catalog.list(), ColdTierStatus.notConfigured());
        }
        Path cold = configured.get();
        if (!Files.isDirectory(cold)) {
            return new Scan(localOnly(), unreachable(cold, "the cold tier " + cold + " is not a reachable directory (is"
                    + " the drive mounted?); mount it or fix COLIBRI_COLD_DIR. Only the local snapshots are listed"));
        }
        try {
            return new Scan(catalog.list(), ColdTierStatus.reachable(cold));
        } catch (IOException e) {
            List<Snapshot> local = localOnly(); // throws again when the trouble is in data/backups
            return new Scan(local, unreachable(cold, "the cold tier " + cold + " cannot be read (" + e.getMessage()
                    + "). Only the local snapshots are listed"));
        }
    }

    private static ColdTierStatus unreachable(Path cold, String detail) {
        LOG.warn("{}", detail);
        return ColdTierStatus.unreachable(cold, detail);
    }

    /** The snapshots of data/backups alone, for when the cold tier cannot be read. */
    private List<Snapshot> localOnly() throws IOException {
        Workspace ws = catalog.workspace();
        return new BackupCatalog(new Workspace(ws.home(), null, ws.keyFile()), clock).list();
    }

    private void requireBackupsDir() throws IOException {
        Path dir = backupsDir();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the backups folder " + dir + " does not exist, so there are no local snapshots;"
                    + " take one with backup_create (it recreates the folder) and look for older snapshots in the cold"
                    + " tier (COLIBRI_COLD_DIR)");
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("the backups folder " + dir + " is not a directory; move what is there aside, then"
                    + " take a snapshot with backup_create");
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw new IOException("cannot read the backups folder " + dir + " (permission denied); give the server's"
                    + " user read access to it (chmod u+rwx " + dir + ")");
        }
    }

    /**
     * Verifies newest first (or, unless {@code afresh}, recalls the verdict of an unchanged file) and
     * stops at the first snapshot that is safe to restore from. A real prune walks afresh: the newest
     * clean snapshot is what it never deletes, so it must not rest on a verdict a file changed in
     * place since (the memo's documented limit) would have overturned.
     */
    private Walk newestClean(List<Snapshot> newestFirst, boolean afresh) {
        Map<Path, Verdict> seen = new HashMap<>();
        for (Snapshot s : newestFirst) {
            try {
                Verdict v = afresh ? verdicts.verifyAndRemember(verifier, s) : verdicts.verdictOf(verifier, s);
                seen.put(s.path(), v);
                if (v.safeToRestore()) {
                    return new Walk(Optional.of(s), seen);
                }
                LOG.info("{} does not verify clean: {}", s.name(), v.failures());
            } catch (RuntimeException e) {
                LOG.warn("verifying {} failed: {}", s.name(), e.getMessage());
            }
        }
        return new Walk(Optional.empty(), seen);
    }

    private Path backupsDir() {
        return catalog.workspace().backupsDir();
    }

    /** What removing a snapshot would free: its file, SQLite's leftovers beside it, and its manifest. */
    private long footprint(Snapshot s) throws IOException {
        long bytes = s.sizeBytes();
        for (Path p : companions(s)) {
            bytes += Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
        }
        return bytes;
    }

    /**
     * Deletes the snapshot, then the {@code -wal}/{@code -shm}/{@code -journal} files a reader may
     * have left beside it, then its manifest. A crash part-way leaves a manifest without a snapshot,
     * which lists nothing and keeps the name taken, so a stale {@code -wal} can never be paired with a
     * new snapshot of the same name; the reverse order would leave a snapshot that cannot prove its
     * bytes.
     */
    private long remove(Snapshot s) throws IOException {
        Path dir = backupsDir();
        Path file = s.path();
        if (s.cold() || !dir.equals(file.getParent()) || !file.getFileName().toString().equals(s.name())) {
            throw new IOException("refused to delete " + file + ": only snapshots directly in " + dir
                    + " are ever pruned");
        }
        SnapshotName.requireValid(s.name());
        if (Files.isSymbolicLink(file)
                || Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("refused to delete " + file + ": it is no longer a regular file (a symbolic link"
                    + " or a folder took its place); it was left alone");
        }
        long freed = 0;
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            freed += Files.size(file);
            Files.deleteIfExists(file);
            Durable.fsyncDirectory(dir);
        }
        for (Path p : companions(s)) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                freed += Files.size(p);
                Files.deleteIfExists(p);
            }
        }
        return freed;
    }

    /** The files that go with a snapshot, in deletion order: SQLite's leftovers, then the manifest last. */
    private static List<Path> companions(Snapshot s) {
        return List.of(s.path().resolveSibling(s.name() + "-wal"), s.path().resolveSibling(s.name() + "-shm"),
                s.path().resolveSibling(s.name() + "-journal"),
                s.path().resolveSibling(SnapshotName.manifestOf(s.name())));
    }
}
