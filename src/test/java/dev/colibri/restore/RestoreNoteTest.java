package dev.colibri.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.audit.ThoughtRecord;
import dev.colibri.workspace.Meta;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreNoteTest {

    @TempDir
    Path tmp;

    private static void leaveNote(Colibri c, String json) {
        c.database().write(conn -> {
            Meta.put(conn, Meta.PENDING_RESTORE, json);
            return null;
        });
    }

    private static Optional<String> pending(Colibri c) {
        return c.database().read(conn -> Meta.get(conn, Meta.PENDING_RESTORE));
    }

    @Test
    void withoutAPendingRestoreNothingIsAppended() throws Exception {
        try (Colibri c = new RestoreFixture(tmp, false).open()) {
            RestoreFixture.append(c, 2);

            assertEquals(Optional.empty(), RestoreNote.recordPending(c.database(), c.audit().chain()));
            assertEquals(2, c.audit().verifyLive().length());
        }
    }

    @Test
    void aPendingRestoreBecomesOneRestoreRecordAndTheNoteIsRemoved() throws Exception {
        try (Colibri c = new RestoreFixture(tmp, false).open()) {
            RestoreFixture.append(c, 2);
            leaveNote(c, new PendingRestore("colibri-r7-20260401.db", "2026-04-01T10:00:00Z", 4L,
                    "data/colibri.db.broken-20260401-100000").toJson());

            ThoughtRecord r = RestoreNote.recordPending(c.database(), c.audit().chain()).orElseThrow();

            assertEquals("restore", r.kind());
            assertEquals(2, r.position());
            assertEquals("restored the database from snapshot colibri-r7-20260401.db at 2026-04-01T10:00:00Z; 4 thought"
                    + " record(s) written after that snapshot were lost and are not in this chain; the replaced database is"
                    + " kept as data/colibri.db.broken-20260401-100000", r.content());
            assertEquals(Optional.empty(), pending(c));
            assertTrue(c.audit().verifyLive().ok());
            assertEquals(Optional.empty(), RestoreNote.recordPending(c.database(), c.audit().chain()),
                    "a second boot must not record the restore again");
            assertEquals(3, c.audit().verifyLive().length());
        }
    }

    @Test
    void aRestoreThatLostNothingSaysSo() throws Exception {
        try (Colibri c = new RestoreFixture(tmp, false).open()) {
            leaveNote(c, new PendingRestore("colibri-r7-20260401.db", null, 0L, null).toJson());

            assertEquals("restored the database from snapshot colibri-r7-20260401.db; no thought records were lost; the"
                    + " replaced database is kept as nothing (there was no live database)",
                    RestoreNote.recordPending(c.database(), c.audit().chain()).orElseThrow().content());
        }
    }

    @Test
    void aDamagedNoteIsStillRecordedVerbatimAndRemoved() throws Exception {
        try (Colibri c = new RestoreFixture(tmp, false).open()) {
            leaveNote(c, "{not json");

            ThoughtRecord r = RestoreNote.recordPending(c.database(), c.audit().chain()).orElseThrow();

            assertTrue(r.content().startsWith("restored the database from a snapshot, but the restore note cannot be read"
                    + " (the pending restore note is not valid JSON: "), r.content());
            assertTrue(r.content().endsWith("); its text was: {not json"), r.content());
            assertEquals(Optional.empty(), pending(c));
            assertTrue(c.audit().verifyLive().ok());
        }
    }

    @Test
    void theNoteRoundTripsThroughItsJson() {
        PendingRestore note = new PendingRestore("colibri-r7-20260401.db", "2026-04-01T10:00:00Z", null,
                "data/colibri.db.broken-20260401-100000");

        assertEquals("{\"snapshot\":\"colibri-r7-20260401.db\",\"restored_at\":\"2026-04-01T10:00:00Z\","
                + "\"records_lost\":null,\"broken_file\":\"data/colibri.db.broken-20260401-100000\"}", note.toJson());
        assertEquals(note, PendingRestore.parse(note.toJson()));
    }
}
