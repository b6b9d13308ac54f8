package dev.colibri.cli;

import dev.colibri.workspace.DatabaseException;
import dev.colibri.workspace.WorkspaceException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints a failure as one clear line on stderr (no stack trace for problems a person must fix). */
final class ErrorHandler implements IExecutionExceptionHandler {

    static final int SETUP_ERROR = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        return report(e, cmd.getErr());
    }

    /** Prints the failure to {@code err} and returns the exit code: {@link #SETUP_ERROR}. */
    static int report(Exception e, PrintWriter err) {
        if (e instanceof WorkspaceException || e instanceof DatabaseException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            err.println("colibri: " + e.getMessage());
        } else {
            err.println("colibri: " + e);
            e.printStackTrace(err);
        }
        return SETUP_ERROR;
    }
}
