package dev.colibri.workspace;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live database file opened for reading its pages directly (the chain walk, see
 * {@code RecordPages}): one descriptor, opened on first use and closed only by {@link Database#close()}
 * once the writer is closed. Closing any descriptor of the file drops every POSIX lock this process
 * holds on it, the writer's included (see {@code LiveFileCopier}); and a thread interrupted during
 * I/O on a {@code FileChannel} closes the channel, so the descriptor is opened on a thread nobody
 * interrupts.
 */
final class LiveFileReader {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFileReader.class);

    private final Path file;
    private FileChannel channel;
    private PageFile pages;
    private boolean closed;

    LiveFileReader(Path file) {
        this.file = file;
    }

    /**
     * The page reader, opened on first use.
     *
     * @throws IOException the file cannot be opened or is not a UTF-8 SQLite database (yet: its first
     *                     pages may still be in the WAL; the descriptor stays open and it is asked again
     *                     next time), or the reader is closed: a descriptor opened then would be closed by
     *                     nobody but the garbage collector, whenever it came, dropping the locks of
     *                     whatever connection of this process then had the file open
     */
    synchronized PageFile pages() throws IOException {
        if (closed) {
            throw new IOException("the page reader of " + file + " is closed with its database");
        }
        if (pages == null) {
            pages = onThreadOfItsOwn(() -> {
                if (channel == null) {
                    channel = FileChannel.open(file, StandardOpenOption.READ);
                }
                return PageFile.over(channel, file); // a refusal (no header yet, say) keeps the channel
            });
        }
        return pages;
    }

    /** Closes the descriptor for good: only once no connection of this process to the file is left. */
    synchronized void close() {
        closed = true;
        pages = null;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing the page reader of {} failed: {}", file, e.getMessage());
            }
            channel = null;
        }
    }

    /** Runs {@code io} on a thread nobody can interrupt and waits for it. */
    private static <T> T onThreadOfItsOwn(Callable<T> io) throws IOException {
        FutureTask<T> task = new FutureTask<>(io);
        Thread t = new Thread(task, "colibri-pages");
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the open is short: wait for it rather than leave it behind
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io2) {
                        throw io2;
                    }
                    throw new IOException("cannot open " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
