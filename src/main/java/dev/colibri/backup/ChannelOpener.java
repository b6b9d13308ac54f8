package dev.colibri.backup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** Opens the channels {@link SnapshotCopier} writes and hashes through; tests substitute one that fails. */
@FunctionalInterface
interface ChannelOpener {

    FileChannel open(Path path, OpenOption... options) throws IOException;

    static ChannelOpener standard() {
        return FileChannel::open;
    }
}
