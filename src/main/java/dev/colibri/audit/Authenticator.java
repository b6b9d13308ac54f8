package dev.colibri.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.crypto.Mac;

/**
 * The hashing stage of the chain walk: a thread that authenticates records handed over in bounded
 * batches and remembers the first one whose stored hash is not {@code HMAC(key, prev || canonical)}.
 * It encodes each record's canonical bytes itself, into one reused buffer. Batches close at
 * {@value #BATCH_RECORDS} records or {@value #BATCH_BYTES} bytes and at most
 * {@value #QUEUE} wait, so memory stays constant whatever the chain's length.
 */
final class Authenticator implements AutoCloseable {

    static final int BATCH_RECORDS = 256;
    static final int BATCH_BYTES = 256 * 1024;
    static final int QUEUE = 4;

    /** The first record that did not authenticate: its position and stored {@code prev_hash}. */
    record Failure(long position, byte[] prev) {
    }

    private record Item(long position, byte[] prev, byte[] hash, byte[] kind, byte[] content, byte[] taskId,
            byte[] createdAt) {
    }

    private static final List<Item> END = List.of();

    private final Mac mac;
    private final CanonicalRecord.Writer canonical = new CanonicalRecord.Writer();
    private final BlockingQueue<List<Item>> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private List<Item> batch = new ArrayList<>(BATCH_RECORDS);
    private int batchBytes;
    private volatile Failure failure;
    private volatile RuntimeException crash;
    private boolean finished;

    Authenticator(Mac mac) {
        this.mac = mac;
        this.thread = new Thread(this::run, "colibri-chain-hmac");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Whether a record already failed (the reader may stop early: nothing after it matters). */
    boolean failed() {
        return failure != null || crash != null;
    }

    /** Hands over one record: its stored hashes and the UTF-8 bytes of its hashed fields. */
    void submit(long position, byte[] prev, byte[] hash, byte[] kind, byte[] content, byte[] taskId,
            byte[] createdAt) {
        batch.add(new Item(position, prev, hash, kind, content, taskId, createdAt));
        batchBytes += content == null ? 64 : content.length + 64;
        if (batch.size() >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) {
            flush();
        }
    }

    /** Waits until every submitted record is authenticated; the first failure, or null. */
    Failure finish() {
        if (!finished) {
            finished = true;
            flush();
            put(END);
            join();
        }
        if (crash != null) {
            throw crash;
        }
        return failure;
    }

    private void flush() {
        if (!batch.isEmpty()) {
            put(batch);
            batch = new ArrayList<>(BATCH_RECORDS);
            batchBytes = 0;
        }
    }

    private void put(List<Item> items) {
        try {
            while (thread.isAlive() && !queue.offer(items, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                // the hashing thread is busy; wait for room (it drains until END even after a failure)
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying the audit chain", e);
        }
    }

    private void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying the audit chain", e);
        }
    }

    private void run() {
        try {
            while (true) {
                List<Item> items = queue.take();
                if (items == END) {
                    return;
                }
                if (failure != null) {
                    continue;
                }
                for (Item item : items) {
                    int n = canonical.encode(item.position(), item.kind(), item.content(), item.taskId(),
                            item.createdAt());
                    mac.update(item.prev());
                    mac.update(canonical.buffer(), 0, n);
                    if (!AuditKey.same(item.hash(), mac.doFinal())) {
                        failure = new Failure(item.position(), item.prev());
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            crash = e;
        }
    }

    /** Stops the hashing thread if the walk ended by an exception. */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            batch = new ArrayList<>();
            put(END);
            join();
        }
    }
}
