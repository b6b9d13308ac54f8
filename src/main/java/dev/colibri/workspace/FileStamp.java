package dev.colibri.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What {@code stat} says about a file: enough to tell that it was not touched since it was last read
 * (the anchor log's parsed state, a snapshot's remembered verdict). Any write, truncation, {@code touch} or replacement changes the inode change time
 * ({@code ctime}), which, unlike {@code mtime}, no user-space call can set back; a replaced file
 * changes the inode.
 *
 * @param device    the file system's device number
 * @param inode     the inode number
 * @param size      the file's length in bytes
 * @param modified  {@code mtime}
 * @param changed   {@code ctime}
 */
public record FileStamp(long device, long inode, long size, FileTime modified, FileTime changed) {

    /** Unix attributes read in one {@code stat}; {@code size} and {@code lastModifiedTime} come with them. */
    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";

    /** The file's stamp; null when the file is missing or the platform has no unix attributes. */
    public static FileStamp of(Path file, LinkOption... options) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(file, ATTRIBUTES, options);
        } catch (NoSuchFileException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
        return new FileStamp((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"));
    }

    /**
     * Whether a change made after {@code observedAtMillis} is sure to give a different stamp: both
     * times must lie clearly before the observation, so that a later write, even one of the same
     * length within the file system's timestamp granularity, cannot leave them equal (the "racy
     * clean" case that git's index guards against the same way).
     */
    public boolean settledBefore(long observedAtMillis, long granularityMillis) {
        long latest = Math.max(modified.toMillis(), changed.toMillis());
        return latest + granularityMillis < observedAtMillis;
    }
}
