package dev.colibri.bench;

import dev.colibri.Colibri;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the measurement groups share: the options, the benchmark workspace and its scratch folder,
 * whether the sqlite3 CLI is installed, and the rows measured so far, to which each group adds its
 * own as it completes them.
 */
final class BenchContext {

    static final String NO_SQLITE3 = "sqlite3 CLI not installed";

    private final BenchRunner.Options options;
    private final BenchWorkspace bench;
    private final Path scratch;
    private final String sqlite3;
    private final List<Comparison> rows = new ArrayList<>();

    /**
     * @param sqlite3 the first line of {@code sqlite3 -version}, or null when the CLI is not installed
     */
    BenchContext(BenchRunner.Options options, BenchWorkspace bench, Path scratch, String sqlite3) {
        this.options = options;
        this.bench = bench;
        this.scratch = scratch;
        this.sqlite3 = sqlite3;
    }

    BenchRunner.Options options() {
        return options;
    }

    BenchWorkspace bench() {
        return bench;
    }

    /** A folder for the baselines' copies, deleted at the end. */
    Path scratch() {
        return scratch;
    }

    boolean hasSqlite3() {
        return sqlite3 != null;
    }

    /** The sqlite3 CLI's version, or why there is none (the report's {@code sqlite3_cli} fact). */
    String sqlite3Version() {
        return sqlite3 == null ? NO_SQLITE3 : sqlite3;
    }

    void add(Comparison row) {
        rows.add(row);
    }

    /** A row whose baseline runs the sqlite3 CLI: without the CLI, it says so instead of a number. */
    Comparison cli(Comparison row) {
        return sqlite3 == null ? row.withMissing(NO_SQLITE3) : row;
    }

    /** The rows so far, in the order measured (a read-only view). */
    List<Comparison> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** Empties the WAL into the main file so every contender starts from the same state. */
    static void quiesce(Colibri colibri) {
        colibri.database().checkpoint("TRUNCATE");
    }
}
