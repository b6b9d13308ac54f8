package dev.colibri;

import dev.colibri.workspace.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boot-time health check of an open workspace: {@code PRAGMA quick_check} on a background
 * thread; a damaged file latches the database read-only. It reads the whole file, so it gives way to
 * a backup (whose own {@code integrity_check} then covers the file) and it ends, and is waited for,
 * when the workspace closes: no reader may outlive the workspace (a late reader's close would
 * checkpoint and delete the WAL after the writer lock is released).
 */
final class HealthCheck {

    static final String THREAD_NAME = "colibri-health-check";
    private static final long STOP_WAIT_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(HealthCheck.class);

    private final Database db;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Thread thread;

    HealthCheck(Database db) {
        this.db = db;
    }

    /**
     * Starts the check after {@code delay} (once; later calls do nothing, nor does a call on a
     * database already known to be damaged or a check already stopped).
     */
    void start(Duration delay) {
        if (db.corruption() != null || stopping.getCount() == 0 || !started.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> run(delay), THREAD_NAME);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Ends the check: a pending one does not start, a running one's read is interrupted; waits for it. */
    void stop() {
        stopping.countDown();
        Thread t = thread;
        if (t == null) {
            return;
        }
        db.stopReadsGivingWay();
        try {
            t.join(TimeUnit.SECONDS.toMillis(STOP_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("the boot health check did not stop within {} s; closing the workspace anyway", STOP_WAIT_SECONDS);
        }
    }

    private void run(Duration delay) {
        try {
            if (stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            // it gives way to a backup: held on a WAL with frames, its read would keep the snapshot's
            // checkpoint from finishing; the snapshot's own integrity_check then covers the file
            db.readGivingWay(HealthCheck::quickCheck).ifPresentOrElse(result -> {
                if (!"ok".equals(result)) {
                    db.markCorrupt("PRAGMA quick_check at boot: " + result);
                }
            }, () -> {
                if (stopping.getCount() > 0) {
                    LOG.info("boot quick_check gave way to a backup, whose integrity_check covers the file");
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("boot health check failed: {}", e.getMessage());
        }
    }

    private static String quickCheck(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
            return rs.next() ? rs.getString(1) : "no result";
        }
    }
}
