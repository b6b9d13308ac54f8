package dev.colibri.merkle;

import dev.colibri.workspace.Sha256;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the anchor log's bytes into an {@link AnchorLogState}, continuing from what an earlier read
 * of the same file already parsed: when the file still starts with exactly the bytes parsed then
 * (their SHA-256 is compared), only the lines after them are parsed. Any other change, anywhere in
 * the file, means a full parse, so an edited, truncated or replaced log reads exactly as if it were
 * read from scratch. Lines are split as {@link java.nio.file.Files#readAllLines} splits them
 * ({@code \n}, {@code \r} or {@code \r\n}), invalid UTF-8 is refused the same way, and each line is
 * checked against the SHA-256 of the line before it.
 */
final class AnchorLogParser {

    private final JsonMapper json = JsonMapper.builder().build();
    private long linesParsed;

    /**
     * What is known about the complete lines at the start of the file: the bytes up to and including
     * its last {@code \n}, which a later append cannot change.
     *
     * @param length       how many bytes
     * @param digest       SHA-256 of those bytes
     * @param lines        how many lines they hold (blank ones included, for the line numbers)
     * @param anchors      the anchors parsed from them, in file order
     * @param problem      the first problem found in them, or null
     * @param lastLineHash hex SHA-256 of their last non-blank line
     */
    record Prefix(int length, byte[] digest, int lines, List<Anchor> anchors, String problem, String lastLineHash) {

        static final Prefix EMPTY = new Prefix(0, Sha256.digest().digest(), 0, List.of(), null, AnchorLog.ZERO);
    }

    /**
     * One read of the file.
     *
     * @param prefix          the complete lines, to continue from next time
     * @param state           the whole file, a trailing fragment without its newline included
     * @param endsInsideALine whether the file ends with a fragment, which an append must end first
     */
    record Parsed(Prefix prefix, AnchorLogState state, boolean endsInsideALine) {
    }

    /** Lines parsed as JSON so far by this parser (tests check that unchanged lines are not parsed again). */
    long linesParsed() {
        return linesParsed;
    }

    /** Parses {@code bytes}, the whole file, continuing from {@code known} when the file still starts with it. */
    Parsed parse(byte[] bytes, Prefix known) throws IOException {
        MessageDigest digest = Sha256.digest();
        Prefix from = Prefix.EMPTY;
        if (known.length() > 0 && known.length() <= bytes.length) {
            digest.update(bytes, 0, known.length());
            if (MessageDigest.isEqual(copy(digest).digest(), known.digest())) {
                from = known;
            } else {
                digest.reset();
            }
        }
        int end = lastNewline(bytes, from.length()) + 1;
        Lines complete = new Lines(from);
        complete.parse(decode(bytes, from.length(), end));
        digest.update(bytes, from.length(), end - from.length());
        Prefix prefix = complete.prefix(end, digest.digest());
        Lines all = new Lines(prefix);
        all.parse(decode(bytes, end, bytes.length));
        AnchorLogState state = new AnchorLogState(all.anchors, all.problem == null, all.problem, all.prevHash);
        return new Parsed(prefix, state, end < bytes.length);
    }

    /** The index of the last {@code \n} at or after {@code from - 1}, or {@code from - 1} when there is none. */
    private static int lastNewline(byte[] bytes, int from) {
        for (int i = bytes.length - 1; i >= from; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return from - 1;
    }

    private static String decode(byte[] bytes, int from, int to) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
    }

    /** The running check over the lines, continued from a prefix. */
    private final class Lines {

        private final List<Anchor> anchors;
        private String problem;
        private String prevHash;
        private int lineNumber;

        Lines(Prefix from) {
            this.anchors = new ArrayList<>(from.anchors());
            this.problem = from.problem();
            this.prevHash = from.lastLineHash();
            this.lineNumber = from.lines();
        }

        void parse(String text) throws IOException {
            if (text.isEmpty()) {
                return;
            }
            BufferedReader reader = new BufferedReader(new StringReader(text));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    check(line);
                }
            }
        }

        private void check(String text) {
            linesParsed++;
            try {
                JsonNode n = json.readTree(text);
                if (problem == null && !prevHash.equals(n.path("prev").asString(""))) {
                    problem = "line " + lineNumber + " does not link to the line before it (edited, reordered or a line removed)";
                }
                anchors.add(new Anchor(n.path("seq").asLong(), n.path("workspace_id").asString(""),
                        n.path("round").isNull() ? null : n.path("round").asString(null), n.path("size").asLong(-1),
                        n.path("root").asString(""), n.path("anchored_at").asString("")));
            } catch (RuntimeException e) {
                if (problem == null) {
                    problem = "line " + lineNumber + " is not a valid anchor record (" + e.getMessage() + ")";
                }
            }
            prevHash = AnchorLog.sha256(text);
        }

        Prefix prefix(int length, byte[] digest) {
            return new Prefix(length, digest, lineNumber, List.copyOf(anchors), problem, prevHash);
        }
    }

    private static MessageDigest copy(MessageDigest digest) {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests cannot be copied here", e);
        }
    }
}
