package dev.colibri.cli;

import dev.colibri.workspace.DatabaseException;
import dev.colibri.workspace.WorkspaceException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints a failure as one clear line on stderr (no stack trace for problems a person must fix). */
final class ErrorHandler implements IExecutionExceptionHandler {

    static final int SETUP_ERROR = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        if (e instanceof WorkspaceException || e instanceof DatabaseException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException) {
            cmd.getErr().println("colibri: " + e.getMessage());
        } else {
            cmd.getErr().println("colibri: " + e);
            e.printStackTrace(cmd.getErr());
        }
        return SETUP_ERROR;
    }
}
