package dev.colibri.audit;

import dev.colibri.workspace.Database;
import dev.colibri.workspace.PageFile;
import java.io.IOException;

/** Appending to and verifying the live audit chain. */
public final class AuditService {

    private final Database db;
    private final AuditChain chain;

    public AuditService(Database db, AuditChain chain) {
        this.db = db;
        this.chain = chain;
    }

    public AuditChain chain() {
        return chain;
    }

    /** Appends a thought record in its own transaction. */
    public ThoughtRecord append(String kind, String content, String taskId) {
        return db.write(c -> chain.append(c, kind, content, taskId));
    }

    /**
     * Verifies the live chain on a consistent read view; from the file's pages when the view began
     * with an empty write-ahead log (after a backup's checkpoint, say), otherwise through SQLite.
     */
    public ChainVerification verifyLive() {
        PageFile pages = livePages();
        return db.read(c -> chain.verify(c, pages));
    }

    /** The live file's page reader, or null when it cannot be read directly (SQLite reads it then). */
    private PageFile livePages() {
        try {
            return db.pages();
        } catch (IOException e) {
            return null;
        }
    }
}
