package dev.colibri.merkle;

import dev.colibri.workspace.Durable;
import dev.colibri.workspace.FileStamp;
import dev.colibri.workspace.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The external, append-only log of finalized Merkle roots ({@code docs/anchors.jsonl}), outside the
 * database so that it survives losing the database. One JSON object per line; each line carries the
 * SHA-256 of the previous line ({@code prev}, 64 zeros for the first), so an edited, reordered or
 * partly deleted log is detected. Every append is fsynced before it is reported durable.
 *
 * <p>Every read checks the whole file, but does not parse it again each time. The last read is
 * kept: when {@code stat} shows the same file, length, {@code mtime} and {@code ctime}, and both
 * times lay clearly before that read (so a same-length write in the same timestamp tick cannot hide
 * behind them), the file is unchanged and the kept state is returned. Otherwise the file is read and
 * only the lines after the part already parsed are parsed, provided that part is still byte for byte
 * what it was (its SHA-256 is compared); any other change means a full parse. An edit, truncation or
 * replacement made by anyone is therefore reported by the next read, exactly as a fresh read would.
 */
public final class AnchorLog {

    static final String ZERO = "0".repeat(64);
    /**
     * How long before a read the file's times must lie for its stamp to vouch for the content: more
     * than any file system's timestamp granularity (FAT's 2 s; ext4's is a clock tick).
     */
    static final long TIMESTAMP_GRANULARITY_MILLIS = 2_000;
    private static final HexFormat HEX = HexFormat.of();
    private static final AnchorLogParser.Parsed NO_FILE = new AnchorLogParser.Parsed(AnchorLogParser.Prefix.EMPTY,
            new AnchorLogState(List.of(), true, null, ZERO), false);

    private final Path file;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();
    private final AnchorLogParser parser = new AnchorLogParser();
    /** The last read, guarded by this. */
    private Snapshot last;
    private long fileReads;

    /**
     * One read of the file.
     *
     * @param stamp   the file's stamp before its bytes were read, or null when it does not vouch for them
     * @param settled whether the stamp's times lay clearly before the read
     * @param parsed  what was read
     */
    private record Snapshot(FileStamp stamp, boolean settled, AnchorLogParser.Parsed parsed) {
    }

    public AnchorLog(Path file) {
        this(file, Clock.systemUTC());
    }

    /** With the clock that dates reads against the file's times (tests move it). */
    AnchorLog(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /** Appends a tree head and fsyncs the log. */
    public synchronized Anchor append(String workspaceId, String round, long size, String root, String anchoredAt)
            throws IOException {
        AnchorLogParser.Parsed current = load();
        List<Anchor> anchors = current.state().anchors();
        long seq = anchors.isEmpty() ? 1 : anchors.get(anchors.size() - 1).seq() + 1;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", seq);
        line.put("workspace_id", workspaceId);
        line.put("round", round);
        line.put("size", size);
        line.put("root", root);
        line.put("anchored_at", anchoredAt);
        line.put("prev", current.state().lastLineHash());
        Files.createDirectories(file.getParent());
        String text = json.writeValueAsString(line);
        // A torn earlier append (a crash or a full disk mid-write) leaves a fragment without its
        // newline: end it first so this line stays readable; read() still reports the fragment.
        Durable.appendLine(file, current.endsInsideALine() ? "\n" + text : text);
        return new Anchor(seq, workspaceId, round, size, root, anchoredAt);
    }

    /** Reads and checks the whole log; a missing file is an empty, intact log. */
    public synchronized AnchorLogState read() throws IOException {
        return load().state();
    }

    /** How many times the file's bytes were read (tests check that an unchanged file is not read again). */
    synchronized long fileReads() {
        return fileReads;
    }

    /** How many lines were parsed (tests check that lines already parsed are not parsed again). */
    synchronized long linesParsed() {
        return parser.linesParsed();
    }

    private AnchorLogParser.Parsed load() throws IOException {
        long now = clock.millis();
        FileStamp stamp = FileStamp.of(file);
        Snapshot known = last;
        if (known != null && known.settled() && known.stamp().equals(stamp)) {
            return known.parsed();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            last = null;
            return NO_FILE;
        }
        fileReads++;
        AnchorLogParser.Parsed parsed = parser.parse(bytes, known == null ? AnchorLogParser.Prefix.EMPTY
                : known.parsed().prefix());
        // a write between the stat and the read leaves a stamp that does not vouch for these bytes
        boolean vouches = stamp != null && stamp.size() == bytes.length;
        last = new Snapshot(vouches ? stamp : null, vouches && stamp.settledBefore(now, TIMESTAMP_GRANULARITY_MILLIS),
                parsed);
        return parsed;
    }

    static String sha256(String line) {
        return HEX.formatHex(Sha256.digest().digest(line.getBytes(StandardCharsets.UTF_8)));
    }
}
