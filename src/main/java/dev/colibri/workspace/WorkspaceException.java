package dev.colibri.workspace;

/** A workspace problem a person must fix (a lock held, a wrong key, a path that cannot be used). */
public class WorkspaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkspaceException(String message) {
        super(message);
    }

    public WorkspaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
