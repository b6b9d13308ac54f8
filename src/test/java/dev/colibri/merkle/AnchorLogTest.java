package dev.colibri.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchorLogTest {

    private static final String ZERO = "0".repeat(64);
    private static final String ROOT_A = "a".repeat(64);
    private static final String ROOT_B = "b".repeat(64);
    private static final String ROOT_C = "c".repeat(64);
    private static final String LINK = " does not link to the line before it (edited, reordered or a line removed)";

    @TempDir
    Path tmp;

    private Path file() {
        return tmp.resolve("docs").resolve("anchors.jsonl");
    }

    private static String sha256(String line) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
    }

    private AnchorLog threeAnchors() throws IOException {
        AnchorLog log = new AnchorLog(file());
        log.append("ws-1", "r1", 3, ROOT_A, "2024-01-01T00:00:00Z");
        log.append("ws-1", null, 5, ROOT_B, "2024-01-02T00:00:00Z");
        log.append("ws-1", "r2", 8, ROOT_C, "2024-01-03T00:00:00Z");
        return log;
    }

    private List<String> lines() throws IOException {
        return new ArrayList<>(Files.readAllLines(file(), StandardCharsets.UTF_8));
    }

    private void rewrite(List<String> lines) throws IOException {
        Files.writeString(file(), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    @Test
    void appendWritesOneJsonLineLinkedToThePreviousLine() throws Exception {
        AnchorLog log = new AnchorLog(file());

        Anchor first = log.append("ws-1", "r1", 3, ROOT_A, "2024-01-01T00:00:00Z");
        Anchor second = log.append("ws-1", null, 5, ROOT_B, "2024-01-02T00:00:00Z");

        assertEquals(new Anchor(1, "ws-1", "r1", 3, ROOT_A, "2024-01-01T00:00:00Z"), first);
        assertEquals(new Anchor(2, "ws-1", null, 5, ROOT_B, "2024-01-02T00:00:00Z"), second);
        List<String> lines = lines();
        String line1 = "{\"seq\":1,\"workspace_id\":\"ws-1\",\"round\":\"r1\",\"size\":3,\"root\":\"" + ROOT_A
                + "\",\"anchored_at\":\"2024-01-01T00:00:00Z\",\"prev\":\"" + ZERO + "\"}";
        String line2 = "{\"seq\":2,\"workspace_id\":\"ws-1\",\"round\":null,\"size\":5,\"root\":\"" + ROOT_B
                + "\",\"anchored_at\":\"2024-01-02T00:00:00Z\",\"prev\":\"" + sha256(line1) + "\"}";
        assertEquals(List.of(line1, line2), lines);
        assertTrue(Files.readString(file()).endsWith("}\n"));
    }

    @Test
    void intactLogReadsBackEveryAnchor() throws Exception {
        AnchorLog log = threeAnchors();

        AnchorLogState state = log.read();

        assertTrue(state.intact());
        assertNull(state.problem());
        assertEquals(List.of(
                new Anchor(1, "ws-1", "r1", 3, ROOT_A, "2024-01-01T00:00:00Z"),
                new Anchor(2, "ws-1", null, 5, ROOT_B, "2024-01-02T00:00:00Z"),
                new Anchor(3, "ws-1", "r2", 8, ROOT_C, "2024-01-03T00:00:00Z")), state.anchors());
        assertEquals(sha256(lines().get(2)), state.lastLineHash());
        assertEquals(Optional.of(state.anchors().get(1)), state.latestFor("ws-1", 5));
        assertEquals(Optional.empty(), state.latestFor("ws-2", 5));
        assertEquals(8, state.maxSizeFor("ws-1"));
        assertEquals(-1, state.maxSizeFor("ws-2"));
    }

    @Test
    void missingFileIsAnEmptyIntactLog() throws IOException {
        AnchorLogState state = new AnchorLog(file()).read();

        assertEquals(new AnchorLogState(List.of(), true, null, ZERO), state);
        assertFalse(Files.exists(file()));
    }

    @Test
    void firstAppendCreatesTheDirectory() throws IOException {
        new AnchorLog(file()).append("ws-1", "r1", 1, ROOT_A, "t");

        assertEquals(1, lines().size());
    }

    @Test
    void editedLineIsDetectedAtTheNextLine() throws IOException {
        AnchorLog log = threeAnchors();
        List<String> lines = lines();
        lines.set(1, lines.get(1).replace(ROOT_B, "d".repeat(64)));
        rewrite(lines);

        AnchorLogState state = log.read();

        assertFalse(state.intact());
        assertEquals("line 3" + LINK, state.problem());
        assertEquals("d".repeat(64), state.anchors().get(1).root(), "the parsed lines are still reported");
    }

    @Test
    void editedFirstLineIsDetectedAtLineTwo() throws IOException {
        AnchorLog log = threeAnchors();
        List<String> lines = lines();
        lines.set(0, lines.get(0).replace("\"size\":3", "\"size\":4"));
        rewrite(lines);

        assertEquals("line 2" + LINK, log.read().problem());
    }

    @Test
    void editedPrevOfALineIsDetectedAtThatLine() throws IOException {
        AnchorLog log = threeAnchors();
        List<String> lines = lines();
        lines.set(0, lines.get(0).replace(ZERO, "1".repeat(64)));
        rewrite(lines);

        assertEquals("line 1" + LINK, log.read().problem());
    }

    @Test
    void deletedMiddleLineIsDetected() throws IOException {
        AnchorLog log = threeAnchors();
        List<String> lines = lines();
        lines.remove(1);
        rewrite(lines);

        AnchorLogState state = log.read();

        assertFalse(state.intact());
        assertEquals("line 2" + LINK, state.problem());
        assertEquals(2, state.anchors().size());
    }

    @Test
    void reorderedLinesAreDetected() throws IOException {
        AnchorLog log = threeAnchors();
        List<String> lines = lines();
        Collections.swap(lines, 1, 2);
        rewrite(lines);

        assertEquals("line 2" + LINK, log.read().problem());
    }

    @Test
    void lineThatIsNotJsonIsReportedWithItsNumber() throws IOException {
        AnchorLog log = threeAnchors();
        List<String> lines = lines();
        lines.add(1, "this is not json");
        rewrite(lines);

        AnchorLogState state = log.read();

        assertFalse(state.intact());
        assertTrue(state.problem().startsWith("line 2 is not a valid anchor record ("), state.problem());
        assertEquals(3, state.anchors().size());
    }

    @Test
    void tornLastLineIsReported() throws IOException {
        AnchorLog log = threeAnchors();
        Files.writeString(file(), "{\"seq\":4,\"works", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        AnchorLogState state = log.read();

        assertTrue(state.problem().startsWith("line 4 is not a valid anchor record ("), state.problem());
    }

    /**
     * Regression: after a torn append (a crash or a full disk mid-write leaves a fragment without a
     * newline) the next append was glued onto the fragment, so the new anchor could never be read
     * back although its head was then marked anchored.
     */
    @Test
    void appendAfterATornLastLineStartsOnItsOwnLine() throws IOException {
        AnchorLog log = threeAnchors();
        Files.writeString(file(), "{\"seq\":4,\"works", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        Anchor next = log.append("ws-1", "r3", 13, ROOT_A, "2024-01-04T00:00:00Z");

        AnchorLogState state = log.read();
        assertEquals(5, lines().size());
        assertEquals(List.of(next), state.anchors().subList(3, 4));
        assertEquals(Optional.of(next), state.latestFor("ws-1", 13));
        assertTrue(state.problem().startsWith("line 4 is not a valid anchor record ("), state.problem());
    }

    @Test
    void blankLinesAreIgnored() throws IOException {
        AnchorLog log = threeAnchors();
        List<String> lines = lines();
        lines.add(1, "");
        lines.add("   ");
        rewrite(lines);

        AnchorLogState state = log.read();

        assertTrue(state.intact(), state.problem());
        assertEquals(3, state.anchors().size());
    }

    @Test
    void appendContinuesTheSequenceAndTheChain() throws IOException {
        threeAnchors();

        AnchorLog reopened = new AnchorLog(file());
        Anchor fourth = reopened.append("ws-1", "r3", 13, ROOT_A, "2024-01-04T00:00:00Z");

        assertEquals(4, fourth.seq());
        AnchorLogState state = reopened.read();
        assertTrue(state.intact(), state.problem());
        assertEquals(4, state.anchors().size());
    }

    /** A clock an hour ahead: every time the file has lies long before its reads. */
    private static Clock anHourAhead() {
        return Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
    }

    @Test
    void unchangedLogIsNotReadAgainOnceItsTimesHaveSettled() throws IOException {
        threeAnchors();
        AnchorLog log = new AnchorLog(file(), anHourAhead());
        AnchorLogState first = log.read();

        AnchorLogState again = log.read();

        assertEquals(first, again);
        assertEquals(1, log.fileReads());
    }

    @Test
    void logTouchedWithinTheTimestampGranularityOfAReadIsReadAgain() throws IOException {
        threeAnchors();
        AnchorLog log = new AnchorLog(file(), Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)));
        log.read();

        log.read();

        assertEquals(2, log.fileReads(), "a same-length write in the same timestamp tick could hide behind equal times");
    }

    /** An edit of the same length right after a read can leave length, mtime and ctime as they were. */
    @Test
    void sameLengthEditRightAfterAReadIsDetected() throws IOException {
        AnchorLog log = threeAnchors();
        assertTrue(log.read().intact());
        List<String> lines = lines();
        lines.set(1, lines.get(1).replace(ROOT_B, "d".repeat(64)));
        rewrite(lines);

        AnchorLogState state = log.read();

        assertEquals("line 3" + LINK, state.problem());
        assertEquals("d".repeat(64), state.anchors().get(1).root());
    }

    /** mtime can be set back by anyone; ctime cannot, so the edit still shows once the times have settled. */
    @Test
    void sameLengthEditWithItsMtimeSetBackIsDetectedAfterASettledRead() throws Exception {
        threeAnchors();
        AnchorLog log = new AnchorLog(file(), anHourAhead());
        assertTrue(log.read().intact());
        FileTime mtime = Files.getLastModifiedTime(file());
        Thread.sleep(50); // past the file system's timestamp tick, so the edit gets a later ctime
        List<String> lines = lines();
        lines.set(1, lines.get(1).replace(ROOT_B, "d".repeat(64)));
        rewrite(lines);
        Files.setLastModifiedTime(file(), mtime);

        AnchorLogState state = log.read();

        assertEquals("line 3" + LINK, state.problem());
        assertEquals(2, log.fileReads());
    }

    @Test
    void eachReadParsesOnlyTheLinesAppendedSinceTheLastOne() throws Exception {
        AnchorLog log = threeAnchors();
        log.read();
        long parsed = log.linesParsed();

        log.append("ws-1", "r3", 13, ROOT_A, "2024-01-04T00:00:00Z");
        AnchorLogState state = log.read();

        assertEquals(parsed + 1, log.linesParsed());
        assertTrue(state.intact(), state.problem());
        assertEquals(new Anchor(4, "ws-1", "r3", 13, ROOT_A, "2024-01-04T00:00:00Z"), state.anchors().get(3));
        assertEquals(sha256(lines().get(3)), state.lastLineHash());
    }

    @Test
    void lineEditedWhileAnotherIsAppendedIsDetected() throws IOException {
        AnchorLog log = threeAnchors();
        log.read();
        List<String> lines = lines();
        lines.set(0, lines.get(0).replace("\"size\":3", "\"size\":4"));
        rewrite(lines);
        Files.writeString(file(), "not json\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        AnchorLogState state = log.read();

        assertEquals("line 2" + LINK, state.problem());
        assertEquals(4, state.anchors().get(0).size());
    }

    @Test
    void truncatedLogIsReadAfreshAndContinuedFromWhatRemains() throws Exception {
        AnchorLog log = threeAnchors();
        log.read();
        rewrite(lines().subList(0, 1));

        AnchorLogState cut = log.read();
        Anchor next = log.append("ws-1", "r3", 13, ROOT_A, "2024-01-04T00:00:00Z");

        assertTrue(cut.intact(), cut.problem());
        assertEquals(1, cut.anchors().size());
        assertEquals(2, next.seq());
        AnchorLogState continued = log.read();
        assertTrue(continued.intact(), continued.problem());
        assertEquals(List.of(cut.anchors().get(0), next), continued.anchors());
    }

    @Test
    void crlfLineEndingsReadLikeNewlines() throws IOException {
        AnchorLog log = threeAnchors();
        Files.writeString(file(), String.join("\r\n", lines()) + "\r\n", StandardCharsets.UTF_8);

        log.append("ws-1", "r3", 13, ROOT_A, "2024-01-04T00:00:00Z");
        AnchorLogState state = log.read();

        assertTrue(state.intact(), state.problem());
        assertEquals(4, state.anchors().size());
        assertEquals(state, new AnchorLog(file()).read(), "an incremental read equals a fresh one");
    }

    @Test
    void invalidUtf8IsRefusedLikeAFreshRead() throws IOException {
        AnchorLog log = threeAnchors();
        log.read();
        Files.write(file(), new byte[] {(byte) 0xC3, '\n'}, StandardOpenOption.APPEND);

        MalformedInputException e = assertThrows(MalformedInputException.class, log::read);

        assertEquals("Input length = 1", e.getMessage());
    }
}
