package dev.colibri.mcp;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Counts requests whose handling has started but not finished, so end of input can wait for them. */
final class InFlightRequests {

    private int running;

    synchronized void begin() {
        running++;
    }

    synchronized void end() {
        running--;
        notifyAll();
    }

    /** Waits until no request is running or the timeout passes; returns how many still run. */
    synchronized int awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (long left = timeout.toNanos(); running > 0 && left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return running;
    }
}
