package dev.colibri.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.workspace.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotSealerTest {

    @TempDir
    Path tmp;

    @Test
    void hashesTheWholePatchedFileAcrossSeveralChunks() throws Exception {
        Path db = walDatabase(SnapshotSealer.CHUNK_BYTES * 5 / 2);
        long size = Files.size(db);
        List<long[]> reports = new ArrayList<>();

        SnapshotSealer.Sealed sealed = new SnapshotSealer(ChannelOpener.standard(),
                (done, total) -> reports.add(new long[] {done, total})).seal(db, size);

        byte[] header = Files.readAllBytes(db);
        assertEquals(1, header[18], "write version: rollback journal");
        assertEquals(1, header[19], "read version: rollback journal");
        assertEquals(size, sealed.sizeBytes());
        assertEquals(Sha256.of(db), sealed.sha256Hex());
        assertEquals(3, reports.size(), "one report per chunk");
        assertEquals(size, reports.get(2)[0]);
        assertTrue(reports.stream().allMatch(r -> r[1] == size));
    }

    @Test
    void refusesACopyOfTheWrongSize() throws Exception {
        Path db = walDatabase(8192);
        long size = Files.size(db);

        IOException e = assertThrows(IOException.class,
                () -> new SnapshotSealer(ChannelOpener.standard(), ProgressListener.none()).seal(db, size + 4096));
        assertEquals(db + " holds " + size + " bytes after the copy, but the snapshot is " + (size + 4096)
                + " bytes: the copy is incomplete (is the disk full?)", e.getMessage());
    }

    /** A WAL-mode database, checkpointed, of at least {@code bytes}. */
    private Path walDatabase(int bytes) throws Exception {
        Path db = tmp.resolve("snapshot.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t (b BLOB)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (randomblob(?))")) {
                ps.setInt(1, bytes);
                ps.executeUpdate();
            }
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        assertEquals(2, Files.readAllBytes(db)[18], "the fixture is in WAL mode");
        return db;
    }
}
