package dev.colibri.backup;

import java.util.concurrent.Callable;

/**
 * Pauses the application's single SQLite writer while an action runs.
 *
 * <p>{@link SnapshotCopier} needs a moment in which our own process commits nothing: it truncates the WAL
 * and starts a read transaction that sees only the database file. The production implementation holds
 * the writer's lock for the duration of {@code action}. Keep the action short, because every writer waits for it.
 */
public interface WriteGate {

    /**
     * Runs {@code action} while the application's writer is paused and returns its result.
     *
     * @param <T> the action's result type
     * @param action what to run while no write of ours can start
     * @return what {@code action} returned
     * @throws Exception whatever {@code action} throws, or a failure to pause the writer
     */
    <T> T paused(Callable<T> action) throws Exception;

    /**
     * @return a gate that pauses nothing, for processes that have no writer of their own (and for tests)
     */
    static WriteGate none() {
        return new WriteGate() {
            @Override
            public <T> T paused(Callable<T> action) throws Exception {
                return action.call();
            }
        };
    }
}
