package dev.colibri.cli;

import dev.colibri.audit.AuditChain;
import dev.colibri.audit.AuditKey;
import dev.colibri.audit.ChainVerification;
import dev.colibri.workspace.PageFile;
import dev.colibri.workspace.Sqlite;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.Locale;

/**
 * A command-line entry point for the benchmark (it prints its result on stdout, so it lives with the
 * CLI, never in server mode): the chain verification measured in a child JVM whose heap the benchmark caps (e.g.
 * {@code -Xmx64m}), proving the walk is constant-memory:
 * {@code java -Xmx64m -cp colibri.jar dev.colibri.cli.ChainVerifyMain DB KEYFILE}. Prints one
 * line: {@code ms=<walk time> ok=<bool> length=<records> max_heap_mb=<cap>}; exits 1 if the chain
 * is broken.
 */
public final class ChainVerifyMain {

    private ChainVerifyMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ChainVerifyMain DATABASE KEYFILE");
            System.exit(2);
        }
        AuditChain chain = new AuditChain(AuditKey.load(Path.of(args[1]), false), Clock.systemUTC());
        ChainVerification v;
        long start;
        long end;
        Path db = Path.of(args[0]);
        PageFile reader = null;
        try {
            reader = PageFile.open(db);
        } catch (IOException e) {
            System.err.println("reading the chain through SQLite: " + e.getMessage());
        }
        // The page reader outlives the connection (resources close in reverse order): closing a
        // descriptor of the file while the connection is open would drop its locks (LiveFileCopier).
        try (PageFile pages = reader; Connection c = Sqlite.openReadOnly(db)) {
            c.setAutoCommit(false);
            start = System.nanoTime();
            v = chain.verify(c, pages);
            end = System.nanoTime();
            c.rollback();
        }
        System.out.println(String.format(Locale.ROOT, "ms=%.3f ok=%s length=%d max_heap_mb=%d", (end - start) / 1e6,
                v.ok(), v.length(), Runtime.getRuntime().maxMemory() >> 20));
        System.exit(v.ok() ? 0 : 1);
    }
}
