package dev.colibri.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStampTest {

    @TempDir
    Path tmp;

    @Test
    void anUntouchedFileKeepsItsStamp() throws Exception {
        Path f = Files.writeString(tmp.resolve("f"), "abc");

        FileStamp stamp = FileStamp.of(f);

        assertEquals(stamp, FileStamp.of(f));
        assertEquals(3, stamp.size());
    }

    @Test
    void aWriteShowsEvenWithSizeAndModificationTimePutBack() throws Exception {
        Path f = Files.writeString(tmp.resolve("f"), "abc");
        FileTime mtime = Files.getLastModifiedTime(f);
        FileStamp before = FileStamp.of(f);
        Thread.sleep(20); // the inode change time has nanosecond resolution here, but not everywhere

        Files.writeString(f, "abd");
        Files.setLastModifiedTime(f, mtime);

        FileStamp after = FileStamp.of(f);
        assertEquals(before.size(), after.size());
        assertEquals(before.modified(), after.modified());
        assertNotEquals(before, after, "the inode change time moved and cannot be set back");
    }

    @Test
    void aMissingFileHasNoStampAndALinkIsStampedAsALinkWhenAsked() throws Exception {
        assertNull(FileStamp.of(tmp.resolve("missing")));

        Path target = Files.writeString(tmp.resolve("target"), "0123456789");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        assertEquals(10, FileStamp.of(link).size());
        assertNotEquals(FileStamp.of(target), FileStamp.of(link, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aStampVouchesForTheBytesOnlyOnceBothTimesLieClearlyBeforeTheObservation() throws Exception {
        Path f = Files.writeString(tmp.resolve("f"), "abc");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        FileStamp stamp = FileStamp.of(f);
        long changed = stamp.changed().toMillis();

        assertFalse(stamp.settledBefore(changed + 2_000, 2_000), "the change time is within the granularity");
        assertTrue(stamp.settledBefore(changed + 2_001, 2_000));
    }
}
