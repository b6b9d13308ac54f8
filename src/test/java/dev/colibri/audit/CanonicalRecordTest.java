package dev.colibri.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CanonicalRecordTest {

    private static final HexFormat HEX = HexFormat.of();

    private static String hex(long position, String kind, String content, String taskId, String createdAt) {
        return HEX.formatHex(CanonicalRecord.encode(position, kind, content, taskId, createdAt));
    }

    @Test
    void knownRecordEncodesToExactBytes() {
        String expected = ""
                + "636f6c696272692e74686f756768742e7631"             // "colibri.thought.v1"
                + "0000000000000001"                                 // position 1, 8 bytes big-endian
                + "00000008" + "6465636973696f6e"                    // kind "decision"
                + "00000006" + "68c3a96c6c6f"                        // content "héllo", UTF-8 (é = c3 a9)
                + "00000002" + "5431"                                // task_id "T1"
                + "00000018" + "323032342d30312d30325430333a30343a30352e3637385a"; // "2024-01-02T03:04:05.678Z"

        assertEquals(expected, hex(1, "decision", "héllo", "T1", "2024-01-02T03:04:05.678Z"));
    }

    @Test
    void positionIsEightBytesBigEndianAndAbsentTaskIdIsAllOnesLength() {
        assertEquals("636f6c696272692e74686f756768742e7631"
                + "0102030405060708"
                + "00000001" + "6b"
                + "00000001" + "63"
                + "ffffffff"
                + "00000000", hex(0x0102030405060708L, "k", "c", null, ""));
    }

    @Test
    void nullTaskIdAndEmptyTaskIdEncodeDifferently() {
        String absent = hex(0, "note", "x", null, "t");
        String empty = hex(0, "note", "x", "", "t");

        assertNotEquals(absent, empty);
        assertEquals(absent.replace("ffffffff", "00000000"), empty);
    }

    @Test
    void fieldBoundariesCannotCollide() {
        assertNotEquals(hex(0, "ab", "c", null, "t"), hex(0, "a", "bc", null, "t"));
        assertNotEquals(hex(0, "k", "ab", "c", "t"), hex(0, "k", "a", "bc", "t"));
        assertNotEquals(hex(0, "k", "c", "ab", "t"), hex(0, "k", "c", "a", "bt"));
        assertNotEquals(hex(0, "k", "c", null, "t"), hex(0, "k", "c", "", "t"));
    }

    @Test
    void everyFieldChangesTheEncoding() {
        String base = hex(7, "decision", "content", "T1", "2024-01-02T03:04:05.678Z");

        assertNotEquals(base, hex(8, "decision", "content", "T1", "2024-01-02T03:04:05.678Z"));
        assertNotEquals(base, hex(7, "decisioN", "content", "T1", "2024-01-02T03:04:05.678Z"));
        assertNotEquals(base, hex(7, "decision", "Content", "T1", "2024-01-02T03:04:05.678Z"));
        assertNotEquals(base, hex(7, "decision", "content", "T2", "2024-01-02T03:04:05.678Z"));
        assertNotEquals(base, hex(7, "decision", "content", "T1", "2024-01-02T03:04:05.679Z"));
        assertEquals(base, hex(7, "decision", "content", "T1", "2024-01-02T03:04:05.678Z"));
    }
}
