package dev.colibri.workspace;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tiny program run in a second JVM by {@link WorkspaceLockTest}: it tries to take the workspace
 * lock and prints what happened on one line.
 *
 * <ul>
 *   <li>{@code LockProbe FILE} prints {@code ACQUIRED} or {@code REFUSED <message>} and exits;
 *   <li>{@code LockProbe FILE hold} prints {@code HELD} once it holds the lock and keeps it until
 *       its standard input closes.
 * </ul>
 */
public final class LockProbe {

    private LockProbe() {
    }

    @SuppressWarnings("try") // the lock is held for the scope of the try
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        boolean hold = args.length > 1 && "hold".equals(args[1]);
        try (WorkspaceLock lock = WorkspaceLock.acquire(file, "serve")) {
            System.out.println(hold ? "HELD" : "ACQUIRED");
            System.out.flush();
            if (hold) {
                while (System.in.read() != -1) {
                    // hold the lock until the parent closes our stdin
                }
            }
        } catch (WorkspaceException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
