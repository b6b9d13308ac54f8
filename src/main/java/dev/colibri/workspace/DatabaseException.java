package dev.colibri.workspace;

/** A database operation failed; {@link #corrupt()} tells whether SQLite reported a damaged file. */
public class DatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean corrupt;

    public DatabaseException(String message, boolean corrupt, Throwable cause) {
        super(message, cause);
        this.corrupt = corrupt;
    }

    public boolean corrupt() {
        return corrupt;
    }
}
