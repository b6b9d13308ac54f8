package dev.colibri.audit;

import dev.colibri.workspace.Database;

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

    /** Verifies the live chain on a consistent read view. */
    public ChainVerification verifyLive() {
        return db.read(chain::verify);
    }
}
