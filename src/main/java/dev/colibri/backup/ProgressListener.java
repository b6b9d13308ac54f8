package dev.colibri.backup;

/** Receives copy progress. {@link SnapshotCopier} calls it once per copied chunk (a few MiB), never per page. */
@FunctionalInterface
public interface ProgressListener {

    /**
     * @param bytesDone bytes copied (or, for the backup-API route, hashed) so far
     * @param bytesTotal size of the snapshot in bytes
     */
    void progress(long bytesDone, long bytesTotal);

    /**
     * @return a listener that ignores progress
     */
    static ProgressListener none() {
        return (bytesDone, bytesTotal) -> { };
    }
}
