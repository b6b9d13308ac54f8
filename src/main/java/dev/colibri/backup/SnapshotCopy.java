package dev.colibri.backup;

import java.nio.file.Path;

/**
 * A finished, fsynced snapshot file.
 *
 * @param path the target the snapshot was written to
 * @param sizeBytes its length
 * @param sha256Hex lower-case hex SHA-256 of the file exactly as written (header already patched)
 * @param method how the bytes were obtained
 * @param attempts routes tried: 1 when the first file copy succeeded; for {@link Method#BACKUP_API} the
 *     file-copy attempts made plus the backup itself
 * @param durationMillis wall time of {@link SnapshotCopier#copy}, including the fsync
 */
public record SnapshotCopy(Path path, long sizeBytes, String sha256Hex, Method method, int attempts, long durationMillis) {

    /** How a snapshot's bytes were obtained. */
    public enum Method {
        /** Sequential copy of the checkpointed database file under a pinned read transaction. */
        FILE_COPY,
        /** SQLite's online backup API, in one step (one read transaction). */
        BACKUP_API
    }
}
