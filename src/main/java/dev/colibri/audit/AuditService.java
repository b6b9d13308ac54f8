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
     * Verifies the live chain on a consistent read view, from the file's pages when the view begins
     * on an empty write-ahead log, otherwise through SQLite: our writer is held while a checkpoint
     * empties the log and the walk is set up (a few milliseconds; {@link Database#readFromEmptyLog}),
     * then writes go on while the records are walked.
     */
    public ChainVerification verifyLive() {
        PageFile pages = livePages();
        return db.readFromEmptyLog(c -> chain.walk(c, LeafSink.NONE, TaskIdSink.NONE, pages),
                ChainWalk::finishOnEveryCore);
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
