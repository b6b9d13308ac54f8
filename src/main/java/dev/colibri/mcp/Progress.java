package dev.colibri.mcp;

/** Progress reporting for long tool calls; a no-op when the client sent no progress token. */
@FunctionalInterface
interface Progress {

    void report(double done, double total, String message);

    static Progress none() {
        return (done, total, message) -> { };
    }
}
