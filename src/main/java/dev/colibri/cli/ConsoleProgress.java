package dev.colibri.cli;

import dev.colibri.mcp.LocalTools;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long commands on stderr, for a person at a terminal only: when there is no console
 * (a pipe, a script, CI) nothing is printed, so captured output stays clean.
 */
final class ConsoleProgress implements LocalTools.ProgressSink {

    private final PrintWriter err;
    private final boolean enabled;
    private boolean open;
    private int width;

    ConsoleProgress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** Progress that shows only when the process has a console. */
    static ConsoleProgress onConsole(PrintWriter err) {
        return new ConsoleProgress(err, System.console() != null);
    }

    @Override
    public synchronized void report(double done, double total, String message) {
        if (!enabled) {
            return;
        }
        String pct = total > 0 ? String.format(Locale.ROOT, "%3.0f%%", Math.min(100, 100 * done / total)) : "";
        err.print("\r" + (message == null ? "working" : message) + " " + pct + " (" + Table.bytes((long) done)
                + (total > 0 ? " of " + Table.bytes((long) total) : "") + ")   ");
        err.flush();
        open = true;
    }

    /** Shows what is being done now, in place of the previous note. */
    synchronized void note(String message) {
        if (!enabled) {
            return;
        }
        String line = message.length() > 100 ? message.substring(0, 97) + "..." : message;
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        err.flush();
        width = line.length();
        open = true;
    }

    /** Ends the progress line, if one was drawn. */
    synchronized void finish() {
        if (open) {
            err.println();
            err.flush();
            open = false;
        }
    }
}
