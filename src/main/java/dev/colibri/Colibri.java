package dev.colibri;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.audit.AuditService;
import dev.colibri.backup.BackupCatalog;
import dev.colibri.backup.BackupService;
import dev.colibri.backup.ProgressListener;
import dev.colibri.backup.SnapshotVerifier;
import dev.colibri.backup.SnapshotInspector;
import dev.colibri.backup.VerdictMemo;
import dev.colibri.merkle.AnchorLog;
import dev.colibri.merkle.MerkleService;
import dev.colibri.restore.LiveDatabase;
import dev.colibri.restore.RestorePlanner;
import dev.colibri.retention.RetentionService;
import dev.colibri.task.TaskService;
import dev.colibri.task.TaskStore;
import dev.colibri.workspace.Database;
import dev.colibri.workspace.Meta;
import dev.colibri.workspace.Workspace;
import dev.colibri.workspace.WorkspaceException;
import dev.colibri.workspace.WorkspaceLock;
import dev.colibri.restore.RestoreNote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open Colibri workspace: the writer lock, the live database, the audit key, and the services
 * over them. Opening validates everything once and fails fast with a message that says what to
 * fix; closing seals what is unsealed, checkpoints the WAL and releases the lock.
 */
public final class Colibri implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Colibri.class);

    private final Workspace workspace;
    private final WorkspaceLock lock;
    private final Database db;
    private final Clock clock;
    private final AuditKey key;
    private final AuditService audit;
    private final TaskService tasks;
    private final MerkleService merkle;
    private final String workspaceId;
    private final BackupCatalog catalog;
    private final SnapshotInspector inspector;
    private final BackupService backups;
    private final SnapshotVerifier verifier;
    private final VerdictMemo verdicts;
    private final RoundSealer sealer;
    private final RestorePlanner restorePlanner;
    private final RetentionService retention;
    private final HealthCheck healthCheck;
    private long bootWrites;

    private Colibri(Workspace workspace, WorkspaceLock lock, Database db, AuditKey key, Clock clock, String workspaceId) {
        this.workspace = workspace;
        this.lock = lock;
        this.db = db;
        this.healthCheck = new HealthCheck(db);
        this.clock = clock;
        this.key = key;
        this.workspaceId = workspaceId;
        this.audit = new AuditService(db, new AuditChain(key, clock));
        this.tasks = new TaskService(db, new TaskStore(clock));
        this.merkle = new MerkleService(db, new AnchorLog(workspace.anchorLog()), clock);
        this.catalog = new BackupCatalog(workspace, clock);
        this.inspector = new SnapshotInspector(db, catalog, audit, merkle.anchors());
        this.backups = new BackupService(workspace, db, catalog, clock);
        this.verifier = new SnapshotVerifier(audit.chain(), merkle.anchors(), workspaceId);
        this.verdicts = new VerdictMemo(clock); // one per process: listings, plans and backup_verify share it
        this.sealer = new RoundSealer(workspace, db, merkle, backups, clock);
        this.restorePlanner = new RestorePlanner(workspace, catalog, audit.chain(), merkle.anchors(),
                LiveDatabase.of(db), clock, verdicts);
        this.retention = new RetentionService(catalog, verifier, verdicts, clock);
    }

    /** Opens a workspace: takes the writer lock, boots the database and starts the background health check. */
    public static Colibri open(Workspace workspace, Clock clock) {
        Colibri colibri = openForOneCommand(workspace, clock);
        colibri.startHealthCheck(Duration.ZERO);
        return colibri;
    }

    /**
     * Opens a workspace for one short command (a CLI subcommand) as {@link #open} does, without the
     * background health check: its {@code quick_check} reads the whole database on a second core while
     * the command runs (on 1.2 GB, ~1.5 s of CPU taken from a {@code backup verify}) and its verdict
     * would only latch this process, which ends with the command. The command's own reads still
     * report a damaged file, as SQLite's errors do; a server opens with {@link #openInBackground}
     * and checks once it serves.
     */
    public static Colibri openForOneCommand(Workspace workspace, Clock clock) {
        return boot(workspace, lock(workspace), clock);
    }

    /**
     * Opens a workspace for a server that gets ready while the database boots. On the calling thread,
     * at once: the workspace folders, the writer lock and the lost-database check, so a held workspace
     * is refused (naming the holder's pid) before anything else happens. On a background thread: opening
     * and migrating the database, the audit key, the chain head and the Merkle reconcile, whose failure
     * completes the future exceptionally with the same exception {@link #open} would throw (the lock is
     * released then). The health check is left to the caller: {@link #startHealthCheck(Duration)}.
     */
    public static CompletableFuture<Colibri> openInBackground(Workspace workspace, Clock clock) {
        WorkspaceLock lock = lock(workspace);
        CompletableFuture<Colibri> booted = new CompletableFuture<>();
        Thread boot = new Thread(() -> {
            try {
                booted.complete(boot(workspace, lock, clock));
            } catch (RuntimeException | Error e) {
                booted.completeExceptionally(e);
            }
        }, "colibri-boot");
        boot.setDaemon(true);
        boot.start();
        return booted;
    }

    private static WorkspaceLock lock(Workspace workspace) {
        workspace.prepare();
        WorkspaceLock lock = WorkspaceLock.acquire(workspace.lockFile(), "open the workspace " + workspace.home());
        try {
            refuseToReplaceALostDatabase(workspace);
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static Colibri boot(Workspace workspace, WorkspaceLock lock, Clock clock) {
        Database db = null;
        try {
            db = Database.open(workspace.database());
            boolean empty = db.corruption() == null && db.read(Colibri::chainIsEmpty);
            AuditKey key = AuditKey.load(workspace.keyFile(), empty);
            String workspaceId = db.corruption() == null ? bindKey(db, key, clock, workspace) : readableWorkspaceId(db);
            Colibri colibri = new Colibri(workspace, lock, db, key, clock, workspaceId);
            colibri.boot();
            return colibri;
        } catch (RuntimeException e) {
            if (db != null) {
                db.close();
            }
            lock.close();
            throw e;
        }
    }

    /** Whether the audit chain has no record yet: the only case in which a missing key may be created. */
    private static boolean chainIsEmpty(Connection c) throws SQLException {
        // Not count(*): without an index that reads the whole table, seconds on a 1 GB chain.
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM thought_records)")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /**
     * A missing live database beside a moved-aside one or existing snapshots means the data was lost
     * or a restore was interrupted: starting would silently create an empty workspace with a new id,
     * and every snapshot would then be foreign to it. Refuse and point to the restore instead.
     */
    private static void refuseToReplaceALostDatabase(Workspace ws) {
        if (Files.exists(ws.database())) {
            return;
        }
        try (Stream<Path> data = Files.list(ws.dataDir()); Stream<Path> backups = Files.list(ws.backupsDir())) {
            Optional<Path> broken = data.filter(p -> p.getFileName().toString().startsWith("colibri.db.broken-")).findFirst();
            long snapshots = backups.filter(p -> p.getFileName().toString().endsWith(".db")).count();
            if (broken.isPresent() || snapshots > 0) {
                throw new WorkspaceException("the live database " + ws.database() + " is missing but "
                        + (broken.isPresent() ? broken.get().getFileName() + " is there (an interrupted restore?)"
                                : snapshots + " snapshot(s) are in " + ws.backupsDir())
                        + "; run `java -jar colibri.jar restore --yes` to restore the newest clean snapshot rather than"
                        + " starting an empty workspace");
            }
        } catch (java.io.IOException e) {
            throw new WorkspaceException("cannot list " + ws.dataDir() + ": " + e.getMessage(), e);
        }
    }

    /** The workspace id of a damaged database, if its meta table can still be read; else null. */
    private static String readableWorkspaceId(Database db) {
        try {
            return db.read(c -> Meta.get(c, Meta.WORKSPACE_ID).orElse(null));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Records the workspace id and key id on first boot; refuses a key that is not this chain's. */
    private static String bindKey(Database db, AuditKey key, Clock clock, Workspace ws) {
        return db.write(c -> {
            Optional<String> keyId = Meta.get(c, Meta.KEY_ID);
            if (keyId.isPresent() && !keyId.get().equals(key.id())) {
                throw new WorkspaceException("the audit key " + ws.keyFile() + " (key id " + key.id()
                        + ") is not the key of this workspace's chain (key id " + keyId.get()
                        + "); point COLIBRI_AUDIT_KEY_FILE at the right key. Colibri never re-keys a chain");
            }
            if (keyId.isEmpty()) {
                Meta.put(c, Meta.KEY_ID, key.id());
            }
            if (Meta.get(c, Meta.WORKSPACE_ID).isEmpty()) {
                Meta.put(c, Meta.WORKSPACE_ID, UUID.randomUUID().toString());
                Meta.put(c, Meta.CREATED_AT, clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
            }
            return Meta.get(c, Meta.WORKSPACE_ID).orElseThrow();
        });
    }

    private void boot() {
        if (db.corruption() != null) {
            return;
        }
        if (!db.read(audit.chain()::authenticatesHead)) {
            // The key matches the chain's key id, so the head itself was altered: the runbook's sign of a
            // damaged database. Stop writing onto it; reads (and audit_verify_chain) keep working.
            db.markCorrupt("the head record of the audit chain does not authenticate under key " + key.id()
                    + "; call audit_verify_chain to find the first bad record");
        }
        catalog.cleanStaleTemporaries();
        RestoreNote.recordPending(db, audit.chain()).ifPresent(r ->
                LOG.info("recorded the restore in the audit chain at position {}", r.position()));
        merkle.reconcile();
        bootWrites = db.writesSinceOpen();
    }

    /**
     * Starts {@code PRAGMA quick_check} on a background thread after {@code delay} (once; later calls do
     * nothing, and a workspace closed before the delay is over is not checked): a damaged file latches
     * the database read-only. On a large database it reads the whole file, so a server delays it past
     * its start-up rather than have it compete for the CPU. Closing ends it and waits for it.
     */
    public void startHealthCheck(Duration delay) {
        healthCheck.start(delay);
    }

    public Workspace workspace() {
        return workspace;
    }

    public Database database() {
        return db;
    }

    public Clock clock() {
        return clock;
    }

    public AuditKey key() {
        return key;
    }

    public String workspaceId() {
        return workspaceId;
    }

    public AuditService audit() {
        return audit;
    }

    public TaskService tasks() {
        return tasks;
    }

    public MerkleService merkle() {
        return merkle;
    }

    public BackupCatalog catalog() {
        return catalog;
    }

    public SnapshotInspector inspector() {
        return inspector;
    }

    public BackupService backups() {
        return backups;
    }

    public SnapshotVerifier verifier() {
        return verifier;
    }

    /** The verdicts of full verifications, remembered for unchanged snapshots (see {@link VerdictMemo}). */
    public VerdictMemo verdicts() {
        return verdicts;
    }

    public RoundSealer sealer() {
        return sealer;
    }

    public RestorePlanner restorePlanner() {
        return restorePlanner;
    }

    public RetentionService retention() {
        return retention;
    }

    /**
     * The end of a session: seals records appended since the last tree head, takes the session
     * snapshot when this session wrote anything, checkpoints, closes and unlocks.
     */
    @Override
    public void close() {
        healthCheck.stop();
        try {
            if (db.corruption() == null) {
                long pending = merkle.pendingRecords();
                if (pending > 0) {
                    merkle.finalizeAndAnchor(null);
                    LOG.info("sealed {} unsealed records into a tree head at shutdown", pending);
                }
                if (db.writesSinceOpen() > bootWrites) {
                    String name = backups.create("session", null, "end of session", ProgressListener.none())
                            .snapshot().name();
                    LOG.info("end-of-session snapshot {}", name);
                }
            }
        } catch (RuntimeException | java.io.IOException e) {
            LOG.warn("sealing or the session snapshot at shutdown failed: {}", e.getMessage());
        } finally {
            db.close();
            lock.close();
        }
    }
}
