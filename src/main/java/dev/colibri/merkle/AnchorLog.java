package dev.colibri.merkle;

import dev.colibri.workspace.Durable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The external, append-only log of finalized Merkle roots ({@code docs/anchors.jsonl}), outside the
 * database so that it survives losing the database. One JSON object per line; each line carries the
 * SHA-256 of the previous line ({@code prev}, 64 zeros for the first), so an edited, reordered or
 * partly deleted log is detected. Every append is fsynced before it is reported durable.
 */
public final class AnchorLog {

    static final String ZERO = "0".repeat(64);
    private static final HexFormat HEX = HexFormat.of();

    private final Path file;
    private final JsonMapper json = JsonMapper.builder().build();

    public AnchorLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Appends a tree head and fsyncs the log. */
    public synchronized Anchor append(String workspaceId, String round, long size, String root, String anchoredAt)
            throws IOException {
        AnchorLogState state = read();
        long seq = state.anchors().isEmpty() ? 1 : state.anchors().get(state.anchors().size() - 1).seq() + 1;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", seq);
        line.put("workspace_id", workspaceId);
        line.put("round", round);
        line.put("size", size);
        line.put("root", root);
        line.put("anchored_at", anchoredAt);
        line.put("prev", state.lastLineHash());
        Files.createDirectories(file.getParent());
        String text = json.writeValueAsString(line);
        // A torn earlier append (a crash or a full disk mid-write) leaves a fragment without its
        // newline: end it first so this line stays readable; read() still reports the fragment.
        Durable.appendLine(file, endsInsideALine() ? "\n" + text : text);
        return new Anchor(seq, workspaceId, round, size, root, anchoredAt);
    }

    private boolean endsInsideALine() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, size - 1);
            return last.get(0) != '\n';
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Reads and checks the whole log; a missing file is an empty, intact log. */
    public synchronized AnchorLogState read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new AnchorLogState(List.of(), true, null, ZERO);
        }
        List<Anchor> anchors = new ArrayList<>();
        String prevHash = ZERO;
        String problem = null;
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) {
                continue;
            }
            try {
                JsonNode n = json.readTree(text);
                if (problem == null && !prevHash.equals(n.path("prev").asString(""))) {
                    problem = "line " + (i + 1) + " does not link to the line before it (edited, reordered or a line removed)";
                }
                anchors.add(new Anchor(n.path("seq").asLong(), n.path("workspace_id").asString(""),
                        n.path("round").isNull() ? null : n.path("round").asString(null), n.path("size").asLong(-1),
                        n.path("root").asString(""), n.path("anchored_at").asString("")));
            } catch (RuntimeException e) {
                if (problem == null) {
                    problem = "line " + (i + 1) + " is not a valid anchor record (" + e.getMessage() + ")";
                }
            }
            prevHash = sha256(text);
        }
        return new AnchorLogState(anchors, problem == null, problem, prevHash);
    }

    static String sha256(String line) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
