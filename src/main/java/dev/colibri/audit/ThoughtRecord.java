package dev.colibri.audit;

/** One link of the audit chain as stored: hashes are lower-case hex. */
public record ThoughtRecord(long position, String kind, String content, String taskId, String createdAt,
        String prevHash, String hash) {
}
