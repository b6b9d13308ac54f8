package dev.colibri.mcp;

import dev.colibri.audit.AuditService;
import dev.colibri.audit.ThoughtRecord;

/** {@code thought_record_append}: extend the HMAC-linked audit chain. */
final class ThoughtRecordAppendTool implements Tool {

    static final Definition DEFINITION = new Definition("thought_record_append", "Append a thought record",
            "Appends a record to the audit chain; its hash is HMAC-SHA256 over the previous hash and the record's"
            + " canonical bytes. Returns the 0-based position and both hashes.",
            Hints.APPEND);

    private final AuditService audit;

    ThoughtRecordAppendTool(AuditService audit) {
        this.audit = audit;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) {
        ThoughtRecord r = audit.append(args.string("kind"), args.string("content"),
                args.optionalString("task_id").orElse(null));
        return ToolResult.ok(Fields.of().put("position", r.position()).put("hash", r.hash())
                .put("prev_hash", r.prevHash()).put("created_at", r.createdAt()).map(),
                "appended record " + r.position() + " (" + r.hash().substring(0, 16) + "...)");
    }
}
